using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Reach: share of active targeted devices running and committed on the new version within the window
/// after the release start. Active means online at least once inside the window.</summary>
public static class ReachOracle
{
    public sealed record Outcome(CriterionResult Result, bool[] Active, bool[] Reached, List<(double Hours, double Share)> OverTime);

    public static Outcome Evaluate(JournalFacts facts, CriteriaThresholds criteria)
    {
        var start = Math.Max(facts.ReleaseStartMs, 0);
        var deadline = start + criteria.ReachWindowMs;
        var active = ActiveDevices(facts, start, deadline);
        var runningAtDeadline = RunningVersionAt(facts, deadline);
        var reached = new bool[facts.Devices];
        var violations = new List<(int, string)>();
        int population = 0, successes = 0;
        var commitTimes = new List<long>();
        for (var d = 0; d < facts.Devices; d++)
        {
            if (!facts.Targeted[d] || !active[d])
            {
                continue;
            }

            population++;
            var committed = facts.FirstCommitMs[d];
            reached[d] = committed >= 0 && committed <= deadline && runningAtDeadline[d] == facts.NewVersion && !facts.CrashedAfterCommit[d];
            if (reached[d])
            {
                successes++;
                commitTimes.Add(committed);
            }
            else
            {
                violations.Add((d, committed < 0 || committed > deadline
                    ? "active in the window but not committed on the new version by the deadline"
                    : facts.CrashedAfterCommit[d] ? "committed the new version, which then crashed"
                    : $"committed, but ran {runningAtDeadline[d]} at the deadline"));
            }
        }

        var result = ShareResult.Create(CriterionIds.Reach, "release", successes, population, criteria.Reach, 1,
            $"active targeted devices on {facts.NewVersion} within {criteria.ReachWindowMs / 3_600_000.0:0.#} h",
            ShareResult.Evidence(facts, violations));
        return new Outcome(result, active, reached, OverTime(commitTimes, population, start, deadline));
    }

    private static List<(double, double)> OverTime(List<long> commitTimes, int population, long start, long deadline)
    {
        commitTimes.Sort();
        var points = new List<(double, double)> { (0, 0) };
        if (population == 0)
        {
            return points;
        }

        var step = Math.Max((deadline - start) / 96, 1);
        var index = 0;
        for (var t = start; t <= deadline; t += step)
        {
            while (index < commitTimes.Count && commitTimes[index] <= t)
            {
                index++;
            }

            points.Add(((t - start) / 3_600_000.0, (double)index / population));
        }

        return points;
    }

    /// <summary>Marks devices that were online at some moment in [start, end]: powered, link up and not cut off by
    /// a partition. Devices start powered, and the journal records every later change.</summary>
    internal static bool[] ActiveDevices(JournalFacts facts, long start, long end)
    {
        var linkUp = new bool[facts.Devices];
        var partitioned = new bool[facts.Devices];
        var powered = new bool[facts.Devices];
        Array.Fill(powered, true);
        var active = new bool[facts.Devices];
        var windowOpen = false;
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.TimeMs > end)
            {
                break;
            }

            if (!windowOpen && entry.TimeMs >= start)
            {
                // Devices online when the window opens are active, whatever happens later.
                windowOpen = true;
                MarkOnline(active, linkUp, partitioned, powered);
            }

            var d = entry.Device;
            if (d < 0)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalKind.DeviceOnline or JournalKind.DeviceOffline:
                    linkUp[d] = entry.Kind == JournalKind.DeviceOnline;
                    break;
                case JournalKind.PartitionStart or JournalKind.PartitionEnd:
                    partitioned[d] = entry.Kind == JournalKind.PartitionStart;
                    break;
                case JournalKind.PowerCut or JournalKind.PowerRestore:
                    powered[d] = entry.Kind == JournalKind.PowerRestore;
                    break;
                default:
                    continue;
            }

            if (windowOpen && linkUp[d] && !partitioned[d] && powered[d])
            {
                active[d] = true;
            }
        }

        if (!windowOpen)
        {
            MarkOnline(active, linkUp, partitioned, powered);
        }

        return active;
    }

    private static void MarkOnline(bool[] active, bool[] linkUp, bool[] partitioned, bool[] powered)
    {
        for (var d = 0; d < active.Length; d++)
        {
            active[d] |= linkUp[d] && !partitioned[d] && powered[d];
        }
    }

    private static string[] RunningVersionAt(JournalFacts facts, long time)
    {
        var running = new string[facts.Devices];
        Array.Fill(running, facts.PreviousVersion);
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.TimeMs > time)
            {
                break;
            }

            if (entry.Kind == JournalKind.Boot && entry.Device >= 0 && entry.Status is "A" or "B")
            {
                running[entry.Device] = entry.Version ?? "";
            }
        }

        return running;
    }
}
