using FleetOta.Emulator.Fleet;

namespace FleetOta.Emulator.Faults;

/// <summary>Which devices a fault aims at: the devices matching every given selector, then a share or a count of them.</summary>
/// <param name="Share">Share of the matching devices, 0..1; null with no <see cref="Count"/> means all of them.</param>
/// <param name="Hardware">A hardware model ("gw-300") or model and revision ("gw-300/B").</param>
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

/// <summary>One entry of a fault plan. Times and durations are in milliseconds since the run started; a value of 0
/// for a duration, rate or amount means the kind's default in <see cref="FaultDefaults"/>.</summary>
/// <param name="AtMs">When the fault starts. For continuous kinds (see <see cref="IsContinuous"/>) null means the
/// whole run; for timed kinds (power cut, brownout, partition, server-side kinds) null with no step means the
/// release start.</param>
/// <param name="Step">The agent step a power cut, brownout or partition is aimed at, instead of a time.</param>
/// <param name="DurationMs">How long it lasts: partition, power off, outage, sink down, or the window of a
/// continuous kind (0: until the end of the run).</param>
/// <param name="Repeat">How many times it happens: at a time, every <see cref="IntervalMs"/>; at a step, on that
/// many passes through the step; for per-transfer image faults, on that many transfers.</param>
/// <param name="IntervalMs">Time between the starts of repeats.</param>
/// <param name="Rate">Probability where the kind has one: extra message loss, connection reset per transfer
/// segment, duplicate or late report; for latency, the jitter as a share of the extra latency.</param>
/// <param name="Amount">A size where the kind has one: extra latency or delay in ms, bandwidth in bytes/s, free
/// storage in bytes, slow-burn delay after the commit in ms.</param>
public sealed record FaultSpec(
    FaultKind Kind,
    FaultTarget Target,
    long? AtMs = null,
    PowerCutStep? Step = null,
    long DurationMs = 0,
    int Repeat = 1,
    long IntervalMs = 0,
    double Rate = 0,
    double Amount = 0)
{
    /// <summary>True for kinds that change every message, transfer or boot while their window is open, as opposed
    /// to kinds that happen once per occurrence.</summary>
    public bool IsContinuous => Kind is FaultKind.MessageLoss or FaultKind.Latency or FaultKind.BandwidthCap or FaultKind.ConnectionReset
        or FaultKind.DelayedTelemetry or FaultKind.DuplicateReports or FaultKind.LateReports or FaultKind.CrashLoop
        or FaultKind.HealthCheckFailure;

    /// <summary>True when a continuous fault's window is open at <paramref name="nowMs"/>.</summary>
    public bool IsActiveAt(long nowMs)
    {
        if (AtMs is not { } start)
        {
            return true;
        }

        if (nowMs < start)
        {
            return false;
        }

        if (DurationMs <= 0)
        {
            return true;
        }

        var period = Math.Max(IntervalMs, DurationMs);
        var index = (nowMs - start) / period;
        return index < Repeat && nowMs - start - index * period < DurationMs;
    }

    /// <summary>Returns the probability of the kind, or its default when <see cref="Rate"/> is 0.</summary>
    public double EffectiveRate => Rate > 0 ? Rate : Kind switch
    {
        FaultKind.MessageLoss => FaultDefaults.MessageLossRate,
        FaultKind.ConnectionReset => FaultDefaults.ConnectionResetRate,
        _ => 1.0,
    };

    /// <summary>Returns the size of the kind, or its default when <see cref="Amount"/> is 0.</summary>
    public double EffectiveAmount => Amount > 0 ? Amount : Kind switch
    {
        FaultKind.Latency => FaultDefaults.ExtraLatencyMs,
        FaultKind.DelayedTelemetry => FaultDefaults.TelemetryDelayMs,
        FaultKind.LateReports => FaultDefaults.LateReportDelayMs,
        FaultKind.DuplicateReports => FaultDefaults.DuplicateAfterMs,
        FaultKind.SlowBurn => FaultDefaults.SlowBurnDelayMs,
        _ => Amount,
    };

    /// <summary>Returns how long a timed fault lasts, or its default when <see cref="DurationMs"/> is 0.</summary>
    public long EffectiveDurationMs(long powerOffMs) => DurationMs > 0 ? DurationMs : Kind switch
    {
        FaultKind.PowerCut => powerOffMs,
        FaultKind.Brownout => FaultDefaults.BrownoutOffMs,
        FaultKind.Partition => FaultDefaults.PartitionMs,
        FaultKind.BrokerOutage => FaultDefaults.BrokerOutageMs,
        FaultKind.ControllerRestart => FaultDefaults.ControllerRestartMs,
        FaultKind.AlertSinkDown => FaultDefaults.AlertSinkDownMs,
        _ => 0,
    };

    /// <summary>Throws when the entry cannot have an effect as written, naming the value and the fix.</summary>
    public void Validate()
    {
        var name = Kind.ToName();
        if (Step is not null && Kind is not (FaultKind.PowerCut or FaultKind.Brownout or FaultKind.Partition))
        {
            throw new ArgumentException($"Fault {name} has step {Step.Value.ToName()}; only power-cut, brownout and partition can be aimed at an agent step.");
        }

        if (Step is not null && AtMs is not null)
        {
            throw new ArgumentException($"Fault {name} has both a time ({AtMs} ms) and a step ({Step.Value.ToName()}); give one of them.");
        }

        if (Kind == FaultKind.BandwidthCap && Amount <= 0)
        {
            throw new ArgumentException($"Fault bandwidth-cap has the bandwidth {Amount} bytes/s; give a bandwidth above 0.");
        }

        if (Rate is < 0 or > 1 || Repeat < 1 || DurationMs < 0 || IntervalMs < 0 || Amount < 0)
        {
            throw new ArgumentException(
                $"Fault {name} has rate {Rate}, repeat {Repeat}, duration {DurationMs} ms, interval {IntervalMs} ms and amount {Amount}; " +
                "the rate must be 0..1, repeat at least 1, and the others not negative.");
        }

        if (Target.Share is < 0 or > 1 || Target.Count < 0)
        {
            throw new ArgumentException($"Fault {name} aims at share {Target.Share} or count {Target.Count}; the share must be 0..1 and the count not negative.");
        }
    }
}

