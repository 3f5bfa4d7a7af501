using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    private const string AutomaticActor = "automatic";

    private void OnMessage(DeviceMessage message, long nowMs, List<ControllerOutput> outputs)
    {
        if ((uint)message.DeviceId >= (uint)_devices.Length)
        {
            return;
        }

        Mutable(message.DeviceId).LastSeenMs = nowMs;
        switch (message)
        {
            case Heartbeat heartbeat:
                OnHeartbeat(heartbeat, nowMs, outputs);
                break;
            case StatusReport report:
                outputs.Add(new SendToDevice(new StatusAck(report.DeviceId, report.Sequence)));
                OnStatus(report, nowMs, outputs);
                break;
            case FaultReport fault:
                OnFault(fault, nowMs, outputs);
                break;
        }
    }

    private void OnHeartbeat(Heartbeat heartbeat, long nowMs, List<ControllerOutput> outputs)
    {
        var device = heartbeat.DeviceId;
        var action = Mutable(device);
        action.RunningVersion = heartbeat.RunningVersion;
        if (_deployment is null)
        {
            return;
        }

        if (heartbeat.RunningVersion == _deployment.Release.Manifest.Version)
        {
            Activate(device, nowMs, outputs);
        }

        if (heartbeat.Degraded && action.State is not (ActionState.Degraded or ActionState.NotTargeted))
        {
            SetState(device, ActionState.Degraded, nowMs, outputs, detail: "heartbeat reports degraded");
            ScheduleRecovery(device, nowMs);
            return;
        }

        if (action.State == ActionState.Rebooting)
        {
            // Heard from after the reboot: the silence deadline starts again.
            Schedule(device, nowMs + _options.SilentAfterUpdateMs);
        }

        var offerDue = action.State == ActionState.Offered && Phase == RolloutPhase.Running && nowMs - action.LastOfferMs >= _options.OfferRepeatMs;
        if (offerDue && (action.HoldsDownloadSlot || SlotFree))
        {
            SendOffer(device, nowMs, outputs, repeat: true);
        }
    }

    private void OnStatus(StatusReport report, long nowMs, List<ControllerOutput> outputs)
    {
        var device = report.DeviceId;
        var action = _devices[device];

        // Sequence numbers grow per device, so a duplicate or late report never overwrites a newer state.
        if (report.Sequence <= action.LastSequence || _deployment is null)
        {
            return;
        }

        action = Mutable(device);
        action.LastSequence = report.Sequence;
        action.RunningVersion = report.RunningVersion;
        if (report.ReleaseId != ReleaseId)
        {
            OnOtherReleaseStatus(report, nowMs, outputs);
            return;
        }

        if (action.State == ActionState.NotTargeted)
        {
            return;
        }

        var state = report.Status switch
        {
            UpdateStatus.Offered => ActionState.Offered,
            UpdateStatus.Downloading or UpdateStatus.Verifying => ActionState.Downloading,
            UpdateStatus.Installing => ActionState.Installing,
            UpdateStatus.Rebooting => ActionState.Rebooting,
            UpdateStatus.Succeeded => ActionState.Succeeded,
            UpdateStatus.Failed => ActionState.Failed,
            UpdateStatus.RolledBack => ActionState.RolledBack,
            UpdateStatus.Cancelled => ActionState.Cancelled,
            UpdateStatus.Degraded => ActionState.Degraded,
            _ => action.State,
        };
        SetState(device, state, nowMs, outputs, detail: report.Reason == FailureReason.None ? null : report.Reason.ToText());
        switch (state)
        {
            case ActionState.Offered or ActionState.Downloading:
                Schedule(device, nowMs + _options.OfferRepeatMs);
                break;
            case ActionState.Installing or ActionState.Cancelled:
                ClearDeadline(device);
                break;
            case ActionState.Rebooting:
                Schedule(device, nowMs + _options.SilentAfterUpdateMs);
                break;
            case ActionState.Succeeded:
                Activate(device, nowMs, outputs);
                action.RecoveryPending = false;
                ClearDeadline(device);
                break;
            case ActionState.Failed or ActionState.RolledBack or ActionState.Degraded:
                ScheduleRecovery(device, nowMs);
                break;
        }
    }

    /// <summary>A status about another release: the confirmation of a re-deployed previous release.</summary>
    private void OnOtherReleaseStatus(StatusReport report, long nowMs, List<ControllerOutput> outputs)
    {
        var action = Mutable(report.DeviceId);
        if (report.Status == UpdateStatus.Succeeded && action.RecoveryPending)
        {
            action.RecoveryPending = false;
            ClearDeadline(report.DeviceId);
            Journal(outputs, new JournalEntry(nowMs, JournalKind.ActionState, report.DeviceId, ReleaseId, report.RunningVersion,
                action.State.ToWire(), "recovered on " + report.ReleaseId, action.Attempts, Actor));
        }
    }

    private void OnFault(FaultReport fault, long nowMs, List<ControllerOutput> outputs)
    {
        if (!fault.Critical || _deployment is null || fault.RunningVersion != _deployment.Release.Manifest.Version)
        {
            return;
        }

        RecordFault(fault.DeviceId, nowMs, outputs);
    }

    private void ScheduleRecovery(int device, long nowMs)
    {
        if (!_options.Recovery.Enabled)
        {
            return;
        }

        Mutable(device).RecoveryPending = true;
        Schedule(device, nowMs + _options.Recovery.RetryDelayMs);
    }

    /// <summary>Handles a device whose deadline came at <paramref name="dueMs"/>: a scheduled offer, a download slot
    /// check, a silence time-out or a recovery step.</summary>
    private void OnDeadline(int device, long dueMs, long nowMs, List<ControllerOutput> outputs)
    {
        var action = _devices[device];
        switch (action.State)
        {
            case ActionState.Scheduled when Phase == RolloutPhase.Running:
                QueueDueOffer(device, dueMs);
                break;
            case ActionState.Offered or ActionState.Downloading:
                CheckDownloadSlot(device, nowMs);
                break;
            case ActionState.Rebooting:
                SetState(device, ActionState.TimedOut, nowMs, outputs, detail: "silent after update");
                RecordFault(device, nowMs, outputs);
                ScheduleRecovery(device, nowMs);
                break;
            case ActionState.Failed or ActionState.RolledBack or ActionState.Degraded or ActionState.TimedOut when action.RecoveryPending:
                ApplyRecovery(device, nowMs, outputs);
                break;
        }
    }

    private void ApplyRecovery(int device, long nowMs, List<ControllerOutput> outputs)
    {
        var action = Mutable(device);
        var policy = _options.Recovery;
        if (action.RecoveryActions >= policy.MaxActionsPerDevice)
        {
            action.RecoveryPending = false;
            return;
        }

        action.RecoveryActions++;
        var canRetry = Phase is RolloutPhase.Running or RolloutPhase.Completed && action.Attempts < _options.MaxAttempts;
        if (action.State is ActionState.Failed or ActionState.RolledBack && canRetry)
        {
            RecordRecovery(device, "retry", AutomaticActor, nowMs, outputs);
            action.RecoveryPending = false;
            action.Attempts++;
            action.LastOfferMs = nowMs;
            SetState(device, ActionState.Offered, nowMs, outputs);
            Schedule(device, nowMs + _options.OfferRepeatMs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Retry, null, null)));
            return;
        }

        if (action.State == ActionState.TimedOut && policy.ForceRollbackStuck)
        {
            RecordRecovery(device, "force-rollback", AutomaticActor, nowMs, outputs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Rollback, null, null)));
        }
        else if (policy.RedeployPrevious && _deployment!.Previous is { } previous)
        {
            RecordRecovery(device, "redeploy-previous", AutomaticActor, nowMs, outputs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Install, previous, _deployment.PreviousArtifactUrl)));
        }
        else
        {
            action.RecoveryPending = false;
            return;
        }

        // Repeat until the device confirms: a command sent while it is offline is lost.
        Schedule(device, nowMs + policy.RetryDelayMs);
    }

    private void RecordRecovery(int device, string what, string actor, long nowMs, List<ControllerOutput> outputs) =>
        Journal(outputs, new JournalEntry(nowMs, JournalKind.RecoveryAction, device, ReleaseId, Status: _devices[device].State.ToWire(),
            Detail: what, Value: _devices[device].Attempts, Actor: actor));
}
