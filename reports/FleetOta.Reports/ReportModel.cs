using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>How a scenario run was made, printed in every report so that the run can be reproduced.</summary>
/// <param name="Scenario">Scenario id from the scenario catalogue, such as "power-cut-during-write".</param>
/// <param name="Description">One sentence from the scenario file that says what the scenario tests.</param>
/// <param name="ReleaseId">Id of the release that the run rolled out.</param>
/// <param name="Version">Software version of that release.</param>
/// <param name="PreviousVersion">Version the targeted devices ran before the release.</param>
/// <param name="Seed">Seed of the run. The scenario file, seed and commit together reproduce a simulation run.</param>
/// <param name="Commit">Git commit of the harness that made the run.</param>
/// <param name="Command">Command line that reproduces the run.</param>
/// <param name="Host">Host that ran the scenario: "simulation" or "live".</param>
/// <param name="Devices">Number of emulated devices in the fleet.</param>
/// <param name="DurationMs">Wall-clock duration of the run in milliseconds.</param>
/// <param name="GeneratedAt">Time the report was generated, as an ISO 8601 string. The caller supplies it
/// so that report code never reads the clock.</param>
public sealed record RunInfo(string Scenario, string Description, string ReleaseId, string Version, string PreviousVersion,
    long Seed, string Commit, string Command, string Host, int Devices, long DurationMs, string GeneratedAt);

/// <summary>One point of a chart series. The series that contains it defines the units of X and Y.</summary>
public sealed record SeriesPoint(double X, double Y);

/// <summary>A named moment drawn as a vertical line on time charts, such as "breach", "paused" or "alerted".</summary>
/// <param name="Label">Short name shown next to the line.</param>
/// <param name="Minutes">Time in minutes since release start.</param>
public sealed record TimeMark(string Label, double Minutes);

/// <summary>Per-wave figures for the compliance dashboard. Shares are 0..1, and null means not measured for that wave.</summary>
/// <param name="Wave">Wave number, starting at 1.</param>
/// <param name="Offered">Number of devices offered the update in this wave.</param>
/// <param name="Reach">Share of the wave's active devices running and committed on the new version.</param>
/// <param name="Success">Share of offered devices that ended committed with no operator action on that device.</param>
/// <param name="Rollback">Share of the wave's failure cases rolled back within the rollback time limit.</param>
/// <param name="PeakFaultRate">Highest critical-fault rate over the sliding window while the wave was open.</param>
/// <param name="Recovery">Share of the wave's update-caused incidents resolved remotely within the recovery window.</param>
public sealed record WaveRow(int Wave, int Offered, double? Reach, double? Success, double? Rollback, double? PeakFaultRate, double? Recovery);

/// <summary>Data for the report charts. Any list may be empty, and the chart then shows a "no data" note.</summary>
/// <param name="ReachOverTime">X: hours since release start. Y: share 0..1 of active targeted devices on the new version.</param>
/// <param name="RollbackSeconds">Rollback time in seconds, one value per failure case.</param>
/// <param name="FaultRateOverTime">X: minutes since release start. Y: critical-fault rate 0..1 over the sliding window.</param>
/// <param name="IncidentsOpen">X: hours since release start. Y: number of update-caused incidents open.</param>
/// <param name="IncidentsResolved">X: hours since release start. Y: cumulative number of incidents resolved remotely.</param>
public sealed record ReportSeries(
    IReadOnlyList<SeriesPoint> ReachOverTime,
    IReadOnlyList<double> RollbackSeconds,
    IReadOnlyList<SeriesPoint> FaultRateOverTime,
    IReadOnlyList<SeriesPoint> IncidentsOpen,
    IReadOnlyList<SeriesPoint> IncidentsResolved);

/// <summary>The release-gate thresholds the run was judged against. Shares and rates are 0..1.</summary>
/// <param name="Reach">Minimum share of active targeted devices on the new version (default 0.99).</param>
/// <param name="ReachWindowHours">Hours after release start within which reach is measured (default 48).</param>
/// <param name="Success">Minimum success share per wave (default 0.985).</param>
/// <param name="RollbackShare">Minimum share of failure cases that roll back in time (default 0.999).</param>
/// <param name="RollbackSeconds">Maximum rollback time in seconds (default 120).</param>
/// <param name="RollbackMinimumSample">Failure devices needed for a rollback verdict other than inconclusive (default 500).</param>
/// <param name="Recovery">Minimum share of update-caused incidents resolved remotely (default 0.995).</param>
/// <param name="RecoveryWindowHours">Hours within which an incident must be resolved (default 24).</param>
/// <param name="FaultRateLimit">Critical-fault rate above which the rollout must pause (default 0.005).</param>
/// <param name="FaultWindowMinutes">Length of the sliding fault-rate window in minutes (default 30).</param>
/// <param name="PauseWithinMinutes">Maximum minutes from breach to pause (default 10).</param>
/// <param name="AlertWithinMinutes">Maximum minutes from breach to alert (default 5).</param>
public sealed record Thresholds(double Reach, double ReachWindowHours, double Success, double RollbackShare, double RollbackSeconds,
    int RollbackMinimumSample, double Recovery, double RecoveryWindowHours, double FaultRateLimit, double FaultWindowMinutes,
    double PauseWithinMinutes, double AlertWithinMinutes);

/// <summary>Everything one scenario run reports: what ran, the verdicts, the expectations, the dashboard rows and the chart data.</summary>
/// <param name="Run">How the run was made.</param>
/// <param name="Thresholds">Thresholds the verdicts were computed against. The charts draw these lines.</param>
/// <param name="Results">One result per criterion with scope "release" (reach, success, rollback, recovery,
/// rollout-control), optionally followed by results with scope "wave 1", "wave 2" and so on.</param>
/// <param name="Expected">Criterion id to the verdict the scenario expects. An expectation is met when the
/// release-scope verdict equals it, and a scenario passes when every expectation is met.</param>
/// <param name="Waves">One dashboard row per wave.</param>
/// <param name="Series">Chart data.</param>
/// <param name="Marks">Moments marked on the fault-rate chart.</param>
/// <param name="JournalFile">Path of the run's journal file, shown so that readers can query it with sqlite3.</param>
public sealed record ScenarioReport(RunInfo Run, Thresholds Thresholds, IReadOnlyList<CriterionResult> Results,
    IReadOnlyDictionary<string, Verdict> Expected, IReadOnlyList<WaveRow> Waves, ReportSeries Series,
    IReadOnlyList<TimeMark> Marks, string JournalFile);
