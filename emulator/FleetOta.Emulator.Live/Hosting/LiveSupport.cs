using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>What the live host can run. A scenario that asks for more is rejected before anything starts, with the
/// fault kind or setting named, instead of running something else than it says.</summary>
public static class LiveSupport
{
    /// <summary>Fault kinds the live host injects: by the fault proxies (message loss, corruption in transit), in the
    /// device host (power, storage, release behaviour, offer manifests) or by the runner (controller restart).</summary>
    public static IReadOnlySet<FaultKind> Kinds { get; } = new HashSet<FaultKind>
    {
        FaultKind.MessageLoss, FaultKind.Partition, FaultKind.PowerCut, FaultKind.Brownout, FaultKind.CorruptInTransit,
        FaultKind.CorruptAtRest, FaultKind.BitFlipOnWrite, FaultKind.Truncated, FaultKind.BadSignature, FaultKind.WrongHardware,
        FaultKind.Downgrade, FaultKind.StorageFull, FaultKind.CrashLoop, FaultKind.HealthCheckFailure, FaultKind.SlowBurn,
        FaultKind.ControllerRestart,
    };

    /// <summary>Returns one message per unsupported setting of the scenario; empty when the live host can run it.</summary>
    public static IReadOnlyList<string> Problems(SimulationSpec spec)
    {
        var problems = new List<string>();
        foreach (var fault in spec.Faults)
        {
            if (!Kinds.Contains(fault.Kind))
            {
                problems.Add($"Fault kind {fault.Kind.ToName()} is not available in live mode; live mode injects " +
                             string.Join(", ", Kinds.Select(kind => kind.ToName()).Order(StringComparer.Ordinal)) +
                             ". Run the scenario in simulation mode or remove the fault.");
            }
            else if (fault.Kind is FaultKind.Partition or FaultKind.Brownout && fault.AtMs is null)
            {
                problems.Add($"Fault kind {fault.Kind.ToName()} needs a time (at) in live mode; aiming it at an agent step is available " +
                             "in simulation mode only.");
            }
            else if (fault.IsContinuous && fault.AtMs is not null)
            {
                problems.Add($"Fault kind {fault.Kind.ToName()} with a time window (at) is available in simulation mode only; in live mode " +
                             "it lasts the whole run, so remove at and duration.");
            }
        }

        foreach (var share in spec.Fleet.Connectivity)
        {
            if (share.Value.Kind != ConnectivityKind.AlwaysOn && share.Weight > 0)
            {
                problems.Add($"Connectivity pattern {share.Value.Name} is not available in live mode, where every device is always on; " +
                             "model outages with partition faults instead.");
            }
        }

        foreach (var share in spec.Fleet.Power)
        {
            if (share.Value.Kind != PowerKind.Mains && share.Weight > 0)
            {
                problems.Add($"Power pattern {share.Value.Name} is not available in live mode, where every device is on mains power; " +
                             "model power loss with power-cut or brownout faults instead.");
            }
        }

        if (spec.Release.ImageBytes > 64L << 20)
        {
            problems.Add($"The image of release {spec.Release.Id} is {spec.Release.ImageBytes} bytes; live mode writes real images for every " +
                         "device, so use at most 64 MiB (image-size), and much less for large fleets.");
        }

        return problems;
    }
}
