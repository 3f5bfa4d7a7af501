using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Rollback: per failed update attempt after the trial reboot, the time from failure detection (or power
/// restoration, whichever is later) until the previous version runs again and has sent a heartbeat. At least
/// <see cref="CriteriaThresholds.RollbackMinimumDevices"/> failure devices are needed for a verdict other than
/// inconclusive.</summary>
public static class RollbackOracle
{
    /// <summary>One failure case; <see cref="DurationMs"/> is -1 when the device never got back.</summary>
    public sealed record Case(int Device, long StartMs, long DurationMs);

    public sealed record Outcome(CriterionResult Result, IReadOnlyList<Case> Cases);

    private static readonly HashSet<string> TrialFailures = new(StringComparer.Ordinal) { "health check failed", "boot failed" };

    public static Outcome Evaluate(JournalFacts facts, CriteriaThresholds criteria)
    {
        var cases = FindCases(facts);
        var devices = cases.Select(c => c.Device).Distinct().Count();
        var within = cases.Count(c => c.DurationMs >= 0 && c.DurationMs <= criteria.RollbackWithinMs);
        var slow = cases.Where(c => c.DurationMs < 0 || c.DurationMs > criteria.RollbackWithinMs)
            .OrderByDescending(c => c.DurationMs < 0 ? long.MaxValue : c.DurationMs)
            .ToList();
        var violations = slow
            .Select(c => (c.Device, c.DurationMs < 0 ? "never back on the previous version with a heartbeat" : $"back after {c.DurationMs / 1000.0:0.0} s"))
            .ToList();
        // Each timeline shows its case: from a while before the failure until just after the heartbeat that ended it.
        var windows = new Dictionary<int, (long, long)>();
        foreach (var c in slow.Take(ShareResult.EvidenceLimit))
        {
            windows.TryAdd(c.Device, (c.StartMs - 15 * 60_000, c.DurationMs < 0 ? long.MaxValue : c.StartMs + c.DurationMs + 60_000));
        }

        var result = ShareResult.Create(CriterionIds.Rollback, "release", within, cases.Count, criteria.Rollback, 0,
            $"failure cases back on the previous version within {criteria.RollbackWithinMs / 1000.0:0} s",
            ShareResult.Evidence(facts, violations, windows));
        if (cases.Count > 0 && devices < criteria.RollbackMinimumDevices)
        {
            result = result with
            {
                Verdict = Verdict.Inconclusive,
                Summary = result.Summary + $" Only {devices} failure devices; at least {criteria.RollbackMinimumDevices} are needed for a verdict.",
            };
        }
        else if (cases.Count == 0)
        {
            result = result with
            {
                Summary = $"No failed update attempt after a trial reboot; at least {criteria.RollbackMinimumDevices} failure devices are needed for a verdict.",
            };
        }

        return new Outcome(result, cases);
    }

    /// <summary>Finds the failure cases. A case opens at the first sign of failure of a trial boot of the new image:
    /// the image crashed (ground truth), or the agent detected a failed health check or a bootloader fallback. It
    /// opens later if power was off then, and closes at the first heartbeat the device sends on the previous
    /// version.</summary>
    private static List<Case> FindCases(JournalFacts facts)
    {
        var cases = new List<Case>();
        var openStart = new long[facts.Devices];
        var lastFallback = new long[facts.Devices];
        var inTrial = new bool[facts.Devices];
        var powered = new bool[facts.Devices];
        Array.Fill(openStart, -1);
        Array.Fill(lastFallback, -1);
        Array.Fill(powered, true);
        foreach (var entry in facts.Journal.Entries)
        {
            var d = entry.Device;
            if (d < 0)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalKind.Boot when entry.Status is "A" or "B":
                    inTrial[d] = entry.Detail == "trial";
                    if (inTrial[d])
                    {
                        lastFallback[d] = -1;
                    }

                    break;
                case JournalKind.BootloaderFallback:
                    lastFallback[d] = entry.TimeMs;
                    break;
                case JournalKind.PowerCut:
                    powered[d] = false;
                    break;
                case JournalKind.PowerRestore:
                    powered[d] = true;
                    if (openStart[d] >= 0 && openStart[d] < entry.TimeMs)
                    {
                        openStart[d] = entry.TimeMs;
                    }

                    break;
                case JournalKind.DeviceFault when entry.Status == "crash" && inTrial[d] && entry.Version == facts.NewVersion && openStart[d] < 0:
                    openStart[d] = entry.TimeMs;
                    break;
                case JournalKind.FailureDetected when entry.Status == "rolled-back" && entry.Detail is { } why && TrialFailures.Contains(why)
                                                      && openStart[d] < 0:
                    openStart[d] = why == "boot failed" && lastFallback[d] >= 0 ? lastFallback[d] : entry.TimeMs;
                    break;
                case JournalKind.MessageSent when openStart[d] >= 0 && powered[d] && entry.Status == "heartbeat" && entry.Actor == "device"
                                                  && entry.Version == facts.PreviousVersion:
                    cases.Add(new Case(d, openStart[d], entry.TimeMs - openStart[d]));
                    openStart[d] = -1;
                    break;
            }
        }

        for (var d = 0; d < facts.Devices; d++)
        {
            if (openStart[d] >= 0)
            {
                cases.Add(new Case(d, openStart[d], -1));
            }
        }

        return cases;
    }
}
