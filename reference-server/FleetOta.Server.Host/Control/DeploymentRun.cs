using FleetOta.Server.Host.State;

namespace FleetOta.Server.Host.Control;

/// <summary>A started deployment and the rollout controller that runs it.</summary>
internal sealed class DeploymentRun(DeploymentRecord record, StoredRelease release, StoredRelease? previous, RolloutController controller)
{
    public DeploymentRecord Record { get; } = record;

    public StoredRelease Release { get; } = release;

    public StoredRelease? Previous { get; } = previous;

    public RolloutController Controller { get; } = controller;

    public string Id => Record.Id;

    /// <summary>Device ids below this number have a slot in the controller.</summary>
    public int FleetSize { get; } = FleetSizeOf(record.Targets);

    public static int FleetSizeOf(IReadOnlyList<int> targets) => targets.Max() + 1;

    /// <summary>True while the rollout is running or paused; a new deployment waits until it completes or is aborted.</summary>
    public bool IsActive => Controller.Phase is RolloutPhase.Running or RolloutPhase.Paused;
}

/// <summary>What the host last heard from one device.</summary>
internal sealed class DeviceSighting
{
    public string? RunningVersion;
    public Protocol.Slot? ActiveSlot;
    public bool? Healthy;
    public bool? Degraded;
    public long LastSeenMs;
}
