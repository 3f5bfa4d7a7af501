namespace FleetOta.Server;

/// <summary>One wave: a cumulative share of the targeted devices (0..1] or a cumulative device count.</summary>
public sealed record WaveSpec(double? Share, int? Count)
{
    public static WaveSpec Percent(double percent) => new(percent / 100.0, null);

    /// <summary>Returns how many devices this wave reaches in total, out of <paramref name="targets"/>.</summary>
    public int CumulativeSize(int targets) =>
        Count is { } count ? Math.Min(count, targets) : (int)Math.Ceiling(Share!.Value * targets - 1e-9);
}

/// <summary>Options of the rollout controller. Durations are in milliseconds of (virtual) time.</summary>
public sealed record RolloutOptions
{
    /// <summary>Cumulative waves. Default 1%, 10%, 50%, 100%.</summary>
    public IReadOnlyList<WaveSpec> Waves { get; init; } =
        [WaveSpec.Percent(1), WaveSpec.Percent(10), WaveSpec.Percent(50), WaveSpec.Percent(100)];

    /// <summary>Minimum share of a wave's finished devices that succeeded before the next wave starts. Default 0.95.</summary>
    public double GateSuccessShare { get; init; } = 0.95;

    /// <summary>Time a wave must soak after its gate is met before the next wave starts. Default 30 min.</summary>
    public long GateSoakMs { get; init; } = 30 * 60_000;

    /// <summary>Share of a wave's offered devices that must have finished before the gate is evaluated. Default 0.9.</summary>
    public double GateFinishedShare { get; init; } = 0.9;

    /// <summary>Time after which a wave's gate is evaluated even if fewer devices finished. Default 4 h.</summary>
    public long WaveMaxDurationMs { get; init; } = 4 * 3_600_000;

    /// <summary>Offers of a wave are spread uniformly over this time, so a wave is no thundering herd. Default 10 min.</summary>
    public long OfferSpreadMs { get; init; } = 10 * 60_000;

    /// <summary>An offered device that never answered gets the offer again on its next heartbeat after this time. Default 10 min.</summary>
    public long OfferRepeatMs { get; init; } = 10 * 60_000;

    /// <summary>A device that reported rebooting into the update and stays silent this long is failed (timed out)
    /// and counts as a critical fault. Default 15 min.</summary>
    public long SilentAfterUpdateMs { get; init; } = 15 * 60_000;

    /// <summary>Update attempts per device, first one included. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    public FaultMonitorOptions FaultMonitor { get; init; } = new();

    public RecoveryPolicyOptions Recovery { get; init; } = new();

    /// <summary>Interval of the periodic tick that evaluates the monitor, gates and timeouts. Default 60 s.</summary>
    public long TickMs { get; init; } = 60_000;

    /// <summary>Seed of the offer jitter; the same seed spreads the same offers the same way.</summary>
    public long Seed { get; init; }
}

/// <summary>The critical-fault monitor: rate = devices on the new version with a critical fault received in
/// (t - window, t] divided by devices that activated the new version at or before t.</summary>
public sealed record FaultMonitorOptions
{
    /// <summary>Rate above which the rollout breaches. Default 0.005 (0.5%).</summary>
    public double Limit { get; init; } = 0.005;

    /// <summary>Sliding window length. Default 30 min.</summary>
    public long WindowMs { get; init; } = 30 * 60_000;

    /// <summary>Activated devices needed before a rate is judged. Default 50.</summary>
    public int MinimumSample { get; init; } = 50;

    /// <summary>Pause the rollout on a breach. Default true.</summary>
    public bool AutoPause { get; init; } = true;

    /// <summary>Alert on-call on a breach. Default true.</summary>
    public bool Alert { get; init; } = true;
}

/// <summary>The automatic remote recovery policy.</summary>
public sealed record RecoveryPolicyOptions
{
    /// <summary>Apply the policy at all. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Delay before a failed or rolled-back device is told to retry. Default 30 min.</summary>
    public long RetryDelayMs { get; init; } = 30 * 60_000;

    /// <summary>Re-deploy the previous release to devices that cannot retry (attempts used up, rollout paused or
    /// aborted, degraded). Default true.</summary>
    public bool RedeployPrevious { get; init; } = true;

    /// <summary>Force a rollback of a device that timed out after its update, once it is heard from again. Default true.</summary>
    public bool ForceRollbackStuck { get; init; } = true;
}
