using FleetOta.Journal;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    /// <summary>Counts a device as activated on the new version, once. The activation that brings the sample to its
    /// minimum evaluates the monitor, because faults received before it may already put the rate over the limit.</summary>
    private void Activate(int device, long nowMs, List<ControllerOutput> outputs)
    {
        var action = _devices[device];
        if (action.ActivatedMs >= 0 || _deployment is null)
        {
            return;
        }

        Mutable(device).ActivatedMs = nowMs;
        _monitor.RecordActivation();
        if (_monitor.Activated == _options.FaultMonitor.MinimumSample)
        {
            EvaluateMonitor(nowMs, outputs);
        }
    }

    private void RecordFault(int device, long nowMs, List<ControllerOutput> outputs)
    {
        Activate(device, nowMs, outputs);
        _monitor.RecordFault(nowMs, device);
        _newFaults.Add(new FaultRecord(nowMs, device));
        EvaluateMonitor(nowMs, outputs);
    }

    /// <summary>Evaluates the critical-fault rate at <paramref name="nowMs"/>. A breach episode starts when a judged rate
    /// exceeds the limit and ends at the first evaluation at or below it; its start pauses the rollout and raises one
    /// alert. A resume during an episode therefore sticks until the rate breaches again after the episode ends.</summary>
    private void EvaluateMonitor(long nowMs, List<ControllerOutput> outputs)
    {
        var monitor = _options.FaultMonitor;
        var rate = _monitor.Advance(nowMs);
        var breached = _monitor.Activated >= monitor.MinimumSample && rate > monitor.Limit;
        if (!breached)
        {
            _breachActive = false;
            return;
        }

        if (_breachActive)
        {
            return;
        }

        _breachActive = true;
        _breachMs = nowMs;
        _alerts++;
        var summary = $"critical-fault rate {rate:P2} ({_monitor.FaultyDevices} of {_monitor.Activated} updated devices in " +
                      $"{monitor.WindowMs / 60_000.0:0.#} min) exceeds the limit {monitor.Limit:P2}";
        if (monitor.AutoPause && Phase == RolloutPhase.Running)
        {
            Phase = RolloutPhase.Paused;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.RolloutPaused, Release: ReleaseId, Detail: summary, Actor: "automatic"));
        }

        if (monitor.Alert)
        {
            var alert = new RolloutAlert($"{ReleaseId}-breach-{_alerts}", ReleaseId, nowMs, nowMs, rate, monitor.Limit,
                _monitor.FaultyDevices, _monitor.Activated, $"Release {ReleaseId}: {summary}.");
            Journal(outputs, new JournalEntry(nowMs, JournalKind.AlertRaised, Release: ReleaseId, Status: alert.Id, Detail: alert.Message,
                Actor: "automatic"));
            outputs.Add(new RaiseAlert(alert));
        }
    }
}
