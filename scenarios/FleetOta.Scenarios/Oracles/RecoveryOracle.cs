using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Recovery: per update-caused incident (failed, rolled back, degraded, or stuck without a bootable slot),
/// whether a remote action (automatic or operator) brought the device to a healthy supported version within the
/// window. An incident counts as resolved when, after a recovery action on the device, the server received a
/// success report on the new or the previous version.</summary>
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

    private static List<Incident> FindIncidents(JournalFacts facts, CriteriaThresholds criteria)
    {
        var start = new long[facts.Devices];
        var actionAfter = new long[facts.Devices];
        var resolvedAt = new long[facts.Devices];
        Array.Fill(start, -1);
        Array.Fill(actionAfter, -1);
        Array.Fill(resolvedAt, -1);
        foreach (var entry in facts.Journal.Entries)
        {
            var d = entry.Device;
            if (d < 0)
            {
                continue;
            }

            switch (entry.Kind)
            {
                case JournalKind.FailureDetected when start[d] < 0 && entry.Detail is { } why && !NotIncidents.Contains(why):
                case JournalKind.Degraded when start[d] < 0:
                case JournalKind.Boot when start[d] < 0 && entry.Status == "none":
                    start[d] = entry.TimeMs;
                    break;
                case JournalKind.RecoveryAction when start[d] >= 0 && actionAfter[d] < 0:
                    actionAfter[d] = entry.TimeMs;
                    break;
                case JournalKind.MessageDelivered when actionAfter[d] >= 0 && resolvedAt[d] < 0 && entry.Actor == "server"
                                                       && IsHealthyConfirmation(entry, facts):
                    resolvedAt[d] = entry.TimeMs;
                    break;
            }
        }

        var incidents = new List<Incident>();
        for (var d = 0; d < facts.Devices; d++)
        {
            if (start[d] < 0)
            {
                continue;
            }

            var deadline = start[d] + criteria.RecoveryWithinMs;
            var resolved = resolvedAt[d] >= 0 && resolvedAt[d] <= deadline ? resolvedAt[d] : -1;
            incidents.Add(new Incident(d, start[d], resolved, Censored: resolved < 0 && deadline > facts.EndMs));
        }

        return incidents;
    }

    private static bool IsHealthyConfirmation(in JournalEntry entry, JournalFacts facts)
    {
        var supported = entry.Version == facts.NewVersion || entry.Version == facts.PreviousVersion;
        return supported && entry.Status == "status" && entry.Detail == "succeeded";
    }
}
