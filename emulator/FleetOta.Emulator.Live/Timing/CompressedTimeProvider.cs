namespace FleetOta.Emulator.Live.Timing;

/// <summary>A clock that runs <see cref="Factor"/> times faster than the real one. Virtual time and real time agree
/// at <see cref="Epoch"/>, the start of the run, so every process of a run that is given the same epoch and factor
/// reads the same virtual time. Timers created through it fire after the virtual delay divided by the factor.</summary>
/// <remarks>Scenario durations are virtual: with a factor of 60, a heartbeat interval of 1 h fires every real minute.
/// Real transport time-outs (MQTT keep-alive, TCP) are not compressed and must not use this provider.</remarks>
public sealed class CompressedTimeProvider : TimeProvider
{
    private readonly TimeProvider _real;
    private readonly DateTimeOffset _anchorUtc;
    private readonly long _anchorTimestamp;

    /// <param name="factor">Virtual seconds per real second; at least 1e-3.</param>
    /// <param name="epoch">Real UTC instant at which the run started: virtual time 0.</param>
    /// <param name="real">The real clock. Default <see cref="TimeProvider.System"/>.</param>
    public CompressedTimeProvider(double factor, DateTimeOffset epoch, TimeProvider? real = null)
    {
        if (!(factor >= 1e-3) || double.IsInfinity(factor))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"The time factor is {factor}; it must be a finite number of at least 0.001.");
        }

        _real = real ?? System;
        Factor = factor;
        Epoch = epoch;
        _anchorUtc = _real.GetUtcNow();
        _anchorTimestamp = _real.GetTimestamp();
    }

    public double Factor { get; }

    /// <summary>The real UTC instant of virtual time 0.</summary>
    public DateTimeOffset Epoch { get; }

    /// <summary>Virtual milliseconds since the epoch; negative before the run starts.</summary>
    public long VirtualMs => (long)Math.Floor(RealSinceEpoch().TotalMilliseconds * Factor);

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => _real.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Epoch + TimeSpan.FromTicks((long)(RealSinceEpoch().Ticks * Factor));

    public override long GetTimestamp()
    {
        var elapsed = _real.GetTimestamp() - _anchorTimestamp;
        return _anchorTimestamp + (long)(elapsed * Factor);
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return new ScaledTimer(_real.CreateTimer(callback, state, ToReal(dueTime), ToReal(period)), this);
    }

    /// <summary>Returns the real duration of a virtual one; infinite stays infinite.</summary>
    public TimeSpan ToReal(TimeSpan virtualDuration)
    {
        if (virtualDuration == Timeout.InfiniteTimeSpan)
        {
            return virtualDuration;
        }

        return virtualDuration <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks(Math.Max((long)(virtualDuration.Ticks / Factor), 1));
    }

    /// <summary>Returns the real delay until a virtual time; zero if it has passed.</summary>
    public TimeSpan RealDelayUntil(long virtualMs) => ToReal(TimeSpan.FromMilliseconds(Math.Max(virtualMs - VirtualMs, 0)));

    private TimeSpan RealSinceEpoch()
    {
        var elapsed = _real.GetElapsedTime(_anchorTimestamp);
        return _anchorUtc - Epoch + elapsed;
    }

    private sealed class ScaledTimer(ITimer inner, CompressedTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.ToReal(dueTime), owner.ToReal(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
