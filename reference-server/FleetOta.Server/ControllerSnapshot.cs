namespace FleetOta.Server;

/// <summary>A critical fault as the monitor counts it: a fault report or a silence time-out, at the time the server
/// received or detected it.</summary>
public readonly record struct FaultRecord(long TimeMs, int Device);

/// <summary>The stored state of one device: its registry record and its action state in the current deployment.
/// Times are in milliseconds of controller time; -1 means none.</summary>
public sealed record DeviceSnapshot(
    int Device,
    string Name,
    string HardwareModel,
    string HardwareRevision,
    string RunningVersion,
    long LastSeenMs,
    int LastSequence,
    ActionState State,
    int Wave,
    int Attempts,
    long LastOfferMs,
    long ActivatedMs,
    long StateSinceMs,
    long DeadlineMs,
    long WaitingSinceMs,
    bool HoldsDownloadSlot,
    bool RecoveryPending,
    int RecoveryActions);

/// <summary>The controller's state that belongs to no single device.</summary>
/// <param name="Seed">The option seed the wave order was drawn with; a restore with another seed is rejected.</param>
/// <param name="LastNowMs">The latest time the controller has handled.</param>
/// <param name="BreachActive">A breach episode is running: the rate stayed above the limit since <paramref name="BreachMs"/>.</param>
/// <param name="Alerts">Alerts raised so far, the counter in alert ids.</param>
/// <param name="Successes">Devices that reached succeeded in this deployment, which set the exponential offer rate.</param>
/// <param name="PacingCursor">Index in the wave order of the next device the offer rate will reach.</param>
/// <param name="FaultHorizonMs">Faults at or before this time are outside the monitor window and may be dropped.</param>
public sealed record ControllerGlobals(
    long Seed,
    int FleetSize,
    RolloutPhase Phase,
    int Wave,
    long WaveStartedMs,
    long GateMetMs,
    bool GateReported,
    long NextTickMs,
    long LastNowMs,
    bool BreachActive,
    long BreachMs,
    int Alerts,
    int Successes,
    int PacingCursor,
    long NextPacedOfferMs,
    long FaultHorizonMs);

/// <summary>The whole controller state, as a store loads it for <see cref="RolloutController.Restore"/>.</summary>
/// <param name="Faults">The faults the monitor still counts, in the order they were recorded.</param>
public sealed record ControllerSnapshot(
    StartDeployment? Deployment,
    ControllerGlobals Globals,
    IReadOnlyList<DeviceSnapshot> Devices,
    IReadOnlyList<FaultRecord> Faults);

/// <summary>What changed since the last <see cref="RolloutController.TakeChanges"/>: a store writes it in one
/// transaction, together with the outputs of the same calls.</summary>
/// <param name="Deployment">The deployment when it changed (a new one started), otherwise null.</param>
/// <param name="Devices">Every device whose record changed, in device order.</param>
/// <param name="NewFaults">Faults recorded since the last call, in order.</param>
public sealed record ControllerChanges(
    StartDeployment? Deployment,
    ControllerGlobals Globals,
    IReadOnlyList<DeviceSnapshot> Devices,
    IReadOnlyList<FaultRecord> NewFaults)
{
    public bool DeploymentChanged => Deployment is not null;
}
