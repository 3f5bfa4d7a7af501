using System.Globalization;
using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Devices;

internal sealed partial class LiveDevice
{
    private MqttLink CreateLink(int epoch)
    {
        var lossy = Faults.Find(FaultKind.MessageLoss) is not null;
        return new MqttLink(
            Id,
            lossy ? _context.LossyBroker : _context.Broker,
            _context.Mqtt,
            _context.ConnectSlots,
            Spec.Seed,
            _context.Logger,
            message =>
            {
                // Not awaited, so that the MQTT receive loop never waits for the device gate; the gate keeps the order.
                Forget(RunLockedAsync(epoch, () => OnServerMessageLockedAsync(message)));
                return Task.CompletedTask;
            },
            online => Forget(RunLockedAsync(epoch, () => OnLinkChangedLockedAsync(online))));
    }

    /// <summary>Journals a device message as sent and publishes it; a message sent while the link is down is lost.</summary>
    private Task SendLockedAsync(DeviceMessage message)
    {
        var (release, status, value) = MessageJournal.Describe(message);
        _context.Journal.Append(new JournalEntry(0, JournalKind.MessageSent, Id, release, MessageJournal.RunningVersionOf(message), message.Type, status, value, "device"));
        var sent = _link?.TryPublish(message) == true;
        if (!sent)
        {
            _context.Journal.Append(new JournalEntry(0, JournalKind.MessageLost, Id, null, null, message.Type, "device offline", 0, "device"));
        }

        if (sent && message is StatusReport { Status: UpdateStatus.Succeeded }
            && Faults.Take(FaultKind.PowerCut, PowerCutStep.Report) is { } cut)
        {
            // The report leaves, but power goes before the acknowledgement can arrive.
            return CutPowerLockedAsync(OffTime(cut));
        }

        return Task.CompletedTask;
    }

    private async Task OnServerMessageLockedAsync(ServerMessage message)
    {
        if (_agent is null || message.DeviceId != Id)
        {
            return;
        }

        message = ApplyImageFaults(message);
        var (release, detail) = MessageJournal.Describe(message);
        _context.Journal.Append(new JournalEntry(0, JournalKind.MessageDelivered, Id, release, null, message.Type, detail, 0, "device"));
        await RunAgentLockedAsync(new MessageReceived(message)).ConfigureAwait(false);
    }

    private async Task OnLinkChangedLockedAsync(bool online)
    {
        if (_agent is null || _partitioned)
        {
            return;
        }

        await RunAgentLockedAsync(new ConnectivityChanged(online)).ConfigureAwait(false);
    }

    /// <summary>Swaps an offer's manifest for the variant an image fault asks for: a tampered signature, or a manifest
    /// for other hardware or below the security floor signed with the fault-injection key.</summary>
    private ServerMessage ApplyImageFaults(ServerMessage message)
    {
        if (message is not UpdateOffer offer || ReferenceEquals(Faults, DeviceFaults.None))
        {
            return message;
        }

        SignedManifest? swapped = null;
        FaultKind kind = default;
        if (Faults.Take(FaultKind.BadSignature) is not null)
        {
            var signature = (byte[])offer.Manifest.Signature.Clone();
            if (signature.Length > 0)
            {
                signature[^1] ^= 0x01;
            }

            (swapped, kind) = (offer.Manifest with { Signature = signature }, FaultKind.BadSignature);
        }
        else if (Faults.Take(FaultKind.WrongHardware) is not null)
        {
            var manifest = offer.Manifest.Manifest with { CompatibleHardware = [new HardwareTarget("other-model", "Z")] };
            (swapped, kind) = (_context.FaultSigner.Sign(manifest), FaultKind.WrongHardware);
        }
        else if (Faults.Take(FaultKind.Downgrade) is not null)
        {
            (swapped, kind) = (_context.FaultSigner.Sign(offer.Manifest.Manifest with { SecurityVersion = 0 }), FaultKind.Downgrade);
        }

        if (swapped is null)
        {
            return message;
        }

        Journal(JournalKind.FaultInjected, kind.ToName(), "offer manifest replaced");
        return offer with { Manifest = swapped };
    }

