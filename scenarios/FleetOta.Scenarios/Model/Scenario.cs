using FleetOta.Emulator.Simulation;
using FleetOta.Journal;

namespace FleetOta.Scenarios.Model;

/// <summary>Thresholds of the five release-gate criteria. The definitions are fixed; a scenario file may change
/// these numbers. Shares are 0..1, durations are milliseconds.</summary>
public sealed record CriteriaThresholds
{
    /// <summary>Share of active targeted devices on the new version within <see cref="ReachWindowMs"/>. Default 0.99.</summary>
    public double Reach { get; init; } = 0.99;

    public long ReachWindowMs { get; init; } = 48 * 3_600_000L;

    /// <summary>Per-wave share of offered devices that end committed without operator action. Default 0.985.</summary>
    public double Success { get; init; } = 0.985;

    /// <summary>Share of failure cases back on the previous version within <see cref="RollbackWithinMs"/>. Default 0.999.</summary>
    public double Rollback { get; init; } = 0.999;

    public long RollbackWithinMs { get; init; } = 120_000;

    /// <summary>Failure devices needed for a rollback verdict other than inconclusive. Default 500.</summary>
    public int RollbackMinimumDevices { get; init; } = 500;

    /// <summary>Share of update-caused incidents resolved remotely within <see cref="RecoveryWithinMs"/>. Default 0.995.</summary>
    public double Recovery { get; init; } = 0.995;

    public long RecoveryWithinMs { get; init; } = 24 * 3_600_000L;

    /// <summary>Critical-fault rate limit over the sliding window. Default 0.005.</summary>
    public double FaultRateLimit { get; init; } = 0.005;

    public long FaultWindowMs { get; init; } = 30 * 60_000;

    /// <summary>Activated devices needed before the rate is judged. Default 50.</summary>
    public int FaultMinimumSample { get; init; } = 50;

    public long PauseWithinMs { get; init; } = 10 * 60_000;

    public long AlertWithinMs { get; init; } = 5 * 60_000;
}

/// <summary>One runnable scenario: the simulation it needs, the thresholds and the expected verdicts.</summary>
public sealed record Scenario(
    string Name,
    string Description,
    SimulationSpec Simulation,
    CriteriaThresholds Criteria,
    IReadOnlyDictionary<string, Verdict> Expected,
    int Line);

/// <summary>A loaded scenario file.</summary>
public sealed record ScenarioCatalog(string File, IReadOnlyList<Scenario> Scenarios)
{
    public Scenario? Find(string name) => Scenarios.FirstOrDefault(scenario => scenario.Name == name);
}

public static class CriterionIds
{
    public const string Reach = "reach";
    public const string Success = "success";
    public const string Rollback = "rollback";
    public const string Recovery = "recovery";
    public const string RolloutControl = "rollout-control";

    public static IReadOnlyList<string> All { get; } = [Reach, Success, Rollback, Recovery, RolloutControl];
}
