using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>One expectation of a scenario compared with the release-scope verdict of its criterion.</summary>
/// <param name="Criterion">Criterion id, such as "reach".</param>
/// <param name="Expected">Verdict the scenario expects.</param>
/// <param name="Actual">Release-scope verdict, or null when the results contain no release-scope result for the criterion.</param>
/// <param name="Met">True when <paramref name="Actual"/> equals <paramref name="Expected"/>.</param>
public sealed record ExpectationCheck(string Criterion, Verdict Expected, Verdict? Actual, bool Met);

/// <summary>Decides whether a scenario passed: every expectation must equal the release-scope verdict of its criterion.</summary>
public static class ScenarioOutcome
{
    /// <summary>Scope of the results that expectations are checked against.</summary>
    public const string ReleaseScope = "release";

    /// <summary>The release-gate criteria in report order.</summary>
    public static IReadOnlyList<string> CriterionOrder { get; } = ["reach", "success", "rollback", "recovery", "rollout-control"];

    /// <summary>Returns the release-scope results in report order: the known criteria first, then any others by id.</summary>
    public static IReadOnlyList<CriterionResult> ReleaseResults(ScenarioReport report) =>
        report.Results
            .Where(result => result.Scope == ReleaseScope)
            .OrderBy(result => CriterionRank(result.Id))
            .ThenBy(result => result.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Returns the results whose scope is not "release", such as "wave 2", ordered by scope and criterion.</summary>
    public static IReadOnlyList<CriterionResult> OtherResults(ScenarioReport report) =>
        report.Results
            .Where(result => result.Scope != ReleaseScope)
            .OrderBy(result => result.Scope.Length)
            .ThenBy(result => result.Scope, StringComparer.Ordinal)
            .ThenBy(result => CriterionRank(result.Id))
            .ThenBy(result => result.Id, StringComparer.Ordinal)
            .ToList();

    /// <summary>Compares every expectation with its release-scope verdict, in report order so that output never
    /// depends on dictionary enumeration order.</summary>
    public static IReadOnlyList<ExpectationCheck> Expectations(ScenarioReport report)
    {
        var releaseResults = ReleaseResults(report);
        var checks = new List<ExpectationCheck>();
        foreach (var criterion in report.Expected.Keys.OrderBy(CriterionRank).ThenBy(id => id, StringComparer.Ordinal))
        {
            var expected = report.Expected[criterion];
            var actual = releaseResults.FirstOrDefault(result => result.Id == criterion)?.Verdict;
            checks.Add(new ExpectationCheck(criterion, expected, actual, actual == expected));
        }

        return checks;
    }

    /// <summary>Returns the expectation for a criterion, or null when the scenario sets none.</summary>
    public static ExpectationCheck? ExpectationFor(ScenarioReport report, string criterion) =>
        report.Expected.ContainsKey(criterion)
            ? Expectations(report).First(check => check.Criterion == criterion)
            : null;

    /// <summary>Returns true when every expectation is met. A scenario without expectations passes.</summary>
    public static bool Passed(ScenarioReport report) => Expectations(report).All(check => check.Met);

    /// <summary>Returns the lower-case verdict name used in every output file: "pass", "fail" or "inconclusive".</summary>
    public static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "pass",
        Verdict.Fail => "fail",
        Verdict.Inconclusive => "inconclusive",
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, "Unknown verdict."),
    };

    private static int CriterionRank(string id)
    {
        for (var i = 0; i < CriterionOrder.Count; i++)
        {
            if (CriterionOrder[i] == id)
            {
                return i;
            }
        }

        return CriterionOrder.Count;
    }
}