    /// <summary>Starts or ends a network partition: the link drops and stays down until the partition ends.</summary>
    public Task SetPartitionAsync(bool start) => RunLockedAsync(_epoch, async () =>
    {
        if (_partitioned == start)
        {
            return;
        }

        _partitioned = start;
        Journal(start ? JournalKind.PartitionStart : JournalKind.PartitionEnd);
        if (_link is not { } link || _agent is null)
        {
            return;
        }

        if (start)
        {
            await link.PauseAsync().ConfigureAwait(false);
            if (_transfer is not null)
            {
                StopTransferLocked();
                var bytes = CurrentDownloadBytes();
                Journal(JournalKind.DownloadInterrupted, "offline", value: bytes);
                await RunAgentLockedAsync(new DownloadFailed(DownloadError.Offline, bytes)).ConfigureAwait(false);
            }

            if (_agent is not null)
            {
                await RunAgentLockedAsync(new ConnectivityChanged(false)).ConfigureAwait(false);
            }
        }
        else
        {
            link.Resume();
        }
    });

    private void ScheduleSlowBurn(FaultSpec spec, long delayMs, long remaining, int epoch) =>
        AtVirtualDelay(delayMs, () => RunLockedAsync(epoch, async () =>
        {
            if (_bricked || RunningVersion != Spec.Release.Version || remaining <= 0)
            {
                return;
            }

            Journal(JournalKind.DeviceFault, "critical", "application fault after update", RunningVersion);
            await SendLockedAsync(new FaultReport(Id, RunningVersion, "application-fault", Critical: true)).ConfigureAwait(false);
            if (remaining > 1)
            {
                ScheduleSlowBurn(spec, Math.Max(spec.IntervalMs, 60_000), remaining - 1, epoch);
            }
        }));

    /// <summary>Schedules the first power-on within the first virtual minute, drawn as the simulation host draws it.</summary>
    public void SchedulePowerOn() => AtVirtualTime(_random.NextLong(60_000), PowerOnAsync);

    /// <summary>Schedules the faults aimed at a time: power cuts, brownouts and partitions.</summary>
    public void ScheduleTimedFaults()
    {
        foreach (var spec in Faults.Entries)
        {
            switch (spec.Kind)
            {
                case FaultKind.PowerCut or FaultKind.Brownout when spec.AtMs is { } at:
                    var off = spec.DurationMs > 0 ? spec.DurationMs : spec.Kind == FaultKind.Brownout ? 5_000 : Spec.Timing.PowerOffMs;
                    for (var i = 0; i < Math.Max(spec.Repeat, 1); i++)
                    {
                        AtVirtualTime(at + i * Math.Max(spec.IntervalMs, off + 1_000), () => CutPowerAsync(off));
                    }

                    break;
                case FaultKind.Partition when spec.AtMs is { } partitionAt:
                    for (var i = 0; i < Math.Max(spec.Repeat, 1); i++)
                    {
                        var start = partitionAt + i * Math.Max(spec.IntervalMs, spec.DurationMs + 1_000);
                        AtVirtualTime(start, () => SetPartitionAsync(true));
                        AtVirtualTime(start + spec.DurationMs, () => SetPartitionAsync(false));
                    }

                    break;
            }
        }
    }

    /// <summary>Runs an action at a virtual time on a timer that survives power cuts.</summary>
    public void AtVirtualTime(long atMs, Func<Task> action)
    {
        // Measured from the unclamped clock, because a host may schedule before the run's virtual time 0.
        var delay = TimeSpan.FromMilliseconds(Math.Max(atMs - _context.Clock.VirtualMs, 0));
        var timer = _context.Clock.CreateTimer(_ => Forget(action()), null, delay, Timeout.InfiniteTimeSpan);
        lock (_deviceTimers)
        {
            _deviceTimers.Add(timer);
        }
    }
}
