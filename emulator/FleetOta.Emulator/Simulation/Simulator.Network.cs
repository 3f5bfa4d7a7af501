using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

public sealed partial class Simulator
{
    /// <summary>The controller is away (restarting): it receives nothing and runs no timers.</summary>
    private bool _controllerDown;

    /// <summary>The broker is away: messages in both directions are lost, the controller keeps running.</summary>
    private bool _brokerDown;

    private void SendToServer(SimDevice device, DeviceMessage message)
    {
        var (release, status, value) = MessageJournal.Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageSent, device.Profile.Id, release, MessageJournal.RunningVersionOf(message), message.Type,
            status, value, "device"));

        if (message is StatusReport { Status: UpdateStatus.Succeeded } && StepFault(device, PowerCutStep.Report) is { } cut)
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

        if (LostInTransit(device) is { } why)
        {
            JournalLost(device.Profile.Id, message.Type, why, "device");
            return;
        }

        var delay = Latency(device);
        if (ActiveFault(device, FaultKind.DelayedTelemetry) is { } delayed)
        {
            delay += (long)delayed.EffectiveAmount;
        }

        if (message is StatusReport && ActiveFault(device, FaultKind.LateReports) is { } late && device.Random.Chance(late.EffectiveRate))
        {
            delay += (long)late.EffectiveAmount;
        }

        Schedule(_now + delay, EventKind.DeliverToServer, device.Profile.Id, payload: message);
        if (message is StatusReport && ActiveFault(device, FaultKind.DuplicateReports) is { } duplicate
            && device.Random.Chance(duplicate.EffectiveRate))
        {
            Schedule(_now + delay + (long)duplicate.EffectiveAmount, EventKind.DeliverToServer, device.Profile.Id, payload: message);
        }
    }

    /// <summary>Draws the loss of one message: the profile's loss, then the extra loss of an open message-loss fault.
    /// Returns why the message was lost, or null when it gets through.</summary>
    private string? LostInTransit(SimDevice device)
    {
        var draw = device.Random.NextDouble();
        var loss = device.Profile.Network.Loss;
        if (draw < loss)
        {
            return "lost in transit";
        }

        if (ActiveFault(device, FaultKind.MessageLoss) is { } extra && draw < loss + extra.EffectiveRate)
        {
            return "lost by message-loss fault";
        }

        return null;
    }

    private long Latency(SimDevice device)
    {
        var network = device.Profile.Network;
        long latency = network.LatencyMs + device.Random.NextLong(network.JitterMs + 1);
        if (ActiveFault(device, FaultKind.Latency) is { } extra)
        {
            var amount = (long)extra.EffectiveAmount;
            latency += amount + device.Random.NextLong((long)(extra.Rate * amount) + 1);
        }

        return Math.Max(latency, 1);
    }

    private void DeliverToServer(DeviceMessage message)
    {
        if (_brokerDown || _controllerDown)
        {
            JournalLost(message.DeviceId, message.Type, _brokerDown ? "broker unavailable" : "server unavailable", "device");
            return;
        }

        var (release, status, value) = MessageJournal.Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageDelivered, message.DeviceId, release, MessageJournal.RunningVersionOf(message), message.Type,
            status, value, "server"));
        RunController(new FleetOta.Server.Delivered(message));
    }

    private void SendToDevice(ServerMessage message)
    {
        var device = _devices[message.DeviceId];
        var (release, detail) = MessageJournal.Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageSent, message.DeviceId, release, null, message.Type, detail, 0, "server"));
        if (_brokerDown || !device.Online)
        {
            JournalLost(message.DeviceId, message.Type, _brokerDown ? "broker unavailable" : "device offline", "server");
            return;
        }

        if (LostInTransit(device) is { } why)
        {
            JournalLost(message.DeviceId, message.Type, why, "server");
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
        var (release, detail) = MessageJournal.Describe(message);
        Journal(new JournalEntry(_now, JournalKind.MessageDelivered, message.DeviceId, release, null, message.Type, detail, 0, "device"));
        RunAgent(device, new MessageReceived(message));
    }

    /// <summary>Swaps an offer's manifest for the variant of the image fault: tampered, for other hardware,
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

        JournalDevice(device, JournalKind.FaultInjected, kind.ToName(), kind switch
        {
            FaultKind.BadSignature => "offer manifest signature altered",
            FaultKind.WrongHardware => "offer manifest for other hardware",
            _ => $"offer manifest with security version {swapped.Manifest.SecurityVersion}, below the device's floor",
        });
        return offer with { Manifest = swapped };
    }

    private void JournalLost(int device, string type, string why, string sender) =>
        Journal(new JournalEntry(_now, JournalKind.MessageLost, device, null, null, type, why, 0, sender));
}
