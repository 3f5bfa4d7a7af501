using System.Net;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Live.Timing;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Devices;

/// <summary>Everything the devices of one host share: the scenario, the clock, the journal, the signature check,
/// the HTTP clients and the broker end points. Thread-safe.</summary>
internal sealed class DeviceContext
{
    public required SimulationSpec Spec { get; init; }

    public required CompressedTimeProvider Clock { get; init; }

    public required LiveJournal Journal { get; init; }

    public required IManifestVerifier Verifier { get; init; }

    /// <summary>Signs the manifest variants that image faults swap into an offer (other hardware, below the
    /// security floor). Devices trust its key besides the server's, so those variants fail the check the fault
    /// aims at and not the signature check.</summary>
    public required ManifestSigner FaultSigner { get; init; }

    /// <summary>Downloads through the HTTP proxy that forwards bytes unchanged.</summary>
    public required HttpClient Http { get; init; }

    public required Uri ArtifactBase { get; init; }

    /// <summary>Downloads through the HTTP proxy that corrupts bytes, for devices with a corrupt-in-transit fault.</summary>
    public required HttpClient CorruptingHttp { get; init; }

    public required Uri CorruptingArtifactBase { get; init; }

    /// <summary>Broker end point of devices without a message-loss fault.</summary>
    public required IPEndPoint Broker { get; init; }

    /// <summary>Broker end point behind the proxy that drops messages, for devices with a message-loss fault.</summary>
    public required IPEndPoint LossyBroker { get; init; }

    public required MqttLinkOptions Mqtt { get; init; }

    public required SemaphoreSlim ConnectSlots { get; init; }

    public required ILogger Logger { get; init; }

    /// <summary>Bytes of the image in slot A at the start, whose SHA-256 is the initial slot digest.</summary>
    public required byte[] InitialImage { get; init; }

    public required string InitialDigest { get; init; }

    public long NowMs => Journal.NowMs;
}
