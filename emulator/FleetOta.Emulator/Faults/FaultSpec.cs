using FleetOta.Emulator.Fleet;

namespace FleetOta.Emulator.Faults;

/// <summary>Which devices a fault aims at: the devices matching every given selector, then a share or a count of them.</summary>
/// <param name="Share">Share of the matching devices, 0..1; null with no <see cref="Count"/> means all of them.</param>
public sealed record FaultTarget(
    double? Share = null,
    int? Count = null,
    string? Hardware = null,
    string? Network = null,
    string? Site = null,
    string? Connectivity = null)
{
    public static readonly FaultTarget All = new();

    public bool Matches(DeviceProfile device) =>
        (Hardware is null || device.Hardware.Model == Hardware || $"{device.Hardware.Model}/{device.Hardware.Revision}" == Hardware)
        && (Network is null || device.Network.Name == Network)
        && (Site is null || device.Site == Site)
        && (Connectivity is null || device.Connectivity.Name == Connectivity);
}

/// <summary>One entry of a fault plan. Times and durations are in milliseconds since the run started.</summary>
/// <param name="AtMs">When the fault happens (time-aimed kinds); null for kinds aimed at an agent step or the whole run.</param>
/// <param name="Step">The agent step a power cut is aimed at.</param>
/// <param name="DurationMs">How long it lasts: partition, outage, power off, sink down.</param>
/// <param name="Repeat">How many times it happens; brownouts and slow-burn faults repeat.</param>
/// <param name="IntervalMs">Time between repeats.</param>
/// <param name="Rate">Probability or rate where the kind has one: message loss, connection reset, duplicate report.</param>
/// <param name="Amount">A size where the kind has one: extra latency in ms, bandwidth in bytes/s, delay in ms.</param>
public sealed record FaultSpec(
    FaultKind Kind,
    FaultTarget Target,
    long? AtMs = null,
    PowerCutStep? Step = null,
    long DurationMs = 0,
    int Repeat = 1,
    long IntervalMs = 0,
    double Rate = 0,
    double Amount = 0);
