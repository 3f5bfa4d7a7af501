using System.Globalization;
using FleetOta.Journal;

namespace FleetOta.Scenarios.Replay;

/// <summary>One place where the replayed controller decided otherwise than the recording.</summary>
/// <param name="Category">waves, offers, pauses, alerts, recovery or final-state.</param>
/// <param name="Device">The device the difference concerns, or null for rollout-wide decisions.</param>
/// <param name="Recorded">What the recording shows, in words.</param>
/// <param name="Replayed">What the replay decided, in words.</param>
/// <param name="TimeMs">Time of the earlier of the two decisions since the recording started; null for final states.</param>
public sealed record ReplayDifference(string Category, int? Device, string Recorded, string Replayed, long? TimeMs);

/// <summary>Number of decisions of one category in the recording and in the replay.</summary>
/// <param name="Compared">False when the recording does not record the category. Then Recorded is 0, and the
/// replay's decisions of the category are listed as <see cref="ReplayReport.Unrecorded"/>, not as differences.</param>
public sealed record ReplayCount(string Category, int Recorded, int Replayed, bool Compared = true);

/// <summary>A decision of the replay in a category that the recording does not record.</summary>
/// <param name="Replayed">What the replay decided, in words.</param>
/// <param name="TimeMs">Time of the decision since the recording started, or null for a final state.</param>
public sealed record ReplayDecision(string Category, int? Device, string Replayed, long? TimeMs);

/// <summary>The outcome of a replay: decision counts, every difference in the categories that the recording records,
/// and the replay's decisions in the other categories, each in category order and then time order.</summary>
/// <param name="ReleaseStartMs">Recorded deployment start; the text output gives times relative to it.</param>
public sealed record ReplayReport(
    string Source,
    string Options,
    long ReleaseStartMs,
    bool RecordingHasDecisions,
    IReadOnlyList<ReplayCount> Counts,
    IReadOnlyList<ReplayDifference> Differences,
    IReadOnlyList<ReplayDecision> Unrecorded)
{
    /// <summary>True when no compared category differs, including when the recording records no category at all.</summary>
    public bool Identical => Differences.Count == 0;

    /// <summary>Whether the recording records at least one decision category to compare the replay with.</summary>
    public bool Compared => Counts.Any(count => count.Compared);
}

/// <summary>Compares the controller decisions of a recording with those of its replay: waves and gates, offers,
/// pauses, alerts, recovery actions, and each device's final action state.</summary>
public static class DecisionComparison
{
    private const string NotOffered = "not offered";

    public static readonly IReadOnlyList<string> Categories = ["waves", "offers", "pauses", "alerts", "recovery", "final-state"];

    public static ReplayReport Compare(ReplayInput input, IReadOnlyList<JournalEntry> replayed, string options)
    {
        var recorded = input.Recorded;
        var start = recorded.FirstOrDefault(e => e.Kind == JournalKind.DeploymentStarted) is { Kind: JournalKind.DeploymentStarted } s
            ? s.TimeMs
            : replayed.FirstOrDefault(e => e.Kind == JournalKind.DeploymentStarted).TimeMs;
        var differences = new List<ReplayDifference>();
        var counts = new List<ReplayCount>();
        var unrecorded = new List<ReplayDecision>();
        foreach (var category in Categories)
        {
            // A category that the recording does not record is compared with no decisions, so every decision of the
            // replay shows up, and is then listed as an outcome instead of as differences.
            var compared = input.RecordedCategories?.Contains(category) ?? true;
            var found = new List<ReplayDifference>();
            var categoryCounts = new List<ReplayCount>();
            CompareCategory(category, input.Devices, compared ? recorded : [], replayed, start, found, categoryCounts);
            counts.Add(categoryCounts.Single() with { Compared = compared });
            if (compared)
            {
                differences.AddRange(found);
            }
            else
            {
                unrecorded.AddRange(found.Select(d => new ReplayDecision(d.Category, d.Device, d.Replayed, d.TimeMs)));
            }
        }

        return new ReplayReport(input.Source, options, start, recorded.Count > 0, counts, differences, unrecorded);
    }

