namespace FleetOta.Server;

/// <summary>One wave: a cumulative share of the targeted devices (0..1] or a cumulative device count.</summary>
public sealed record WaveSpec(double? Share, int? Count)
{
    public static WaveSpec Percent(double percent) => new(percent / 100.0, null);

    /// <summary>Returns how many devices this wave reaches in total, out of <paramref name="targets"/>.</summary>
    public int CumulativeSize(int targets) =>
        Count is { } count ? Math.Min(count, targets) : (int)Math.Ceiling(Share!.Value * targets - 1e-9);
}

/// <summary>A number of devices given as a share of the targeted devices (0..1] or as a count.</summary>
public sealed record DeviceQuota(double? Share, int? Count)
{
    public static DeviceQuota Percent(double percent) => new(percent / 100.0, null);

    /// <summary>Returns the quota for <paramref name="targets"/> targeted devices, at least 1.</summary>
    public int Resolve(int targets) =>
        Math.Max(1, Count ?? (int)Math.Floor(Share!.Value * targets + 1e-9));
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

    /// <summary>Share of a wave's devices that must have finished before the gate is evaluated. Default 0.9.</summary>
    public double GateFinishedShare { get; init; } = 0.9;

    /// <summary>Time after which a wave's gate is evaluated even if fewer devices finished. Default 4 h.</summary>
    public long WaveMaxDurationMs { get; init; } = 4 * 3_600_000;

    /// <summary>Offers of a wave are spread uniformly over this time, so a wave is no thundering herd. Ignored when
    /// <see cref="OfferRate"/> is set. Default 10 min.</summary>
    public long OfferSpreadMs { get; init; } = 10 * 60_000;

    /// <summary>Offers at an exponentially growing rate instead of <see cref="OfferSpreadMs"/>; null keeps the uniform
    /// spread. Waves and gates still apply: the rate paces the devices of the current wave. Default null.</summary>
    public OfferRateOptions? OfferRate { get; init; }

    /// <summary>Maximum number of devices holding a download slot at once: offered and not yet answered (for at most
    /// <see cref="OfferRepeatMs"/>) or downloading. A due offer waits for a free slot. Null means no limit. Default null.</summary>
    public DeviceQuota? MaxConcurrentDownloads { get; init; }

    /// <summary>An offered device that never answered gets the offer again on its next heartbeat after this time, and
    /// its download slot is freed then. Default 10 min.</summary>
    public long OfferRepeatMs { get; init; } = 10 * 60_000;

    /// <summary>A device that reported rebooting into the update and stays silent this long is failed (timed out)
    /// and counts as a critical fault. Default 15 min.</summary>
    public long SilentAfterUpdateMs { get; init; } = 15 * 60_000;

    /// <summary>Update attempts per device, first one included, that the automatic recovery policy may use. An operator
    /// retry is always sent. Default 3.</summary>
    public int MaxAttempts { get; init; } = 3;

    public FaultMonitorOptions FaultMonitor { get; init; } = new();

    public RecoveryPolicyOptions Recovery { get; init; } = new();

    /// <summary>Interval of the periodic tick that evaluates the monitor, gates and timeouts. Default 60 s.</summary>
    public long TickMs { get; init; } = 60_000;

    /// <summary>Seed of the wave order and the offer jitter; the same seed spreads the same offers the same way.</summary>
    public long Seed { get; init; }

    /// <summary>Checks every option and throws <see cref="ArgumentException"/> naming the first invalid one.</summary>
    public void Validate()
    {
        if (Waves.Count == 0)
        {
            throw Invalid(nameof(Waves), "empty", "list at least one cumulative wave, such as 100%");
        }

        for (var i = 0; i < Waves.Count; i++)
        {
            var wave = Waves[i];
            if (wave.Share is not { } share ? wave.Count is not > 0 : share is <= 0 or > 1 || double.IsNaN(share))
            {
                throw Invalid($"{nameof(Waves)}[{i}]", Describe(wave), "give each wave a share in (0, 1] or a device count above 0");
            }

            // Waves are cumulative, so each wave must reach more devices than the one before. A share and a count
            // compare only once the number of targets is known, so only waves of the same kind are checked here.
            var previous = i > 0 ? Waves[i - 1] : null;
            var shrinks = previous?.Share is { } before && wave.Share is { } after ? after <= before
                : previous?.Count is { } countBefore && wave.Count is { } countAfter && countAfter <= countBefore;
            if (shrinks)
            {
                throw Invalid($"{nameof(Waves)}[{i}]", $"{Describe(wave)} after {Describe(previous!)}",
                    "make each wave larger than the one before, because waves are cumulative, such as 1%, 10%, 50%, 100%");
            }
        }

        CheckShare(nameof(GateSuccessShare), GateSuccessShare);
        CheckShare(nameof(GateFinishedShare), GateFinishedShare);
        CheckNotNegative(nameof(GateSoakMs), GateSoakMs);
        CheckPositive(nameof(WaveMaxDurationMs), WaveMaxDurationMs);
        CheckNotNegative(nameof(OfferSpreadMs), OfferSpreadMs);
        CheckPositive(nameof(OfferRepeatMs), OfferRepeatMs);
        CheckPositive(nameof(SilentAfterUpdateMs), SilentAfterUpdateMs);
        CheckPositive(nameof(TickMs), TickMs);
        if (MaxAttempts < 1)
        {
            throw Invalid(nameof(MaxAttempts), MaxAttempts.ToString(), "allow at least 1 attempt");
        }

        if (MaxConcurrentDownloads is { } cap && (cap.Share is { } capShare ? capShare is <= 0 or > 1 : cap.Count is not > 0))
        {
            throw Invalid(nameof(MaxConcurrentDownloads), cap.ToString(), "give a share in (0, 1] or a device count above 0, or null for no limit");
        }

        OfferRate?.Validate();
        FaultMonitor.Validate();
        CheckNotNegative("Recovery.RetryDelayMs", Recovery.RetryDelayMs);
    }

