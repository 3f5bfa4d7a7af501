using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Journal;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    /// <summary>Starts or resumes a download. The transfer runs at the link's goodput (bandwidth less the share the
    /// profile's packet loss costs in retransmissions, or a bandwidth cap) and is cut into segments at 25% marks,
    /// where the agent persists its progress.</summary>
    private void StartTransfer(SimDevice device, StartDownload start)
    {
        StopTransfer(device);
        var id = device.Profile.Id;
        var stepCut = StepFault(device, PowerCutStep.Download);
        if (!device.Online)
        {
            Schedule(_now + 1_000, EventKind.AgentInput, id, device.Epoch, payload: new DownloadFailed(DownloadError.Offline, device.DownloadBytes));
            return;
        }

        if (start.FromOffset == 0)
        {
            device.DownloadCorrupt = false;
            device.TransferCorrupt = device.Faults.Take(FaultKind.CorruptInTransit) is not null;
            device.TransferTruncated = device.Faults.Take(FaultKind.Truncated) is not null;
        }

        device.Transferring = true;
        device.TransferId++;
        device.TransferStartMs = _now + Latency(device);
        device.TransferFrom = Math.Min(start.FromOffset, device.DownloadBytes);
        device.TransferTotal = start.TotalBytes;
        JournalDevice(device, JournalKind.DownloadStarted, null, null, null, device.TransferFrom, start.ReleaseId);
        ScheduleTransferCheckpoint(device);
        if (stepCut is not null)
        {
            var duration = DurationMs(start.TotalBytes - device.TransferFrom, device.TransferRate);
            Schedule(device.TransferStartMs + device.Random.NextLong(Math.Max(duration, 1)), EventKind.PowerCut, id, device.Epoch,
                OffMs(stepCut), stepCut.Kind.ToName());
        }
    }

    /// <summary>Returns the rate of the next transfer segment in bytes per second.</summary>
    private double TransferRate(SimDevice device)
    {
        var network = device.Profile.Network;
        var rate = network.BytesPerSecond * (1 - network.Loss);
        if (ActiveFault(device, FaultKind.BandwidthCap) is { } cap)
        {
            rate = Math.Min(rate, cap.Amount);
        }

        return rate;
    }

    /// <summary>Schedules the next point of interest of the transfer: a 25% progress mark, a reset, a full disk, or the end.</summary>
    private void ScheduleTransferCheckpoint(SimDevice device)
    {
        device.TransferRate = TransferRate(device);
        var total = device.TransferTotal;
        var end = device.TransferTruncated ? total * 4 / 5 : total;
        var free = Math.Max(device.Profile.StorageBytes - device.StorageUsedBytes, 0);
        var stop = Math.Min(end, free);
        var reset = ActiveFault(device, FaultKind.ConnectionReset) is { } resetSpec && device.Random.Chance(resetSpec.EffectiveRate);
        var from = device.TransferFrom;
        var quarter = Math.Max(total / 4, 1);
        var nextMark = Math.Min((from / quarter + 1) * quarter, stop);
        var target = reset ? from + device.Random.NextLong(Math.Max(nextMark - from, 1)) : nextMark;
        var at = device.TransferStartMs + DurationMs(target - from, device.TransferRate);
        var kind = TransferStop.Progress;
        if (reset)
        {
            kind = TransferStop.Reset;
        }
        else if (target >= stop)
        {
            kind = stop < end ? TransferStop.StorageFull : TransferStop.Complete;
        }

        Schedule(at, EventKind.TransferCheckpoint, device.Profile.Id, device.TransferId, data: target, payload: BoxedStops[(int)kind]);
    }

    /// <summary>Continues a running transfer from the bytes stored so far, under the conditions that hold now.</summary>
    private void ResegmentTransfer(SimDevice device)
    {
        var started = Math.Max(device.TransferStartMs, _now);
        device.DownloadBytes = BytesSoFar(device);
        device.TransferFrom = device.DownloadBytes;
        device.TransferStartMs = started;
        device.TransferId++;
        ScheduleTransferCheckpoint(device);
    }

    private enum TransferStop
    {
        Progress,
        Reset,
        StorageFull,
        Complete,
    }

    private static readonly object[] BoxedStops = Enum.GetValues<TransferStop>().Select(stop => (object)stop).ToArray();

    private void OnTransferCheckpoint(SimDevice device, in SimEvent e)
    {
        if (!device.Transferring || e.Token != device.TransferId)
        {
            return;
        }

        var bytes = e.Data;
        device.DownloadBytes = bytes;
        switch ((TransferStop)e.Payload!)
        {
            case TransferStop.Progress:
                device.TransferFrom = bytes;
                device.TransferStartMs = _now;
                ScheduleTransferCheckpoint(device);
                RunAgent(device, new DownloadProgressed(bytes));
                break;
            case TransferStop.Reset:
                device.Transferring = false;
                JournalDevice(device, JournalKind.FaultInjected, FaultKind.ConnectionReset.ToName(), "connection reset during the download", value: bytes);
                JournalDevice(device, JournalKind.DownloadInterrupted, "connection-reset", null, null, bytes);
                RunAgent(device, new DownloadFailed(DownloadError.ConnectionReset, bytes));
                break;
            case TransferStop.StorageFull:
                device.Transferring = false;
                JournalDevice(device, JournalKind.DownloadInterrupted, "storage-full",
                    $"{device.Profile.StorageBytes - device.StorageUsedBytes} bytes free of {device.Profile.StorageBytes}", null, bytes);
                RunAgent(device, new DownloadFailed(DownloadError.InsufficientStorage, bytes));
                break;
            case TransferStop.Complete:
                device.Transferring = false;
                device.DownloadCorrupt = device.TransferCorrupt;
                if (device.TransferCorrupt)
                {
                    JournalDevice(device, JournalKind.FaultInjected, FaultKind.CorruptInTransit.ToName(), "bytes corrupted in transit");
                }

                if (device.TransferTruncated)
                {
                    JournalDevice(device, JournalKind.FaultInjected, FaultKind.Truncated.ToName(), $"transfer closed after {bytes} of {device.TransferTotal} bytes",
                        value: bytes);
                }

                JournalDevice(device, JournalKind.DownloadCompleted, null, null, null, bytes);
                RunAgent(device, new DownloadCompleted(bytes));
                break;
        }
    }

    private long BytesSoFar(SimDevice device) =>
        Math.Min(device.TransferTotal, device.TransferFrom + (long)(Math.Max(0, _now - device.TransferStartMs) * device.TransferRate / 1000.0));

    private void StopTransfer(SimDevice device)
    {
        if (!device.Transferring)
        {
            return;
        }

        device.DownloadBytes = BytesSoFar(device);
        device.Transferring = false;
        device.TransferId++;
    }
}
