using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Emulator.Simulation;

/// <summary>The release under test.</summary>
/// <param name="Hardware">Hardware the release supports; null means every hardware of the fleet.</param>
public sealed record ReleaseSpec(
    string Id,
    string Version,
    int SecurityVersion,
    long ImageBytes,
    IReadOnlyList<HardwareTarget>? Hardware = null);

/// <summary>An operator action at a time, such as a resume after a pause.</summary>
public sealed record OperatorStep(long AtMs, OperatorActionKind Action, int? Device = null);

/// <summary>Durations of the device hardware model, in milliseconds, and write speeds in bytes per second.</summary>
public sealed record DeviceTiming
{
    /// <summary>From power-on until the agent runs. Default 30 s.</summary>
    public long BootMs { get; init; } = 30_000;

    /// <summary>Time an application health check takes. Default 20 s.</summary>
    public long HealthCheckMs { get; init; } = 20_000;

    /// <summary>Time after start-up at which a crash-looping image crashes. Default 2 s.</summary>
    public long CrashAfterMs { get; init; } = 2_000;

    /// <summary>Slot write speed. Default 25 MB/s.</summary>
    public double WriteBytesPerSecond { get; init; } = 25_000_000;

    /// <summary>Digest computation speed. Default 200 MB/s.</summary>
    public double DigestBytesPerSecond { get; init; } = 200_000_000;

    /// <summary>How long power stays off after a cut unless the fault says otherwise. Default 60 s.</summary>
    public long PowerOffMs { get; init; } = 60_000;

    /// <summary>Time from a rollout alert to its delivery by a working sink. Default 5 s.</summary>
    public long AlertLatencyMs { get; init; } = 5_000;
}

/// <summary>Everything one simulation run needs. Immutable; build it with a <c>with</c> expression.</summary>
public sealed record SimulationSpec
{
    public string Name { get; init; } = "scenario";

    public long Seed { get; init; } = 1;

    public FleetSpec Fleet { get; init; } = new();

    public ReleaseSpec Release { get; init; } = new("r2", "2.0.0", 2, 64L << 20);

    /// <summary>Time of the release start since the run started. Default 10 min, after every device has booted.</summary>
    public long ReleaseAtMs { get; init; } = 10 * 60_000;

    /// <summary>Run length after the release start. Default 48 h.</summary>
    public long DurationAfterReleaseMs { get; init; } = 48 * 3_600_000L;

    public RolloutOptions Rollout { get; init; } = new();

    public AgentOptions Agent { get; init; } = new();

    public DeviceTiming Timing { get; init; } = new();

    public IReadOnlyList<FaultSpec> Faults { get; init; } = [];

    public IReadOnlyList<OperatorStep> Operator { get; init; } = [];

    public long EndMs => ReleaseAtMs + DurationAfterReleaseMs;
}
