using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    /// <summary>Number of alert sink outages in progress.</summary>
    private int _alertSinkDown;
    private long _serverWakeAt;

    private sealed record PendingAlert(RolloutAlert Alert, int Attempt);

    private void StartDeployment()
    {
        var targets = new List<int>();
        var manifest = _releases.Release.Manifest;
        foreach (var device in _fleet)
        {
            if (manifest.Supports(device.Hardware.Model, device.Hardware.Revision))
            {
                targets.Add(device.Id);
            }
        }

        RunController(new StartDeployment(_releases.Release, ReleaseSet.ArtifactUrl + manifest.ReleaseId, targets,
            _releases.Previous, ReleaseSet.ArtifactUrl + _releases.Previous.Manifest.ReleaseId));
    }

    private void RunController(ControllerInput input)
    {
        if (_controllerDown)
        {
            return;
        }

        var outputs = _controllerOutputs;
        outputs.Clear();
        _controller.Handle(input, _now, outputs);
        // Sending can feed nothing back into the controller within this call, so iterating the list is safe.
        var count = outputs.Count;
        for (var i = 0; i < count; i++)
        {
            switch (outputs[i])
            {
                case SendToDevice send:
                    SendToDevice(send.Message);
                    break;
                case Record record:
                    Journal(record.Entry);
                    break;
                case RaiseAlert raise:
                    Schedule(_now + _spec.Timing.AlertLatencyMs, EventKind.AlertDelivery, -1, payload: new PendingAlert(raise.Alert, 1));
                    break;
            }
        }

        var wake = _controller.NextWakeUpMs;
        if (wake < _serverWakeAt)
        {
            _serverWakeAt = wake;
            Schedule(wake, EventKind.ServerWake, -1);
        }
    }

    private void ServerWake()
    {
        if (_now < _serverWakeAt)
        {
            return;
        }

        _serverWakeAt = long.MaxValue;
        RunController(Tick.Instance);
    }

    private void OnAlertDelivery(PendingAlert pending)
    {
        if (_alertSinkDown > 0)
        {
            // The sink is down: retry with exponential backoff, 30 s doubling up to 5 min.
            var backoff = Math.Min(30_000L << Math.Min(pending.Attempt - 1, 10), 300_000);
            Journal(new JournalEntry(_now, JournalKind.AlertDelivered, Release: pending.Alert.ReleaseId, Status: "retry",
                Detail: "alert sink unavailable", Value: pending.Attempt, Actor: "server"));
            Schedule(_now + backoff, EventKind.AlertDelivery, -1, payload: pending with { Attempt = pending.Attempt + 1 });
            return;
        }

        Journal(new JournalEntry(_now, JournalKind.AlertDelivered, Release: pending.Alert.ReleaseId, Status: "delivered",
            Detail: pending.Alert.Message, Value: _now - pending.Alert.BreachAtMs, Actor: "server"));
    }

    /// <summary>Schedules the start and end of each repeat of a server-side fault; without a time it starts at the
    /// release start.</summary>
    private void ScheduleServerFault(FaultSpec spec)
    {
        var at = spec.AtMs ?? _spec.ReleaseAtMs;
        var length = Math.Max(spec.EffectiveDurationMs(_spec.Timing.PowerOffMs), 1);
        var period = Math.Max(spec.IntervalMs, length + 1_000);
        var kind = spec.Kind == FaultKind.AlertSinkDown ? EventKind.AlertSink : EventKind.ServerOutage;
        for (var i = 0; i < spec.Repeat; i++)
        {
            Schedule(at + i * period, kind, -1, data: 1, payload: spec);
            Schedule(at + i * period + length, kind, -1, data: 0, payload: spec);
        }
    }

    /// <summary>Stops or restarts the controller, or takes the broker away and back. A restarted controller continues
    /// from its state as it was, as the live host's SQLite persistence restores it. Messages in the meantime are lost
    /// and devices retry. During a broker outage the controller keeps running, but nothing reaches it or leaves it.</summary>
    private void OnServerOutage(FaultSpec spec, bool start)
    {
        var restart = spec.Kind == FaultKind.ControllerRestart;
        if (start)
        {
            Journal(new JournalEntry(_now, JournalKind.FaultInjected, Status: spec.Kind.ToName(),
                Detail: restart ? "controller stopped" : "broker unavailable", Value: spec.EffectiveDurationMs(0), Actor: "emulator"));
        }

        if (restart)
        {
            _controllerDown = start;
        }
        else
        {
            _brokerDown = start;
        }

        Journal(new JournalEntry(_now, JournalKind.ServerRestart, Status: start ? "down" : "up", Detail: spec.Kind.ToName(), Actor: "emulator"));
        if (restart && !start)
        {
            // The restarted controller runs its overdue timers at once.
            _serverWakeAt = long.MaxValue;
            RunController(Tick.Instance);
        }
    }

    private void OnAlertSink(FaultSpec spec, bool down)
    {
        _alertSinkDown = Math.Max(_alertSinkDown + (down ? 1 : -1), 0);
        Journal(new JournalEntry(_now, JournalKind.FaultInjected, Status: spec.Kind.ToName(),
            Detail: down ? "alert sink unavailable" : "alert sink available again", Value: down ? 1 : 0, Actor: "emulator"));
    }
}
