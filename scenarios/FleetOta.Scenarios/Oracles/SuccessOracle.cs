using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>Success: per wave, the share of devices offered the update that end committed on the new version
/// with no operator action on that device. A device whose committed image crashed does not count as ended on the
/// new version: it keeps rebooting. The release passes when every wave passes, and its figure (share, interval and
/// sample) is that of the lowest wave, so the three always belong together.</summary>
public static class SuccessOracle
{
    public sealed record Outcome(CriterionResult Release, IReadOnlyList<CriterionResult> Waves, int[] Offered);

    public static Outcome Evaluate(JournalFacts facts, CriteriaThresholds criteria)
    {
        var waves = facts.WaveCount;
        var offered = new int[waves + 1];
        var succeeded = new int[waves + 1];
        var violations = Enumerable.Range(0, waves + 1).Select(_ => new List<(int, string)>()).ToArray();
        for (var d = 0; d < facts.Devices; d++)
        {
            var wave = facts.Wave[d];
            if (wave <= 0)
            {
                continue;
            }

            offered[wave]++;
            var ok = facts.FirstCommitMs[d] >= 0 && facts.LastBootVersion[d] == facts.NewVersion && !facts.OperatorTouched[d]
                     && !facts.CrashedAfterCommit[d];
            if (ok)
            {
                succeeded[wave]++;
            }
            else
            {
                violations[wave].Add((d, facts.OperatorTouched[d] ? "needed an operator action"
                    : facts.FirstCommitMs[d] < 0 ? "never committed the new version"
                    : facts.CrashedAfterCommit[d] ? "committed the new version, which then crashed"
                    : $"ended on {facts.LastBootVersion[d]}"));
            }
        }

        var perWave = new List<CriterionResult>();
        for (var w = 1; w <= waves; w++)
        {
            if (offered[w] == 0)
            {
                continue;
            }

            perWave.Add(ShareResult.Create(CriterionIds.Success, $"wave {w}", succeeded[w], offered[w], criteria.Success, 1,
                $"devices offered in wave {w} that ended committed without operator action", ShareResult.Evidence(facts, violations[w])));
        }

        return new Outcome(Combine(perWave, criteria, facts, violations), perWave, offered);
    }

    private static CriterionResult Combine(List<CriterionResult> perWave, CriteriaThresholds criteria, JournalFacts facts, List<(int, string)>[] violations)
    {
        if (perWave.Count == 0)
        {
            return new CriterionResult(CriterionIds.Success, "release", Verdict.Inconclusive, null, criteria.Success, "share", 0, null, null,
                "No device was offered the update: no wave to measure.", []);
        }

        var worst = perWave.OrderBy(result => result.Measured ?? 1).First();
        var verdict = perWave.Any(result => result.Verdict == Verdict.Fail) ? Verdict.Fail
            : perWave.Any(result => result.Verdict == Verdict.Inconclusive) ? Verdict.Inconclusive
            : Verdict.Pass;
        var failing = perWave.Where(result => result.Verdict == Verdict.Fail).Select(result => result.Scope).ToList();
        var offered = perWave.Sum(result => result.Sample);
        var lowest = $"the lowest was {worst.Scope} at {worst.Measured:P2} ({worst.Sample} devices, 95% interval {worst.IntervalLow:P2} to " +
                     $"{worst.IntervalHigh:P2}); {offered} devices were offered in {perWave.Count} waves";
        var summary = verdict == Verdict.Pass
            ? $"Every wave met {criteria.Success:P2}; {lowest}."
            : $"{string.Join(", ", failing)} below {criteria.Success:P2}; {lowest}.";
        var evidence = ShareResult.Evidence(facts, violations.SelectMany(list => list).ToList());
        return worst with { Scope = "release", Verdict = verdict, Summary = summary, Evidence = evidence };
    }
}
