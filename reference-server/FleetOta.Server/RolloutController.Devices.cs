using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    /// <summary>Recovery actions sent to one device before the policy gives up on it.</summary>
    private const int MaxRecoveryActions = 24;

    private void OnMessage(DeviceMessage message, long nowMs, List<ControllerOutput> outputs)
    {
        if ((uint)message.DeviceId >= (uint)_devices.Length)
        {
            return;
        }

        var action = _devices[message.DeviceId];
        action.LastSeenMs = nowMs;
        switch (message)
        {
            case Heartbeat heartbeat:
                OnHeartbeat(heartbeat, action, nowMs, outputs);
                break;
            case StatusReport report:
                outputs.Add(new SendToDevice(new StatusAck(report.DeviceId, report.Sequence)));
                OnStatus(report, action, nowMs, outputs);
                break;
            case FaultReport fault:
                OnFault(fault, action, nowMs, outputs);
                break;
        }
    }

    private void OnHeartbeat(Heartbeat heartbeat, DeviceAction action, long nowMs, List<ControllerOutput> outputs)
    {
        action.RunningVersion = heartbeat.RunningVersion;
        if (_deployment is null)
        {
            return;
        }

        if (heartbeat.RunningVersion == _deployment.Release.Manifest.Version)
        {
            Activate(action);
        }

        if (heartbeat.Degraded && action.State != ActionState.Degraded && action.State != ActionState.NotTargeted)
        {
            SetState(heartbeat.DeviceId, ActionState.Degraded, nowMs, outputs, detail: "heartbeat reports degraded");
            ScheduleRecovery(heartbeat.DeviceId, nowMs);
            return;
        }

        if (action.State == ActionState.Rebooting)
        {
            // Heard from after the reboot: the silence deadline starts again.
            Schedule(heartbeat.DeviceId, nowMs + _options.SilentAfterUpdateMs);
        }

        if (action.State == ActionState.Offered && Phase == RolloutPhase.Running && nowMs - action.LastOfferMs >= _options.OfferRepeatMs)
        {
            SendOffer(heartbeat.DeviceId, nowMs, outputs, repeat: true);
        }
    }

    private void Activate(DeviceAction action)
    {
        if (action.ActivatedMs < 0)
        {
            action.ActivatedMs = 0;
            _monitor.RecordActivation();
        }
    }

    private void OnStatus(StatusReport report, DeviceAction action, long nowMs, List<ControllerOutput> outputs)
    {
        // Sequence numbers grow per device, so a duplicate or late report never overwrites a newer state.
        if (report.Sequence <= action.LastSequence || _deployment is null)
        {
            return;
        }

        action.LastSequence = report.Sequence;
        action.RunningVersion = report.RunningVersion;
        var device = report.DeviceId;
        if (report.ReleaseId != ReleaseId)
        {
            OnOtherReleaseStatus(report, action, nowMs, outputs);
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
            case ActionState.Rebooting:
                Schedule(device, nowMs + _options.SilentAfterUpdateMs);
                break;
            case ActionState.Succeeded:
                Activate(action);
                action.Generation++;
                break;
            case ActionState.Failed or ActionState.RolledBack or ActionState.Degraded:
                ScheduleRecovery(device, nowMs);
                break;
        }
    }

    /// <summary>A status about another release: the confirmation of a re-deployed previous release.</summary>
    private void OnOtherReleaseStatus(StatusReport report, DeviceAction action, long nowMs, List<ControllerOutput> outputs)
    {
        if (report.Status == UpdateStatus.Succeeded && action.RecoveryPending)
        {
            action.RecoveryPending = false;
            action.Generation++;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.ActionState, report.DeviceId, ReleaseId, report.RunningVersion,
                action.State.ToWire(), "recovered on " + report.ReleaseId, action.Attempts, Actor));
        }
    }

    private void OnFault(FaultReport fault, DeviceAction action, long nowMs, List<ControllerOutput> outputs)
    {
        if (!fault.Critical || _deployment is null || fault.RunningVersion != _deployment.Release.Manifest.Version)
        {
            return;
        }

        Activate(action);
        _monitor.RecordFault(nowMs, fault.DeviceId);
        EvaluateMonitor(nowMs, outputs);
    }

    private void SendOffer(int device, long nowMs, List<ControllerOutput> outputs, bool repeat)
    {
        var action = _devices[device];
        action.LastOfferMs = nowMs;
        if (!repeat)
        {
            action.Attempts++;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.DeviceOffered, device, ReleaseId, Value: action.Wave, Actor: Actor));
        }

        SetState(device, ActionState.Offered, nowMs, outputs, journal: false);
        outputs.Add(new SendToDevice(new UpdateOffer(device, _deployment!.Release, _deployment.ArtifactUrl)));
    }

    private void ScheduleRecovery(int device, long nowMs)
    {
        if (!_options.Recovery.Enabled)
        {
            return;
        }

        _devices[device].RecoveryPending = true;
        Schedule(device, nowMs + _options.Recovery.RetryDelayMs);
    }

    /// <summary>Handles a device whose deadline came: a scheduled offer, a silence time-out or a recovery step.</summary>
    private void OnDeadline(int device, long nowMs, List<ControllerOutput> outputs)
    {
        var action = _devices[device];
        switch (action.State)
        {
            case ActionState.Scheduled when Phase == RolloutPhase.Running:
                SendOffer(device, nowMs, outputs, repeat: false);
                break;
            case ActionState.Rebooting:
                SetState(device, ActionState.TimedOut, nowMs, outputs, detail: "silent after update");
                Activate(action);
                _monitor.RecordFault(nowMs, device);
                EvaluateMonitor(nowMs, outputs);
                ScheduleRecovery(device, nowMs);
                break;
            case ActionState.Failed or ActionState.RolledBack or ActionState.Degraded or ActionState.TimedOut when action.RecoveryPending:
                ApplyRecovery(device, nowMs, outputs);
                break;
        }
    }

    private void ApplyRecovery(int device, long nowMs, List<ControllerOutput> outputs)
    {
        var action = _devices[device];
        var policy = _options.Recovery;
        if (action.RecoveryActions >= MaxRecoveryActions)
        {
            action.RecoveryPending = false;
            return;
        }

        action.RecoveryActions++;
        var canRetry = Phase == RolloutPhase.Running && action.Attempts < _options.MaxAttempts;
        if (action.State is ActionState.Failed or ActionState.RolledBack && canRetry)
        {
            RecordRecovery(device, "retry", "automatic", nowMs, outputs);
            action.RecoveryPending = false;
            action.Attempts++;
            action.LastOfferMs = nowMs;
            SetState(device, ActionState.Offered, nowMs, outputs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Retry, null, null)));
            return;
        }

        if (action.State == ActionState.TimedOut && policy.ForceRollbackStuck)
        {
            RecordRecovery(device, "force-rollback", "automatic", nowMs, outputs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Rollback, null, null)));
        }
        else if (policy.RedeployPrevious && _deployment!.Previous is { } previous)
        {
            RecordRecovery(device, "redeploy-previous", "automatic", nowMs, outputs);
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
