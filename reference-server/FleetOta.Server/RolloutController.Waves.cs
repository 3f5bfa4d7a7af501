using FleetOta.Journal;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    private void OnTick(long nowMs, List<ControllerOutput> outputs)
    {
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
            CheckCompleted();
        }
    }

    private void EvaluateGate(long nowMs, List<ControllerOutput> outputs)
    {
        if (_wave + 1 >= _options.Waves.Count)
        {
            return;
        }

        var (from, to) = WaveRange(_wave);
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

    /// <summary>Marks the deployment completed once the last wave has started and every target has finished with no
    /// recovery pending. Devices keep being served afterwards.</summary>
    private void CheckCompleted()
    {
        if (_wave + 1 < _options.Waves.Count)
        {
            return;
        }

        foreach (var device in _waveOrder)
        {
            var action = _devices[device];
            if (!action.State.IsFinished() || action.RecoveryPending)
            {
                return;
            }
        }

        Phase = RolloutPhase.Completed;
    }
}