    internal static RolloutOptionException Invalid(string option, string value, string fix) => new(option, value, fix);

    private static string Describe(WaveSpec wave) => wave.Share is { } share
        ? (share * 100).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + "%"
        : $"{wave.Count} devices";

    private static void CheckShare(string option, double value)
    {
        if (value is < 0 or > 1 || double.IsNaN(value))
        {
            throw Invalid(option, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture), "give a share between 0 and 1");
        }
    }

    internal static void CheckPositive(string option, long value)
    {
        if (value <= 0)
        {
            throw Invalid(option, $"{value} ms", "give a duration above 0 ms");
        }
    }

    private static void CheckNotNegative(string option, long value)
    {
        if (value < 0)
        {
            throw Invalid(option, $"{value} ms", "give a duration of 0 ms or more");
        }
    }
}

/// <summary>An invalid rollout option: <see cref="Option"/> names it (such as "Waves[1]" or "FaultMonitor.Limit"),
/// <see cref="Value"/> shows its value and <see cref="Fix"/> states what is allowed, so a host can word its own message.</summary>
public sealed class RolloutOptionException(string option, string value, string fix)
    : ArgumentException($"The rollout option {option} is invalid: {value}. To fix it, {fix}.")
{
    public string Option { get; } = option;

    public string Value { get; } = value;

    public string Fix { get; } = fix;
}

/// <summary>An exponentially growing offer rate: start at <see cref="StartPerMinute"/>, multiply by
/// <see cref="GrowthFactor"/> after every <see cref="SuccessesPerStep"/> successful devices, never above
/// <see cref="MaxPerMinute"/>.</summary>
public sealed record OfferRateOptions
{
    /// <summary>Offers per minute at the start of the deployment. Default 1.</summary>
    public double StartPerMinute { get; init; } = 1;

    /// <summary>Factor applied to the rate after each <see cref="SuccessesPerStep"/> successes. Default 2.</summary>
    public double GrowthFactor { get; init; } = 2;

    /// <summary>Successful devices between two rate increases. Default 10.</summary>
    public int SuccessesPerStep { get; init; } = 10;

    /// <summary>Upper bound of the rate, in offers per minute. Default 100.</summary>
    public double MaxPerMinute { get; init; } = 100;

    /// <summary>Returns the offer rate in offers per minute after <paramref name="successes"/> successful devices.</summary>
    public double RatePerMinute(int successes)
    {
        var steps = successes / SuccessesPerStep;
        var rate = StartPerMinute * Math.Pow(GrowthFactor, Math.Min(steps, 1_000));
        return Math.Min(rate, MaxPerMinute);
    }

    /// <summary>Returns the time between two offers, in milliseconds, after <paramref name="successes"/> successes.</summary>
    public long IntervalMs(int successes) => Math.Max(1, (long)Math.Ceiling(60_000 / RatePerMinute(successes)));

    public void Validate()
    {
        if (!(StartPerMinute > 0))
        {
            throw RolloutOptions.Invalid("OfferRate.StartPerMinute", StartPerMinute.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                "give a rate above 0 offers per minute");
        }

        if (!(GrowthFactor >= 1))
        {
            throw RolloutOptions.Invalid("OfferRate.GrowthFactor", GrowthFactor.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                "give a factor of 1 or more");
        }

        if (SuccessesPerStep < 1)
        {
            throw RolloutOptions.Invalid("OfferRate.SuccessesPerStep", SuccessesPerStep.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "give at least 1 success per step");
        }

        if (!(MaxPerMinute >= StartPerMinute))
        {
            throw RolloutOptions.Invalid("OfferRate.MaxPerMinute", MaxPerMinute.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                $"give a maximum of at least the start rate {StartPerMinute}");
        }
    }
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

    public void Validate()
    {
        if (Limit is < 0 or >= 1 || double.IsNaN(Limit))
        {
            throw RolloutOptions.Invalid("FaultMonitor.Limit", Limit.ToString("R", System.Globalization.CultureInfo.InvariantCulture),
                "give a rate in [0, 1), such as 0.005 for 0.5%");
        }

        RolloutOptions.CheckPositive("FaultMonitor.WindowMs", WindowMs);
        if (MinimumSample < 1)
        {
            throw RolloutOptions.Invalid("FaultMonitor.MinimumSample", MinimumSample.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "give at least 1 device");
        }
    }
}

/// <summary>The automatic remote recovery policy.</summary>
public sealed record RecoveryPolicyOptions
{
    /// <summary>Apply the policy at all. Default true.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Delay before a failed or rolled-back device is told to retry, and between two recovery actions on one
    /// device that has not confirmed the last one. Default 30 min.</summary>
    public long RetryDelayMs { get; init; } = 30 * 60_000;

    /// <summary>Re-deploy the previous release to devices that cannot retry (attempts used up, rollout paused or
    /// aborted, degraded). Default true.</summary>
    public bool RedeployPrevious { get; init; } = true;

    /// <summary>Force a rollback of a device that timed out after its update. Default true.</summary>
    public bool ForceRollbackStuck { get; init; } = true;

    /// <summary>Recovery actions the policy sends to one device before it gives up on it. Default 24.</summary>
    public int MaxActionsPerDevice { get; init; } = 24;
}
