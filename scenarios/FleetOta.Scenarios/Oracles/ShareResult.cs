using FleetOta.Journal;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Builds the result of a share criterion: measured share, Wilson interval, verdict and evidence.</summary>
internal static class ShareResult
{
    /// <summary>Evidence devices listed per criterion; the rest are counted in the summary.</summary>
    public const int EvidenceLimit = 10;

    /// <summary>Returns pass when the share meets the threshold, fail when it does not, and inconclusive when the
    /// sample is below <paramref name="minimumSample"/> or empty.</summary>
    public static CriterionResult Create(
        string id,
        string scope,
        int successes,
        int total,
        double threshold,
        int minimumSample,
        string what,
        IReadOnlyList<EvidenceDevice> evidence)
    {
        if (total == 0)
        {
            return new CriterionResult(id, scope, Verdict.Inconclusive, null, threshold, "share", 0, null, null,
                $"No {what}: nothing to measure.", evidence);
        }

        var share = (double)successes / total;
        var (low, high) = Wilson.Interval(successes, total);
        Verdict verdict;
        string summary;
        if (total < minimumSample)
        {
            verdict = Verdict.Inconclusive;
            summary = $"{successes} of {total} {what} ({share:P2}); at least {minimumSample} are needed for a verdict.";
        }
        else
        {
            verdict = share >= threshold ? Verdict.Pass : Verdict.Fail;
            summary = $"{successes} of {total} {what} ({share:P2}, 95% interval {low:P2} to {high:P2}); threshold {threshold:P2}.";
        }

        return new CriterionResult(id, scope, verdict, share, threshold, "share", total, low, high, summary, evidence);
    }

    /// <summary>Returns the first <see cref="EvidenceLimit"/> violating devices with their timelines, each limited to
    /// its time window when <paramref name="windows"/> gives one.</summary>
    public static List<EvidenceDevice> Evidence(
        JournalFacts facts, IReadOnlyList<(int Device, string Why)> violations, IReadOnlyDictionary<int, (long FromMs, long ToMs)>? windows = null)
    {
        var chosen = violations.Take(EvidenceLimit).ToList();
        var timelines = facts.Timelines(chosen.Select(v => v.Device).ToHashSet(), windows: windows);
        return chosen.Select(v => new EvidenceDevice(v.Device, facts.DeviceName(v.Device), v.Why, timelines[v.Device])).ToList();
    }
}
