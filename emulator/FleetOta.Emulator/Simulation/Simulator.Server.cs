using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    private readonly List<(long From, long To)> _alertSinkDown = [];
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
        if (_serverDown)
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
        foreach (var (from, to) in _alertSinkDown)
        {
            if (_now >= from && _now < to)
            {
                // The sink is down: retry with exponential backoff, 30 s doubling up to 5 min.
                var backoff = Math.Min(30_000L << Math.Min(pending.Attempt - 1, 10), 300_000);
                Journal(new JournalEntry(_now, JournalKind.AlertDelivered, Release: pending.Alert.ReleaseId, Status: "retry",
                    Detail: "alert sink unavailable", Value: pending.Attempt, Actor: "server"));
                Schedule(_now + backoff, EventKind.AlertDelivery, -1, payload: pending with { Attempt = pending.Attempt + 1 });
                return;
            }
        }

        Journal(new JournalEntry(_now, JournalKind.AlertDelivered, Release: pending.Alert.ReleaseId, Status: "delivered",
            Detail: pending.Alert.Message, Value: _now - pending.Alert.BreachAtMs, Actor: "server"));
    }

    private void ScheduleServerFault(FaultSpec spec)
    {
        var at = spec.AtMs ?? _spec.ReleaseAtMs;
        switch (spec.Kind)
        {
            case FaultKind.ControllerRestart:
            case FaultKind.BrokerOutage:
                Schedule(at, EventKind.ServerOutage, -1, data: 1, payload: spec);
                Schedule(at + Math.Max(spec.DurationMs, 1_000), EventKind.ServerOutage, -1, data: 0, payload: spec);
                break;
            case FaultKind.AlertSinkDown:
                _alertSinkDown.Add((at, at + spec.DurationMs));
                break;
        }
    }

    /// <summary>The server or broker goes away and comes back. The controller's state survives, as the live host's
    /// SQLite persistence makes it; messages in the meantime are lost and devices retry.</summary>
    private void OnServerOutage(FaultSpec spec, bool start)
    {
        _serverDown = start;
        Journal(new JournalEntry(_now, start ? JournalKind.ServerRestart : JournalKind.ServerRestart, Status: start ? "down" : "up",
            Detail: spec.Kind.ToName(), Actor: "emulator"));
        if (!start)
        {
            _serverWakeAt = long.MaxValue;
            RunController(Tick.Instance);
        }
    }
}
