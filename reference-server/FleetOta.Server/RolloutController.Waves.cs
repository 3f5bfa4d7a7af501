using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    private void OnTick(long nowMs, List<ControllerOutput> outputs)
    {
        while (_deadlines.TryPeek(out var due, out var atMs) && atMs <= nowMs)
        {
            _deadlines.Dequeue();
            if (_devices[due.Device].Generation == due.Generation)
            {
                OnDeadline(due.Device, nowMs, outputs);
            }
        }

        if (nowMs < _nextTickMs)
        {
            return;
        }

        _nextTickMs = nowMs + _options.TickMs;
        if (_deployment is null)
        {
            return;
        }

        EvaluateMonitor(nowMs, outputs);
        if (Phase == RolloutPhase.Running)
        {
            EvaluateGate(nowMs, outputs);
        }
    }

    private void EvaluateMonitor(long nowMs, List<ControllerOutput> outputs)
    {
        var monitor = _options.FaultMonitor;
        var rate = _monitor.Advance(nowMs);
        if (_breachMs >= 0 || _monitor.Activated < monitor.MinimumSample || rate <= monitor.Limit)
        {
            return;
        }

        _breachMs = nowMs;
        var summary = $"critical-fault rate {rate:P2} ({_monitor.FaultyDevices} of {_monitor.Activated} updated devices in " +
                      $"{monitor.WindowMs / 60_000} min) exceeds the limit {monitor.Limit:P2}";
        if (monitor.AutoPause && Phase == RolloutPhase.Running)
        {
            Phase = RolloutPhase.Paused;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutPaused, Release: ReleaseId, Detail: summary, Actor: "automatic"));
        }

        if (monitor.Alert)
        {
            _alerts++;
            var alert = new RolloutAlert($"{ReleaseId}-breach-{_alerts}", ReleaseId, nowMs, nowMs, rate, monitor.Limit,
                _monitor.FaultyDevices, _monitor.Activated, $"Release {ReleaseId}: {summary}.");
            Journal(outputs, new JournalEntry(nowMs, JournalKind.AlertRaised, Release: ReleaseId, Status: alert.Id, Detail: alert.Message,
                Actor: "automatic"));
            outputs.Add(new RaiseAlert(alert));
        }
    }

    private void EvaluateGate(long nowMs, List<ControllerOutput> outputs)
    {
        if (_wave + 1 >= _options.Waves.Count)
        {
            return;
        }

        var from = _wave == 0 ? 0 : _options.Waves[_wave - 1].CumulativeSize(_waveOrder.Length);
        var to = _options.Waves[_wave].CumulativeSize(_waveOrder.Length);
        int finished = 0, succeeded = 0;
        for (var i = from; i < to; i++)
        {
            var state = _devices[_waveOrder[i]].State;
            if (state.IsFinished())
            {
                finished++;
                if (state == ActionState.Succeeded)
                {
                    succeeded++;
                }
            }
        }

        var size = Math.Max(to - from, 1);
        var ready = finished >= _options.GateFinishedShare * size || nowMs - _waveStartedMs >= _options.WaveMaxDurationMs;
        if (!ready)
        {
            return;
        }

        var share = finished == 0 ? 0 : (double)succeeded / finished;
        if (share < _options.GateSuccessShare)
        {
            _gateMetMs = -1;
            if (!_gateReported)
            {
                _gateReported = true;
                Journal(outputs, new JournalEntry(nowMs, JournalKind.WaveGate, Release: ReleaseId, Status: "not-met", Value: _wave + 1,
                    Detail: $"{succeeded} of {finished} finished devices succeeded ({share:P1}); the gate needs {_options.GateSuccessShare:P1}",
                    Actor: Actor));
            }

            return;
        }

        if (_gateMetMs < 0)
        {
            _gateMetMs = nowMs;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.WaveGate, Release: ReleaseId, Status: "met", Value: _wave + 1,
                Detail: $"{succeeded} of {finished} finished devices succeeded ({share:P1})", Actor: Actor));
        }

        if (nowMs - _gateMetMs >= _options.GateSoakMs)
        {
            StartWave(_wave + 1, nowMs, outputs);
        }
    }

    private void OnOperator(OperatorAction action, long nowMs, List<ControllerOutput> outputs)
    {
        switch (action.Kind)
        {
            case OperatorActionKind.Pause when Phase == RolloutPhase.Running:
                Phase = RolloutPhase.Paused;
                Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutPaused, Release: ReleaseId, Detail: "paused by operator", Actor: "operator"));
                break;
            case OperatorActionKind.Resume when Phase == RolloutPhase.Paused:
                Resume(nowMs, outputs);
                break;
            case OperatorActionKind.Abort when Phase is RolloutPhase.Running or RolloutPhase.Paused:
                Phase = RolloutPhase.Aborted;
                Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutAborted, Release: ReleaseId, Detail: "aborted by operator", Actor: "operator"));
                break;
            case OperatorActionKind.RetryFailed:
                foreach (var device in SelectDevices(action.Device, state => state is ActionState.Failed or ActionState.RolledBack))
                {
                    RecordRecovery(device, "retry", "operator", nowMs, outputs);
                    _devices[device].Attempts++;
                    SetState(device, ActionState.Offered, nowMs, outputs);
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Retry, null, null)));
                }

                break;
            case OperatorActionKind.ForceRollback:
                foreach (var device in SelectDevices(action.Device, state => state.IsIncident() || state == ActionState.Succeeded))
                {
                    RecordRecovery(device, "force-rollback", "operator", nowMs, outputs);
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Rollback, null, null)));
                }

                break;
            case OperatorActionKind.RedeployPrevious when _deployment?.Previous is { } previous:
                foreach (var device in SelectDevices(action.Device, state => state.IsIncident()))
                {
                    RecordRecovery(device, "redeploy-previous", "operator", nowMs, outputs);
                    _devices[device].RecoveryPending = true;
                    outputs.Add(new SendToDevice(new DeviceCommand(device, CommandKind.Install, previous, _deployment.PreviousArtifactUrl)));
                }

                break;
        }
    }

    private void Resume(long nowMs, List<ControllerOutput> outputs)
    {
        Phase = RolloutPhase.Running;
        _breachMs = -1;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutResumed, Release: ReleaseId, Detail: "resumed by operator", Actor: "operator"));
        foreach (var device in _waveOrder)
        {
            if (_devices[device].State == ActionState.Scheduled)
            {
                var jitter = _options.OfferSpreadMs == 0 ? 0 : (long)(Mix(_options.Seed ^ 0x5EED, device) % (ulong)_options.OfferSpreadMs);
                Schedule(device, nowMs + jitter);
            }
        }
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