/// <summary>Values a fault plan entry gets for a rate, amount or duration it leaves at 0.</summary>
public static class FaultDefaults
{
    /// <summary>Extra message loss probability. 0.2.</summary>
    public const double MessageLossRate = 0.2;

    /// <summary>Chance that a transfer segment (up to the next 25% mark) ends in a connection reset. 0.5.</summary>
    public const double ConnectionResetRate = 0.5;

    /// <summary>Extra one-way latency. 1 s.</summary>
    public const double ExtraLatencyMs = 1_000;

    /// <summary>Delay of every device message to the server. 5 min.</summary>
    public const double TelemetryDelayMs = 5 * 60_000;

    /// <summary>Delay of a late status report. 30 min.</summary>
    public const double LateReportDelayMs = 30 * 60_000;

    /// <summary>Time between a status report and its duplicate. 1 min.</summary>
    public const double DuplicateAfterMs = 60_000;

    /// <summary>Time from the commit to the first slow-burn critical fault. 10 min.</summary>
    public const double SlowBurnDelayMs = 10 * 60_000;

    /// <summary>Time between repeated slow-burn faults. 10 min.</summary>
    public const long SlowBurnIntervalMs = 10 * 60_000;

    /// <summary>Power-off time of one brownout. 5 s.</summary>
    public const long BrownoutOffMs = 5_000;

    /// <summary>Length of a partition. 10 min.</summary>
    public const long PartitionMs = 10 * 60_000;

    /// <summary>Length of a broker outage. 5 min.</summary>
    public const long BrokerOutageMs = 5 * 60_000;

    /// <summary>Time the controller is away during a restart. 30 s.</summary>
    public const long ControllerRestartMs = 30_000;

    /// <summary>Time the alert sink stays down. 1 h.</summary>
    public const long AlertSinkDownMs = 3_600_000;
}
