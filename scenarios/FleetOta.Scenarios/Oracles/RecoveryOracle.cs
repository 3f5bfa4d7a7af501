using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Recovery: per update-caused incident (failed, rolled back, stuck, degraded, silent after update),
/// whether a remote action (automatic or operator) brought the device to a healthy supported version within the
/// window. Incidents whose window had not closed when the run ended, and that were not resolved, are left out.</summary>
public static class RecoveryOracle
{
    /// <summary>One incident; <see cref="ResolvedMs"/> is -1 when unresolved, <see cref="Censored"/> when the run ended
    /// before its window closed.</summary>
    public sealed record Incident(int Device, long StartMs, long ResolvedMs, bool Censored);

    public sealed record Outcome(CriterionResult Result, IReadOnlyList<Incident> Incidents);

    private static readonly HashSet<string> NotIncidents = new(StringComparer.Ordinal) { "cancelled", "rollback requested" };

    public static Outcome Evaluate(JournalFacts facts, CriteriaThresholds criteria)
    {
        var incidents = FindIncidents(facts, criteria);
        var judged = incidents.Where(incident => !incident.Censored).ToList();
        var resolved = judged.Count(incident => incident.ResolvedMs >= 0);
        var violations = judged.Where(incident => incident.ResolvedMs < 0)
            .Select(incident => (incident.Device, $"incident at {incident.StartMs / 60_000.0:0.0} min not resolved remotely within {criteria.RecoveryWithinMs / 3_600_000.0:0.#} h"))
            .ToList();
        var result = ShareResult.Create(CriterionIds.Recovery, "release", resolved, judged.Count, criteria.Recovery, 1,
            $"update-caused incidents resolved remotely within {criteria.RecoveryWithinMs / 3_600_000.0:0.#} h",
            ShareResult.Evidence(facts, violations));
        var censored = incidents.Count - judged.Count;
        if (censored > 0)
        {
            result = result with { Summary = result.Summary + $" {censored} more incidents started too late for their window to close inside the run." };
        }

        return new Outcome(result, incidents);
    }

    /// <summary>Finds the incidents. One opens at a failed or rolled-back attempt, a degraded device, a device left
    /// without a bootable slot, a committed new image that crashes (stuck), or a device the controller timed out as
    /// silent after its update. It is resolved when, after a recovery action on the device, the server receives a
    /// success report on a supported version (new or previous), or after a forced rollback a healthy heartbeat on
    /// the previous version. A silent device needs no action: being heard again with a success report resolves it.
    /// After a resolution the device can have a new incident.</summary>
    private static List<Incident> FindIncidents(JournalFacts facts, CriteriaThresholds criteria)
    {
        var incidents = new List<Incident>();
        var start = new long[facts.Devices];
        var silent = new bool[facts.Devices];
        var actionAt = new long[facts.Devices];
        var forcedRollback = new bool[facts.Devices];
        var committedNew = new bool[facts.Devices];
        Array.Fill(start, -1);
        Array.Fill(actionAt, -1);

        void Open(int device, long time, bool isSilent)
        {
            if (start[device] >= 0)
            {
                return;
            }

            start[device] = time;
            silent[device] = isSilent;
            actionAt[device] = -1;
            forcedRollback[device] = false;
        }

        void Close(int device, long time)
        {
            var deadline = start[device] + criteria.RecoveryWithinMs;
            incidents.Add(new Incident(device, start[device], time <= deadline ? time : -1, Censored: false));
            start[device] = -1;
        }

        foreach (var entry in facts.Journal.Entries)
        {
            var d = entry.Device;
            if (d < 0)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalKind.FailureDetected when entry.Detail is { } why && !NotIncidents.Contains(why):
                case JournalKind.Degraded:
                case JournalKind.Boot when entry.Status == "none":
                    Open(d, entry.TimeMs, isSilent: false);
                    break;
                case JournalKind.Committed:
                    committedNew[d] = entry.Version == facts.NewVersion;
                    break;
                case JournalKind.DeviceFault when entry.Status == "crash" && committedNew[d] && entry.Version == facts.NewVersion:
                    Open(d, entry.TimeMs, isSilent: false);
                    break;
                case JournalKind.ActionState when entry.Status == "timed-out":
                    Open(d, entry.TimeMs, isSilent: true);
                    break;
                case JournalKind.RecoveryAction when start[d] >= 0:
                    actionAt[d] = actionAt[d] < 0 ? entry.TimeMs : actionAt[d];
                    forcedRollback[d] |= entry.Detail == "force-rollback";
                    break;
                case JournalKind.MessageDelivered when start[d] >= 0 && entry.Actor == "server"
                                                       && (actionAt[d] >= 0 || silent[d]) && IsHealthyConfirmation(entry, facts, forcedRollback[d]):
                    Close(d, entry.TimeMs);
                    break;
            }
        }

        for (var d = 0; d < facts.Devices; d++)
        {
            if (start[d] >= 0)
            {
                var deadline = start[d] + criteria.RecoveryWithinMs;
                incidents.Add(new Incident(d, start[d], -1, Censored: deadline > facts.EndMs));
            }
        }

        incidents.Sort((a, b) => a.StartMs != b.StartMs ? a.StartMs.CompareTo(b.StartMs) : a.Device.CompareTo(b.Device));
        return incidents;
    }

    private static bool IsHealthyConfirmation(in JournalEntry entry, JournalFacts facts, bool forcedRollback)
    {
        if (entry.Status == "status")
        {
            var supported = entry.Version == facts.NewVersion || entry.Version == facts.PreviousVersion;
            return supported && entry.Detail == "succeeded";
        }

        return forcedRollback && entry.Status == "heartbeat" && entry.Detail == "healthy" && entry.Version == facts.PreviousVersion;
    }
}
