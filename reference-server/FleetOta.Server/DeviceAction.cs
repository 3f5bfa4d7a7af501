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

/// <summary>What the controller tracks for one device. Mutable, owned by the controller.</summary>
internal sealed class DeviceAction
{
    public ActionState State;
    public int Wave = -1;
    public int Attempts;
    public int LastSequence;
    public long LastSeenMs = -1;
    public long LastOfferMs = -1;
    public long ActivatedMs = -1;
    public long StateSinceMs;
    public int Generation;
    public string RunningVersion = "";
    public bool RecoveryPending;
    public int RecoveryActions;
}
