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
            reached[d] = committed >= 0 && committed <= deadline && runningAtDeadline[d] == facts.NewVersion;
            if (reached[d])
            {
                successes++;
                commitTimes.Add(committed);
            }
            else
            {
                violations.Add((d, committed < 0 || committed > deadline
                    ? "active in the window but not committed on the new version by the deadline"
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

    /// <summary>Marks devices whose link was up at some moment in [start, end].</summary>
    internal static bool[] ActiveDevices(JournalFacts facts, long start, long end)
    {
        var up = new bool[facts.Devices];
        var active = new bool[facts.Devices];
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.TimeMs > end)
            {
                break;
            }

            if (entry.Device < 0 || entry.Kind is not (JournalKind.DeviceOnline or JournalKind.DeviceOffline))
            {
                continue;
            }

            up[entry.Device] = entry.Kind == JournalKind.DeviceOnline;
            if (up[entry.Device] && entry.TimeMs >= start)
            {
                active[entry.Device] = true;
            }
        }

        // A device whose link was already up when the window opened, and stayed up, is active too.
        var upAtStart = new bool[facts.Devices];
        foreach (var entry in facts.Journal.Entries)
        {
            if (entry.TimeMs > start)
            {
                break;
            }

            if (entry.Device >= 0 && entry.Kind is JournalKind.DeviceOnline or JournalKind.DeviceOffline)
            {
                upAtStart[entry.Device] = entry.Kind == JournalKind.DeviceOnline;
            }
        }

        for (var d = 0; d < facts.Devices; d++)
        {
            active[d] |= upAtStart[d];
        }

        return active;
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
