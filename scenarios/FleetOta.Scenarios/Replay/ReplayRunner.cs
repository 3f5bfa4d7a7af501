using FleetOta.Journal;
using FleetOta.Server;

namespace FleetOta.Scenarios.Replay;

/// <summary>Feeds a recording to the current <see cref="RolloutController"/> the way the simulation host does: each
/// input at its time, a tick at every wake-up the controller asks for (before an input at the same time), and
/// nothing while the server is down. Devices do not react to the replayed decisions: they send what they sent in the
/// recording.</summary>
public static class ReplayRunner
{
    /// <summary>Returns the controller decisions of the replay in the order the controller made them.</summary>
    public static List<JournalEntry> Run(ReplayInput input, RolloutOptions options)
    {
        var controller = new RolloutController(options, input.Devices);
        var decisions = new List<JournalEntry>();
        var outputs = new List<ControllerOutput>();
        var wakeAt = long.MaxValue;
        var now = 0L;
        var serverDown = false;

        void Handle(ControllerInput controllerInput)
        {
            if (serverDown)
            {
                return;
            }

            outputs.Clear();
            controller.Handle(controllerInput, now, outputs);
            foreach (var output in outputs)
            {
                if (output is Record record)
                {
                    decisions.Add(record.Entry);
                }
            }

            wakeAt = Math.Min(wakeAt, Math.Max(controller.NextWakeUpMs, now));
        }

        void TickUntil(long time)
        {
            while (wakeAt <= time)
            {
                now = Math.Max(now, wakeAt);
                wakeAt = long.MaxValue;
                Handle(Tick.Instance);
            }
        }

        foreach (var replayEvent in input.Events)
        {
            if (replayEvent.TimeMs > input.EndMs)
            {
                break;
            }

            TickUntil(replayEvent.TimeMs);
            now = Math.Max(now, replayEvent.TimeMs);
            switch (replayEvent)
            {
                case ReplayStart start:
                    Handle(start.Deployment);
                    break;
                case ReplayMessage message:
                    Handle(new Delivered(message.Message));
                    break;
                case ReplayOperator action:
                    Handle(action.Action);
                    break;
                case ReplayServer { Up: false }:
                    serverDown = true;
                    break;
                case ReplayServer { Up: true }:
                    serverDown = false;
                    wakeAt = long.MaxValue;
                    Handle(Tick.Instance);
                    break;
            }
        }

        TickUntil(input.EndMs);
        return decisions;
    }
}