    private static void CompareCategory(
        string category, int devices, IReadOnlyList<JournalEntry> recorded, IReadOnlyList<JournalEntry> replayed, long start,
        List<ReplayDifference> differences, List<ReplayCount> counts)
    {
        switch (category)
        {
            case "waves":
                CompareSequence("waves", recorded, replayed, e => e.Kind is JournalKind.WaveStarted or JournalKind.WaveGate, DescribeWave, start, differences, counts);
                break;
            case "offers":
                CompareOffers(devices, recorded, replayed, start, differences, counts);
                break;
            case "pauses":
                CompareSequence("pauses", recorded, replayed, e => e.Kind is JournalKind.RolloutPaused or JournalKind.RolloutResumed or JournalKind.RolloutAborted,
                    e => $"{e.Kind.Name()} by {e.Actor}", start, differences, counts);
                break;
            case "alerts":
                var recordedAlerts = recorded.Where(e => e.Kind == JournalKind.AlertRaised).ToList();
                var replayedAlerts = WithoutUnrecordedIds(recordedAlerts, replayed.Where(e => e.Kind == JournalKind.AlertRaised));
                CompareSequence("alerts", recordedAlerts, replayedAlerts, _ => true, DescribeAlert, start, differences, counts);
                break;
            case "recovery":
                CompareRecovery(devices, recorded, replayed, start, differences, counts);
                break;
            case "final-state":
                CompareFinalStates(devices, recorded, replayed, differences, counts);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(category), category, "not a decision category");
        }
    }

    /// <summary>Formats a time as minutes since the release start, such as "+12.5 min".</summary>
    public static string At(long timeMs, long startMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{(timeMs - startMs) / 60_000.0:+0.0;-0.0} min");

    private static string DescribeWave(JournalEntry e) =>
        e.Kind == JournalKind.WaveStarted ? $"wave {e.Value} started" : $"wave {e.Value} gate {e.Status}";

    private static string DescribeAlert(JournalEntry e) => e.Status is null ? "alert" : $"alert {e.Status}";

    /// <summary>Drops the alert id of each replayed alert whose recorded counterpart has none, because a JSON-lines
    /// file may record an alert without its id and the ids then cannot differ.</summary>
    private static List<JournalEntry> WithoutUnrecordedIds(List<JournalEntry> recorded, IEnumerable<JournalEntry> replayed) =>
        replayed.Select((e, i) => i < recorded.Count && recorded[i].Status is null ? e with { Status = null } : e).ToList();

    private static void CompareSequence(
        string category, IReadOnlyList<JournalEntry> recorded, IReadOnlyList<JournalEntry> replayed, Func<JournalEntry, bool> select,
        Func<JournalEntry, string> describe, long start, List<ReplayDifference> differences, List<ReplayCount> counts)
    {
        var a = recorded.Where(select).ToList();
        var b = replayed.Where(select).ToList();
        counts.Add(new ReplayCount(category, a.Count, b.Count));
        for (var i = 0; i < Math.Max(a.Count, b.Count); i++)
        {
            var left = i < a.Count ? $"{describe(a[i])} at {At(a[i].TimeMs, start)}" : "none";
            var right = i < b.Count ? $"{describe(b[i])} at {At(b[i].TimeMs, start)}" : "none";
            if (left != right)
            {
                var time = Math.Min(i < a.Count ? a[i].TimeMs : long.MaxValue, i < b.Count ? b[i].TimeMs : long.MaxValue);
                differences.Add(new ReplayDifference(category, null, left, right, time));
            }
        }
    }

    private static void CompareOffers(
        int devices, IReadOnlyList<JournalEntry> recorded, IReadOnlyList<JournalEntry> replayed, long start,
        List<ReplayDifference> differences, List<ReplayCount> counts)
    {
        var a = PerDevice(devices, recorded, e => e.Kind == JournalKind.DeviceOffered);
        var b = PerDevice(devices, replayed, e => e.Kind == JournalKind.DeviceOffered);
        counts.Add(new ReplayCount("offers", a.Sum(list => list.Count), b.Sum(list => list.Count)));
        var found = new List<ReplayDifference>();
        for (var d = 0; d < devices; d++)
        {
            var left = DescribeOffers(a[d], start);
            var right = DescribeOffers(b[d], start);
            if (left != right)
            {
                found.Add(new ReplayDifference("offers", d, left, right, FirstTime(a[d], b[d])));
            }
        }

        differences.AddRange(found.OrderBy(diff => diff.TimeMs).ThenBy(diff => diff.Device));
    }

    private static string DescribeOffers(List<JournalEntry> offers, long start) =>
        offers.Count == 0 ? "not offered" : $"offered {offers.Count} time{(offers.Count == 1 ? "" : "s")}, first at {At(offers[0].TimeMs, start)}";

    private static void CompareRecovery(
        int devices, IReadOnlyList<JournalEntry> recorded, IReadOnlyList<JournalEntry> replayed, long start,
        List<ReplayDifference> differences, List<ReplayCount> counts)
    {
        var a = PerDevice(devices, recorded, e => e.Kind == JournalKind.RecoveryAction);
        var b = PerDevice(devices, replayed, e => e.Kind == JournalKind.RecoveryAction);
        counts.Add(new ReplayCount("recovery", a.Sum(list => list.Count), b.Sum(list => list.Count)));
        var found = new List<ReplayDifference>();
        for (var d = 0; d < devices; d++)
        {
            var left = DescribeRecovery(a[d], start);
            var right = DescribeRecovery(b[d], start);
            if (left != right)
            {
                found.Add(new ReplayDifference("recovery", d, left, right, FirstTime(a[d], b[d])));
            }
        }

        differences.AddRange(found.OrderBy(diff => diff.TimeMs).ThenBy(diff => diff.Device));
    }

    private static string DescribeRecovery(List<JournalEntry> actions, long start)
    {
        if (actions.Count == 0)
        {
            return "no recovery action";
        }

        const int shown = 4;
        var text = string.Join(", ", actions.Take(shown).Select(e => $"{e.Detail} by {e.Actor} at {At(e.TimeMs, start)}"));
        return actions.Count > shown ? $"{text} and {actions.Count - shown} more" : text;
    }

    private static void CompareFinalStates(
        int devices, IReadOnlyList<JournalEntry> recorded, IReadOnlyList<JournalEntry> replayed, List<ReplayDifference> differences,
        List<ReplayCount> counts)
    {
        var a = FinalStates(devices, recorded);
        var b = FinalStates(devices, replayed);
        for (var d = 0; d < devices; d++)
        {
            if (a[d] != b[d])
            {
                differences.Add(new ReplayDifference("final-state", d, a[d], b[d], null));
            }
        }

        // The count of this category is the devices that were offered at all, so it compares like the others.
        counts.Add(new ReplayCount("final-state", a.Count(state => state != NotOffered), b.Count(state => state != NotOffered)));
    }

    /// <summary>Returns each device's last recorded action state: the last action.state entry, else "offered" after
    /// an offer, else "not offered".</summary>
    public static string[] FinalStates(int devices, IReadOnlyList<JournalEntry> decisions)
    {
        var states = new string[devices];
        Array.Fill(states, NotOffered);
        foreach (var entry in decisions)
        {
            if (entry.Device < 0 || entry.Device >= devices)
            {
                continue;
            }

            if (entry.Kind == JournalKind.ActionState && entry.Status is { } status)
            {
                states[entry.Device] = status;
            }
            else if (entry.Kind == JournalKind.DeviceOffered)
            {
                states[entry.Device] = "offered";
            }
        }

        return states;
    }

    private static List<JournalEntry>[] PerDevice(int devices, IReadOnlyList<JournalEntry> entries, Func<JournalEntry, bool> select)
    {
        var result = new List<JournalEntry>[devices];
        for (var d = 0; d < devices; d++)
        {
            result[d] = [];
        }

        foreach (var entry in entries)
        {
            if (entry.Device >= 0 && entry.Device < devices && select(entry))
            {
                result[entry.Device].Add(entry);
            }
        }

        return result;
    }

    private static long? FirstTime(List<JournalEntry> a, List<JournalEntry> b)
    {
        var time = Math.Min(a.Count > 0 ? a[0].TimeMs : long.MaxValue, b.Count > 0 ? b[0].TimeMs : long.MaxValue);
        return time == long.MaxValue ? null : time;
    }
}
