using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    private const string OperatorActor = "operator";

    private void OnOperator(OperatorAction action, long nowMs, List<ControllerOutput> outputs)
    {
        if (_deployment is null)
        {
            outputs.Add(new ActionRejected(action, "no deployment has started"));
            return;
        }

        if (action.Device is { } one && (uint)one >= (uint)_devices.Length)
        {
            outputs.Add(new ActionRejected(action, $"device {one} is outside the fleet of {_devices.Length} devices"));
            return;
        }

        switch (action.Kind)
        {
            case OperatorActionKind.Pause when Phase == RolloutPhase.Running:
                Phase = RolloutPhase.Paused;
                Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutPaused, Release: ReleaseId, Detail: "paused by operator", Actor: OperatorActor));
                break;
            case OperatorActionKind.Resume when Phase == RolloutPhase.Paused:
                Resume(nowMs, outputs);
                break;
            case OperatorActionKind.Abort when Phase is RolloutPhase.Running or RolloutPhase.Paused:
                Abort(nowMs, outputs);
                break;
            case OperatorActionKind.RetryFailed:
                RetryFailed(action.Device, nowMs, outputs);
                break;
            case OperatorActionKind.ForceRollback:
                foreach (var device in SelectDevices(action.Device, state => state.IsIncident() || state == ActionState.Succeeded))
                {
                    RecordRecovery(device, "force-rollback", OperatorActor, nowMs, outputs);
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Rollback, null, null)));
                }

                break;
            case OperatorActionKind.RedeployPrevious when _deployment.Previous is { } previous:
                foreach (var device in SelectDevices(action.Device, state => state.IsIncident()))
                {
                    RecordRecovery(device, "redeploy-previous", OperatorActor, nowMs, outputs);
                    Mutable(device).RecoveryPending = true;
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Install, previous, _deployment.PreviousArtifactUrl)));
                }

                break;
            case OperatorActionKind.RedeployPrevious:
                outputs.Add(new ActionRejected(action, "the deployment names no previous release"));
                break;
            default:
                outputs.Add(new ActionRejected(action, $"the rollout is {Phase.ToString().ToLowerInvariant()}"));
                break;
        }
    }

    /// <summary>Sends a retry to failed and rolled-back devices. An operator retry ignores the attempt limit, which
    /// bounds only the automatic policy.</summary>
    private void RetryFailed(int? only, long nowMs, List<ControllerOutput> outputs)
    {
        foreach (var device in SelectDevices(only, state => state is ActionState.Failed or ActionState.RolledBack))
        {
            RecordRecovery(device, "retry", OperatorActor, nowMs, outputs);
            var action = Mutable(device);
            action.Attempts++;
            action.RecoveryPending = false;
            action.LastOfferMs = nowMs;
            SetState(device, ActionState.Offered, nowMs, outputs);
            Schedule(device, nowMs + _options.OfferRepeatMs);
            outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Retry, null, null)));
        }
    }

    private void Resume(long nowMs, List<ControllerOutput> outputs)
    {
        Phase = RolloutPhase.Running;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutResumed, Release: ReleaseId, Detail: "resumed by operator", Actor: OperatorActor));

        // Offers that came due during the pause are spread again from now, so a resume is no thundering herd.
        foreach (var device in _waveOrder)
        {
            var action = _devices[device];
            if (action.State == ActionState.Scheduled && action.DeadlineMs < 0 && action.WaitingSinceMs < 0 && _options.OfferRate is null)
            {
                Schedule(device, nowMs + Jitter(device));
            }
        }

        if (_options.OfferRate is not null)
        {
            _nextPacedOfferMs = Math.Max(_nextPacedOfferMs, nowMs);
        }
    }

    /// <summary>Stops the deployment: devices not offered yet are cancelled, and devices offered or downloading are told
    /// to cancel. Devices already installing finish.</summary>
    private void Abort(long nowMs, List<ControllerOutput> outputs)
    {
        Phase = RolloutPhase.Aborted;
        var cancelled = 0;
        foreach (var device in _waveOrder)
        {
            var action = _devices[device];
            switch (action.State)
            {
                case ActionState.Waiting or ActionState.Scheduled:
                    if (action.WaitingSinceMs >= 0)
                    {
                        _waitingForSlot.Remove((action.WaitingSinceMs, device));
                        Mutable(device).WaitingSinceMs = -1;
                    }

                    ClearDeadline(device);
                    SetState(device, ActionState.Cancelled, nowMs, outputs, journal: false);
                    cancelled++;
                    break;
                case ActionState.Offered or ActionState.Downloading:
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Cancel, null, null)));
                    break;
            }
        }

        Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutAborted, Release: ReleaseId, Value: cancelled,
            Detail: $"aborted by operator; {cancelled} devices not offered yet were cancelled", Actor: OperatorActor));
    }

    private IEnumerable<int> SelectDevices(int? device, Func<ActionState, bool> predicate)
    {
        if (device is { } one)
        {
            return predicate(_devices[one].State) ? [one] : [];
        }

        return _waveOrder.Where(d => predicate(_devices[d].State)).ToArray();
    }
}
