namespace FleetOta.Server;

/// <summary>Per-device action state of a deployment.</summary>
public enum ActionState
{
    NotTargeted,
    Waiting,
    Scheduled,
    Offered,
    Downloading,
    Installing,
    Rebooting,
    Succeeded,
    Failed,
    RolledBack,
    Cancelled,
    TimedOut,
    Degraded,
}

public static class ActionStates
{
    public static bool IsFinished(this ActionState state) =>
        state is ActionState.Succeeded or ActionState.Failed or ActionState.RolledBack or ActionState.Cancelled
            or ActionState.TimedOut or ActionState.Degraded;

    public static bool IsIncident(this ActionState state) =>
        state is ActionState.Failed or ActionState.RolledBack or ActionState.TimedOut or ActionState.Degraded;

    public static string ToWire(this ActionState state) => state switch
    {
        ActionState.NotTargeted => "not-targeted",
        ActionState.Waiting => "waiting",
        ActionState.Scheduled => "scheduled",
        ActionState.Offered => "offered",
        ActionState.Downloading => "downloading",
        ActionState.Installing => "installing",
        ActionState.Rebooting => "rebooting",
        ActionState.Succeeded => "succeeded",
        ActionState.Failed => "failed",
        ActionState.RolledBack => "rolled-back",
        ActionState.Cancelled => "cancelled",
        ActionState.TimedOut => "timed-out",
        ActionState.Degraded => "degraded",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };
}

/// <summary>What the controller tracks for one device: its registry record and its action state in the current
/// deployment. Mutable, owned by the controller; every write goes through <c>RolloutController.Mutable</c> so that
/// the change reaches the store.</summary>
internal sealed class DeviceAction
{
    // Registry: identity and hardware from registration, running version and last contact from messages.
    public string Name = "";
    public string HardwareModel = "";
    public string HardwareRevision = "";
    public string RunningVersion = "";
    public long LastSeenMs = -1;
    public int LastSequence;

    // Action state in the current deployment.
    public ActionState State;
    public int Wave = -1;
    public int Attempts;
    public long LastOfferMs = -1;
    public long ActivatedMs = -1;
    public long StateSinceMs;
    public long DeadlineMs = -1;
    public long WaitingSinceMs = -1;
    public bool HoldsDownloadSlot;
    public bool RecoveryPending;
    public int RecoveryActions;
}
