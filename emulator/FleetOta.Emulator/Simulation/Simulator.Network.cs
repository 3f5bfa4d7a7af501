using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    private bool _serverDown;

    private void SendToServer(SimDevice device, DeviceMessage message)
    {
        var (release, status, value) = Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageSent, device.Profile.Id, release, RunningVersionOf(message), message.Type,
            status, value, "device"));

        if (device.Faults.Take(FaultKind.PowerCut, PowerCutStep.Report) is { } cut
            && message is StatusReport { Status: UpdateStatus.Succeeded })
        {
            // The report leaves, but power goes before the acknowledgement can arrive.
            Transmit(device, message);
            CutPower(device, cut);
            return;
        }

        Transmit(device, message);
    }

    private void Transmit(SimDevice device, DeviceMessage message)
    {
        if (!device.Online)
        {
            JournalLost(device.Profile.Id, message.Type, "device offline", "device");
            return;
        }

        var loss = device.Profile.Network.Loss + ExtraLoss(device);
        if (device.Random.Chance(loss))
        {
            JournalLost(device.Profile.Id, message.Type, "lost in transit", "device");
            return;
        }

        var delay = Latency(device);
        if (device.Faults.Find(FaultKind.DelayedTelemetry) is { } delayed)
        {
            delay += (long)delayed.Amount;
        }

        if (message is StatusReport && device.Faults.Find(FaultKind.LateReports) is { } late && device.Random.Chance(Rate(late)))
        {
            delay += (long)late.Amount;
        }

        Schedule(_now + delay, EventKind.DeliverToServer, device.Profile.Id, payload: message);
        if (message is StatusReport && device.Faults.Find(FaultKind.DuplicateReports) is { } duplicate && device.Random.Chance(Rate(duplicate)))
        {
            Schedule(_now + delay + Math.Max((long)duplicate.Amount, 1_000), EventKind.DeliverToServer, device.Profile.Id, payload: message);
        }
    }

    private static double Rate(FaultSpec spec) => spec.Rate > 0 ? spec.Rate : 1.0;

    private static double ExtraLoss(SimDevice device)
    {
        if (ReferenceEquals(device.Faults, DeviceFaults.None))
        {
            return 0;
        }

        return device.Faults.Find(FaultKind.MessageLoss)?.Rate ?? 0;
    }

    private long Latency(SimDevice device)
    {
        var network = device.Profile.Network;
        long latency = network.LatencyMs + device.Random.NextLong(network.JitterMs + 1);
        if (device.Faults.Find(FaultKind.Latency) is { } extra)
        {
            latency += (long)extra.Amount + device.Random.NextLong((long)(extra.Rate * extra.Amount) + 1);
        }

        return Math.Max(latency, 1);
    }

    private void DeliverToServer(DeviceMessage message)
    {
        if (_serverDown)
        {
            JournalLost(message.DeviceId, message.Type, "server unavailable", "device");
            return;
        }

        var (release, status, value) = Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageDelivered, message.DeviceId, release, RunningVersionOf(message), message.Type,
            status, value, "server"));
        RunController(new FleetOta.Server.Delivered(message));
    }

    private void SendToDevice(ServerMessage message)
    {
        var device = _devices[message.DeviceId];
        var (release, detail) = Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageSent, message.DeviceId, release, null, message.Type, detail, 0, "server"));
        if (_serverDown || !device.Online)
        {
            JournalLost(message.DeviceId, message.Type, _serverDown ? "server unavailable" : "device offline", "server");
            return;
        }

        if (device.Random.Chance(device.Profile.Network.Loss + ExtraLoss(device)))
        {
            JournalLost(message.DeviceId, message.Type, "lost in transit", "server");
            return;
        }

        Schedule(_now + Latency(device), EventKind.DeliverToDevice, message.DeviceId, payload: message);
    }

    private void DeliverToDevice(ServerMessage message)
    {
        var device = _devices[message.DeviceId];
        if (!device.Online || device.Agent is null)
        {
            JournalLost(message.DeviceId, message.Type, "device offline", "server");
            return;
        }

        message = ApplyImageFaults(device, message);
        var (release, detail) = Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageDelivered, message.DeviceId, release, null, message.Type, detail, 0, "device"));
        RunAgent(device, new MessageReceived(message));
    }

    /// <summary>Swaps an offer's manifest for the variant an image fault asks for: tampered, for other hardware,
    /// or below the security floor.</summary>
    private ServerMessage ApplyImageFaults(SimDevice device, ServerMessage message)
    {
        if (message is not UpdateOffer offer || ReferenceEquals(device.Faults, DeviceFaults.None))
        {
            return message;
        }

        SignedManifest? swapped = null;
        FaultKind kind = default;
        if (device.Faults.Take(FaultKind.BadSignature) is not null)
        {
            (swapped, kind) = (_releases.Tampered, FaultKind.BadSignature);
        }
        else if (device.Faults.Take(FaultKind.WrongHardware) is not null)
        {
            (swapped, kind) = (_releases.ForOtherHardware, FaultKind.WrongHardware);
        }
        else if (device.Faults.Take(FaultKind.Downgrade) is not null)
        {
            (swapped, kind) = (_releases.Downgrade, FaultKind.Downgrade);
        }

        if (swapped is null)
        {
            return message;
        }

        JournalDevice(device, JournalKind.FaultInjected, kind.ToName(), "offer manifest replaced");
        return offer with { Manifest = swapped };
    }

    private void JournalLost(int device, string type, string why, string sender) =>
        Journal(new JournalEntry(_now, JournalKind.MessageLost, device, null, null, type, why, 0, sender));

    private static string? RunningVersionOf(DeviceMessage message) => message switch
    {
        Heartbeat heartbeat => heartbeat.RunningVersion,
        StatusReport report => report.RunningVersion,
        FaultReport fault => fault.RunningVersion,
        _ => null,
    };

    private static (string? Release, string? Status, long Value) Describe(DeviceMessage message) => message switch
    {
        StatusReport report => (report.ReleaseId, StatusDetail(report), report.Sequence),
        Heartbeat heartbeat => (null, heartbeat.Degraded ? "degraded" : heartbeat.Healthy ? "healthy" : "unhealthy", (long)heartbeat.ActiveSlot),
        FaultReport fault => (null, fault.Critical ? "critical:" + fault.Code : fault.Code, 0),
        _ => (null, null, 0),
    };

    private static string StatusDetail(StatusReport report) =>
        report.Reason == FailureReason.None ? report.Status.ToWire() : report.Status.ToWire() + ": " + report.Reason.ToText();

    private static (string? Release, string? Detail) Describe(ServerMessage message) => message switch
    {
        UpdateOffer offer => (offer.Manifest.Manifest.ReleaseId, offer.Manifest.Manifest.Version),
        DeviceCommand command => (command.Manifest?.Manifest.ReleaseId, command.Kind.ToString().ToLowerInvariant()),
        StatusAck ack => (null, ack.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        _ => (null, null),
    };

    private void StartTransfer(SimDevice device, StartDownload start)
    {
        StopTransfer(device);
        var id = device.Profile.Id;
        if (!device.Online)
        {
            Schedule(_now + 1_000, EventKind.AgentInput, id, device.Epoch, payload: new DownloadFailed(DownloadError.Offline, device.DownloadBytes));
            return;
        }

        if (start.FromOffset == 0)
        {
            device.DownloadCorrupt = false;
            device.TransferCorrupt = device.Faults.Take(FaultKind.CorruptInTransit) is not null;
        }

        var rate = device.Profile.Network.BytesPerSecond;
        if (device.Faults.Find(FaultKind.BandwidthCap) is { } cap)
        {
            rate = Math.Min(rate, cap.Amount);
        }

        device.Transferring = true;
        device.TransferId++;
        device.TransferStartMs = _now + Latency(device);
        device.TransferFrom = Math.Min(start.FromOffset, device.DownloadBytes);
        device.TransferTotal = start.TotalBytes;
        device.TransferRate = rate;
        JournalDevice(device, JournalKind.DownloadStarted, null, null, null, device.TransferFrom, start.ReleaseId);
        ScheduleTransferCheckpoint(device);
        if (device.Faults.Take(FaultKind.PowerCut, PowerCutStep.Download) is { } cut)
        {
            var duration = DurationMs(start.TotalBytes - device.TransferFrom, rate);
            Schedule(device.TransferStartMs + device.Random.NextLong(Math.Max(duration, 1)), EventKind.PowerCut, id,
                data: cut.DurationMs > 0 ? cut.DurationMs : _spec.Timing.PowerOffMs);
        }
    }

    /// <summary>Schedules the next point of interest of the transfer: a 25% progress mark, a reset, a full disk, or the end.</summary>
    private void ScheduleTransferCheckpoint(SimDevice device)
    {
        var total = device.TransferTotal;
        var end = total;
        if (device.Faults.Find(FaultKind.Truncated) is not null)
        {
            end = total * 4 / 5;
        }

        var free = device.Profile.StorageBytes;
        if (device.Faults.Find(FaultKind.StorageFull) is { } full)
        {
            free = (long)full.Amount;
        }

        var stop = Math.Min(end, free);
        var reset = device.Faults.Find(FaultKind.ConnectionReset) is { } resetSpec && device.Random.Chance(Rate(resetSpec));
        var from = device.TransferFrom;
        var quarter = Math.Max(total / 4, 1);
        var nextMark = Math.Min((from / quarter + 1) * quarter, stop);
        var target = reset ? from + device.Random.NextLong(Math.Max(nextMark - from, 1)) : nextMark;
        var at = device.TransferStartMs + DurationMs(target - from, device.TransferRate);
        var kind = reset ? TransferStop.Reset : target >= stop ? (stop < end ? TransferStop.StorageFull : TransferStop.Complete) : TransferStop.Progress;
        Schedule(at, EventKind.TransferCheckpoint, device.Profile.Id, device.TransferId, data: target, payload: BoxedStops[(int)kind]);
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
                JournalDevice(device, JournalKind.DownloadInterrupted, "connection-reset", null, null, bytes);
                RunAgent(device, new DownloadFailed(DownloadError.ConnectionReset, bytes));
                break;
            case TransferStop.StorageFull:
                device.Transferring = false;
                JournalDevice(device, JournalKind.DownloadInterrupted, "storage-full", null, null, bytes);
                RunAgent(device, new DownloadFailed(DownloadError.InsufficientStorage, bytes));
                break;
            case TransferStop.Complete:
                device.Transferring = false;
                device.DownloadCorrupt = device.TransferCorrupt;
                if (device.TransferCorrupt)
                {
                    JournalDevice(device, JournalKind.FaultInjected, FaultKind.CorruptInTransit.ToName(), "bytes corrupted in transit");
                }

                JournalDevice(device, JournalKind.DownloadCompleted, null, null, null, bytes);
                RunAgent(device, new DownloadCompleted(bytes));
                break;
        }

    }

    private void StopTransfer(SimDevice device)
    {
        if (!device.Transferring)
        {
            return;
        }

        device.DownloadBytes = Math.Min(device.TransferTotal, device.TransferFrom + (long)(Math.Max(0, _now - device.TransferStartMs) * device.TransferRate / 1000.0));
        device.Transferring = false;
        device.TransferId++;
    }
}
