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

    private void OnPartition(SimDevice device, bool start)
    {
        var wasOnline = device.Online;
        device.Partitioned = start;
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
            RunAgent(device, new ConnectivityChanged(online));
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

        // Offsets of half hours shift the boundaries off the hour.
        return next - device.Profile.UtcOffsetMinutes * 60_000L % Hour;
    }

    private void ScheduleDeviceFault(SimDevice device, FaultSpec spec)
    {
        var id = device.Profile.Id;
        switch (spec.Kind)
        {
            case FaultKind.PowerCut or FaultKind.Brownout when spec.AtMs is { } at:
                var off = spec.DurationMs > 0 ? spec.DurationMs : spec.Kind == FaultKind.Brownout ? 5_000 : _spec.Timing.PowerOffMs;
                for (var i = 0; i < Math.Max(spec.Repeat, 1); i++)
                {
                    Schedule(at + i * Math.Max(spec.IntervalMs, off + 1_000), EventKind.PowerCut, id, data: off);
                }

                break;
            case FaultKind.Partition when spec.AtMs is { } partitionAt:
                for (var i = 0; i < Math.Max(spec.Repeat, 1); i++)
                {
                    var start = partitionAt + i * Math.Max(spec.IntervalMs, spec.DurationMs + 1_000);
                    Schedule(start, EventKind.Partition, id, data: 1);
                    Schedule(start + spec.DurationMs, EventKind.Partition, id, data: 0);
                }

                break;
        }
    }
}
