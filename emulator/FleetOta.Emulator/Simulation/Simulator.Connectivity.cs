using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Journal;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    private const long Hour = 3_600_000;

    /// <summary>Sets the link state at the start and schedules the first change of the device's pattern. Virtual
    /// time 0 is a Monday at 00:00 UTC, so business hours follow each site's offset from there.</summary>
    private void StartConnectivity(SimDevice device)
    {
        var pattern = device.Profile.Connectivity;
        switch (pattern.Kind)
        {
            case ConnectivityKind.AlwaysOn:
                SetLink(device, true);
                break;
            case ConnectivityKind.Never:
                device.LinkUp = false;
                break;
            case ConnectivityKind.BusinessHours:
                var up = IsBusinessHour(device, 0);
                SetLink(device, up);
                Schedule(NextBusinessChange(device, 0), EventKind.LinkChange, device.Profile.Id, data: up ? 0 : 1);
                break;
            case ConnectivityKind.Intermittent:
            case ConnectivityKind.Rare:
                var online = device.Random.Chance(pattern.ExpectedOnlineShare);
                SetLink(device, online);
                var mean = online ? pattern.MeanOnlineMs : pattern.MeanOfflineMs;
                // The first period is a residual period: uniform over a full one keeps the long-run share.
                Schedule(device.Random.NextLong(Math.Max(2 * mean, 1)), EventKind.LinkChange, device.Profile.Id, data: online ? 0 : 1);
                break;
        }
    }

    private void SetLink(SimDevice device, bool up)
    {
        device.LinkUp = up;
        JournalDevice(device, up ? JournalKind.DeviceOnline : JournalKind.DeviceOffline, device.Profile.Connectivity.Name);
    }

    private void OnLinkChange(SimDevice device, bool up, bool scheduleNext)
    {
        var wasOnline = device.Online;
        SetLink(device, up);
        NotifyLink(device, wasOnline);
        if (!scheduleNext)
        {
            return;
        }

        var pattern = device.Profile.Connectivity;
        long next = pattern.Kind switch
        {
            ConnectivityKind.BusinessHours => NextBusinessChange(device, _now),
            ConnectivityKind.Intermittent or ConnectivityKind.Rare =>
                _now + Math.Max(device.Random.Exponential(up ? pattern.MeanOnlineMs : pattern.MeanOfflineMs), 1_000),
            _ => -1,
        };
        if (next >= 0)
        {
            Schedule(next, EventKind.LinkChange, device.Profile.Id, data: up ? 0 : 1);
        }
    }

    /// <summary>Starts or ends a partition. Partitions may overlap; the device is reachable again when the last ends.</summary>
    private void OnPartition(SimDevice device, bool start, FaultSpec spec)
    {
        var wasOnline = device.Online;
        device.Partitions = Math.Max(device.Partitions + (start ? 1 : -1), 0);
        if (start)
        {
            JournalDevice(device, JournalKind.FaultInjected, spec.Kind.ToName(), spec.Step is { } step ? "at step " + step.ToName() : "at a planned time",
                value: spec.EffectiveDurationMs(_spec.Timing.PowerOffMs));
        }

        JournalDevice(device, start ? JournalKind.PartitionStart : JournalKind.PartitionEnd);
        NotifyLink(device, wasOnline);
    }

    /// <summary>Tells the agent when its reachability changed, and breaks a transfer the link loss interrupts.</summary>
    private void NotifyLink(SimDevice device, bool wasOnline)
    {
        var online = device.Online;
        if (online == wasOnline || device.Agent is null)
        {
            return;
        }

        if (!online && device.Transferring)
        {
            StopTransfer(device);
            JournalDevice(device, JournalKind.DownloadInterrupted, "offline", null, null, device.DownloadBytes);
            RunAgent(device, new DownloadFailed(DownloadError.Offline, device.DownloadBytes));
        }

        if (device.Agent is not null)
        {
            RunAgent(device, online ? WentOnline : WentOffline);
        }
    }

    private static bool IsBusinessHour(SimDevice device, long timeMs)
    {
        var local = timeMs + device.Profile.UtcOffsetMinutes * 60_000L + 7 * 24 * Hour;
        var day = local / (24 * Hour) % 7;
        var hour = local / Hour % 24;
        return day < 5 && hour is >= 8 and < 18;
    }

    private static long NextBusinessChange(SimDevice device, long timeMs)
    {
        var current = IsBusinessHour(device, timeMs);
        var next = (timeMs / Hour + 1) * Hour;
        while (IsBusinessHour(device, next) == current)
        {
            next += Hour;
        }

        // The category changed at a local hour boundary between next - 1 h and next. A half-hour offset puts that
        // boundary half an hour before the UTC hour.
        var offset = ((device.Profile.UtcOffsetMinutes * 60_000L % Hour) + Hour) % Hour;
        return offset == 0 ? next : next - offset;
    }
}
