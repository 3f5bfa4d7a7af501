using FleetOta.Journal;

namespace FleetOta.Reports.Tests;

/// <summary>Scenario reports built in code for the tests, with every section filled.</summary>
internal static class SampleReports
{
    public static readonly Thresholds DefaultThresholds = new(
        Reach: 0.99, ReachWindowHours: 48, Success: 0.985, RollbackShare: 0.999, RollbackSeconds: 120,
        RollbackMinimumSample: 500, Recovery: 0.995, RecoveryWindowHours: 24, FaultRateLimit: 0.005, FaultWindowMinutes: 30,
        PauseWithinMinutes: 10, AlertWithinMinutes: 5);

    public const string Description = "Critical faults <after> the \"update\" & a late pause";

    /// <summary>A failing scenario: success and rollout-control miss their expectations, rollback is inconclusive
    /// as expected, and there are per-wave results, evidence, marks and every series.</summary>
    public static ScenarioReport Failing() => new(
        Run("slow-burn-faults", "r-2026.11", "2.4.0", "2.3.7", seed: 20261101),
        DefaultThresholds,
        [
            Result("reach", Verdict.Pass, 0.9942, 0.99, "share", 9870, 0.9925, 0.9955, "99.42% of 9,870 active devices run 2.4.0 after 48 h."),
            Result("success", Verdict.Fail, 0.9790, 0.985, "share", 10000, 0.9760, 0.9817, "Wave 2 ended with 97.9% success.", Evidence(12, "ended on 2.3.7 after a health check failure")),
            Result("rollback", Verdict.Inconclusive, 1.0, 0.999, "share", 212, 0.9822, 1.0, "All 212 rollbacks were in time, but 500 failure devices are needed."),
            Result("recovery", Verdict.Pass, 0.9960, 0.995, "share", 250, 0.9857, 0.9989, "249 of 250 incidents were resolved remotely within 24 h."),
            Result("rollout-control", Verdict.Fail, 780, 600, "s", 1, null, null, "The rollout paused 13 min after the breach.", Evidence(2, "kept updating after the breach")),
            Result("success", Verdict.Pass, 0.9950, 0.985, "share", 1000, 0.9884, 0.9979, "Wave 1 met the gate.", scope: "wave 1"),
            Result("success", Verdict.Fail, 0.9790, 0.985, "share", 4000, 0.9742, 0.9830, "Wave 2 missed the gate.", Evidence(3, "health check failed"), scope: "wave 2"),
            Result("success", Verdict.Pass, 0.9910, 0.985, "share", 5000, 0.9881, 0.9933, "Wave 3 met the gate.", scope: "wave 3"),
        ],
        new Dictionary<string, Verdict>
        {
            ["rollout-control"] = Verdict.Pass,
            ["reach"] = Verdict.Pass,
            ["success"] = Verdict.Pass,
            ["rollback"] = Verdict.Inconclusive,
            ["recovery"] = Verdict.Pass,
        },
        [
            new WaveRow(1, 1000, 0.998, 0.9950, 1.0, 0.0010, 1.0),
            new WaveRow(2, 4000, 0.993, 0.9790, 1.0, 0.0082, 0.996),
            new WaveRow(3, 5000, 0.9931, 0.9910, null, 0.0021, 0.995),
        ],
        FullSeries(),
        [new TimeMark("breach", 62), new TimeMark("alerted", 66.5), new TimeMark("paused", 75)],
        "runs/20261101/r-2026.11/slow-burn-faults/journal.sqlite");

    /// <summary>A passing scenario of another release, for the index page and the combined JUnit file.</summary>
    public static ScenarioReport Passing() => new(
        Run("power-cut-during-write", "r-2026.12", "2.5.0", "2.4.0", seed: 7),
        DefaultThresholds,
        [
            Result("reach", Verdict.Pass, 0.995, 0.99, "share", 5000, 0.9926, 0.9966, "99.5% of active devices run 2.5.0."),
            Result("success", Verdict.Pass, 0.990, 0.985, "share", 5000, 0.9870, 0.9924, "Every wave met the gate."),
            Result("rollback", Verdict.Pass, 0.9995, 0.999, "share", 2000, 0.9972, 0.9999, "1,999 of 2,000 rollbacks were in time."),
            Result("recovery", Verdict.Pass, 1.0, 0.995, "share", 40, 0.9124, 1.0, "All incidents were resolved remotely."),
            Result("rollout-control", Verdict.Pass, 0, 600, "s", 0, null, null, "The fault rate never exceeded the limit and the rollout never paused."),
        ],
        new Dictionary<string, Verdict> { ["reach"] = Verdict.Pass, ["rollback"] = Verdict.Pass },
        [new WaveRow(1, 500, 0.998, 0.992, 0.9995, 0.001, 1.0), new WaveRow(2, 4500, 0.995, 0.990, 0.9995, 0.002, 1.0)],
        FullSeries(),
        [],
        "runs/7/r-2026.12/power-cut-during-write/journal.sqlite");

    /// <summary>The failing report with every series, wave, mark and evidence list empty.</summary>
    public static ScenarioReport Empty() => Failing() with
    {
        Results = Failing().Results.Select(result => result with { Evidence = [] }).ToList(),
        Waves = [],
        Series = new ReportSeries([], [], [], [], []),
        Marks = [],
    };

    public static RunInfo Run(string scenario, string release, string version, string previous, long seed) => new(
        scenario, Description, release, version, previous, seed, "3f2a9c1d",
        $"dotnet run --project scenarios/FleetOta.Cli -- run {scenario} --seed {seed} --out 'runs/a b'",
        "simulation", 10000, 8421, "2026-11-01T12:00:00Z");

    public static CriterionResult Result(
        string id, Verdict verdict, double? measured, double threshold, string unit, int sample, double? low, double? high,
        string summary, IReadOnlyList<EvidenceDevice>? evidence = null, string scope = "release") =>
        new(id, scope, verdict, measured, threshold, unit, sample, low, high, summary, evidence ?? []);

    public static IReadOnlyList<EvidenceDevice> Evidence(int count, string why) =>
        Enumerable.Range(0, count)
            .Select(i => new EvidenceDevice(
                100 + i,
                $"dev-{100 + i:D5}",
                why,
                [
                    $"00:{10 + i:D2}:00.000 device.offered release=r-2026.11",
                    $"00:{12 + i:D2}:30.500 boot slot=B trial=1",
                    $"00:{13 + i:D2}:10.000 health.check status=failed <timeout>",
                    $"00:{13 + i:D2}:40.000 bootloader.fallback slot=A",
                ]))
            .ToList();

    public static ReportSeries FullSeries()
    {
        var reach = Enumerable.Range(0, 51).Select(hour => new SeriesPoint(hour, Math.Min(0.9942, 1 - Math.Exp(-hour / 6.0)))).ToList();
        var rollback = Enumerable.Range(0, 212).Select(i => 20 + (i * 0.45) + (i % 7)).ToList();
        var faultRate = Enumerable.Range(0, 181)
            .Select(minute => new SeriesPoint(minute, minute < 40 ? 0.001 : Math.Max(0.001, 0.009 - (Math.Abs(minute - 80) * 0.0002))))
            .ToList();
        var open = Enumerable.Range(0, 31).Select(hour => new SeriesPoint(hour, Math.Max(0, 40 - (hour * 1.5)) + (hour < 3 ? hour * 5 : 0))).ToList();
        var resolved = Enumerable.Range(0, 31).Select(hour => new SeriesPoint(hour, Math.Min(249, hour * 10.0))).ToList();
        return new ReportSeries(reach, rollback, faultRate, open, resolved);
    }
}
