using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

/// <summary>An input to the rollout controller. The host passes the current time alongside.</summary>
public abstract record ControllerInput;

/// <summary>Start rolling a release out to the target devices. A new deployment may start once the previous one has
/// completed or was aborted; the per-device action states start again, the registry stays.</summary>
/// <param name="Previous">The release the targets run now, re-deployed by the recovery policy; null if unknown.</param>
public sealed record StartDeployment(
    SignedManifest Release,
    string ArtifactUrl,
    IReadOnlyList<int> Targets,
    SignedManifest? Previous,
    string? PreviousArtifactUrl) : ControllerInput;

/// <summary>A device message as it arrived at the server.</summary>
public sealed record Delivered(DeviceMessage Message) : ControllerInput;

/// <summary>The periodic tick, and the wake-up the controller asked for with <see cref="RolloutController.NextWakeUpMs"/>.</summary>
public sealed record Tick : ControllerInput
{
    public static readonly Tick Instance = new();
}

/// <summary>Registers a device in the registry: its identity and hardware. The running version and the last contact
/// come from its messages.</summary>
/// <param name="Name">The device's stable identity, such as its serial number or MQTT client id.</param>
public sealed record RegisterDevice(int DeviceId, string Name, HardwareTarget Hardware) : ControllerInput;

/// <summary>An operator action. <see cref="Device"/> is set for the per-device actions.</summary>
public sealed record OperatorAction(OperatorActionKind Kind, int? Device = null) : ControllerInput;

public enum OperatorActionKind
{
    Pause,
    Resume,
    Abort,
    RetryFailed,
    ForceRollback,
    RedeployPrevious,
}

/// <summary>An output of the rollout controller for its host to carry out.</summary>
public abstract record ControllerOutput;

public sealed record SendToDevice(ServerMessage Message) : ControllerOutput;

/// <summary>Alert on-call. The host delivers it to its sinks and journals the delivery time.</summary>
public sealed record RaiseAlert(RolloutAlert Alert) : ControllerOutput;

/// <summary>A controller decision for the journal.</summary>
public sealed record Record(JournalEntry Entry) : ControllerOutput;

/// <summary>An operator action that does not apply in the current state, with the reason, for the operator's reply.</summary>
public sealed record ActionRejected(OperatorAction Action, string Reason) : ControllerOutput;

/// <summary>An alert about a rollout, as sent to alert sinks.</summary>
/// <param name="Rate">The critical-fault rate that breached the limit.</param>
public sealed record RolloutAlert(
    string Id,
    string ReleaseId,
    long BreachAtMs,
    long RaisedAtMs,
    double Rate,
    double Limit,
    int FaultyDevices,
    int ActivatedDevices,
    string Message);
