using FleetOta.Emulator.Fleet;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    /// <summary>Schedules the first power-on (spread over the first minute, or at the end of a nightly off period the
    /// run starts in) and the first outage of the device's power pattern.</summary>
    private void StartPower(SimDevice device)
    {
        var id = device.Profile.Id;
        var pattern = device.Profile.Power;
        var powerOnAt = device.Random.NextLong(60_000);
        switch (pattern.Kind)
        {
            case PowerKind.NightlyOff:
                var (offStart, offEnd) = NightlyOffPeriod(device, 0);
                if (offStart <= 0)
                {
                    powerOnAt = Math.Max(powerOnAt, offEnd);
                    Schedule(NightlyOffPeriod(device, offEnd).Start, EventKind.PowerPattern, id);
                }
                else
                {
                    Schedule(offStart, EventKind.PowerPattern, id);
                }

                break;
            case PowerKind.Unstable:
                Schedule(powerOnAt + Math.Max(device.Random.Exponential(pattern.MeanOnMs), 1_000), EventKind.PowerPattern, id);
                break;
        }

        Schedule(powerOnAt, EventKind.PowerOn, id);
    }

    /// <summary>Cuts power for one off period of the pattern and schedules the next.</summary>
    private void OnPowerPattern(SimDevice device)
    {
        var pattern = device.Profile.Power;
        long offMs;
        long next;
        switch (pattern.Kind)
        {
            case PowerKind.NightlyOff:
                var (_, end) = NightlyOffPeriod(device, _now);
                offMs = end - _now;
                next = NightlyOffPeriod(device, end).Start;
                break;
            case PowerKind.Unstable:
                offMs = Math.Max(device.Random.Exponential(pattern.MeanOffMs), 1_000);
                next = _now + offMs + Math.Max(device.Random.Exponential(pattern.MeanOnMs), 1_000);
                break;
            default:
                return;
        }

        PowerCut(device, offMs, pattern.Name);
        Schedule(next, EventKind.PowerPattern, device.Profile.Id);
    }

    /// <summary>Returns the nightly off period that contains <paramref name="timeMs"/> or, if none does, the next one.
    /// Virtual time 0 is a Monday at 00:00 UTC; the hours are the site's local time.</summary>
    private static (long Start, long End) NightlyOffPeriod(SimDevice device, long timeMs)
    {
        const long day = 24 * Hour;
        var pattern = device.Profile.Power;
        var offset = device.Profile.UtcOffsetMinutes * 60_000L;
        var local = timeMs + offset;
        // The period that started on the previous local day may still run past midnight.
        var dayStart = (long)Math.Floor(local / (double)day) * day - day;
        for (var i = 0; i < 3; i++, dayStart += day)
        {
            var start = dayStart + pattern.OffFromHour * Hour;
            var end = start + pattern.OffHours * Hour;
            if (local < end)
            {
                return (start - offset, end - offset);
            }
        }

        throw new InvalidOperationException($"No nightly off period found after {timeMs} ms for device {device.Profile.Id}.");
    }
}
