namespace FleetOta.Server.Host.Timing;

/// <summary>A <see cref="TimeProvider"/> whose time runs <see cref="Factor"/> times faster than the inner one from
/// the moment it is created. Timers created through it fire after the virtual due time divided by the factor, so
/// <c>Task.Delay(TimeSpan.FromMinutes(1), clock)</c> waits one real second at factor 60. Virtual time starts at
/// <c>startMs</c>, so a restarted server continues the time line its stored controller was saved in.</summary>
public sealed class CompressedTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly long _startTimestamp;
    private readonly DateTimeOffset _startUtc;
    private readonly long _startMs;

    public CompressedTimeProvider(TimeProvider inner, double factor, long startMs = 0)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!double.IsFinite(factor) || factor <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, "The time factor must be a finite number above 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(startMs);
        _inner = inner;
        Factor = factor;
        _startMs = startMs;
        _startTimestamp = inner.GetTimestamp();
        _startUtc = inner.GetUtcNow();
    }

    /// <summary>The real clock this provider compresses.</summary>
    public TimeProvider RealTime => _inner;

    /// <summary>Virtual time per real time.</summary>
    public double Factor { get; }

    /// <summary>Virtual milliseconds: the start time plus the compressed time since this provider was created. This is
    /// the time base of the controller and the journal.</summary>
    public long NowMs => _startMs + (long)(_inner.GetElapsedTime(_startTimestamp).TotalMilliseconds * Factor);

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override DateTimeOffset GetUtcNow() => _startUtc + VirtualElapsed();

    public override long GetTimestamp() => VirtualElapsed().Ticks;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new CompressedTimer(_inner.CreateTimer(callback, state, ToReal(dueTime), ToReal(period)), this);

    /// <summary>Converts a virtual duration to the real duration that passes meanwhile; infinite stays infinite.</summary>
    public TimeSpan ToReal(TimeSpan virtualTime)
    {
        if (virtualTime == Timeout.InfiniteTimeSpan)
        {
            return virtualTime;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(virtualTime, TimeSpan.Zero);
        return TimeSpan.FromTicks((long)Math.Ceiling(virtualTime.Ticks / Factor));
    }

    private TimeSpan VirtualElapsed() => TimeSpan.FromTicks((long)(_inner.GetElapsedTime(_startTimestamp).Ticks * Factor));

    private sealed class CompressedTimer(ITimer inner, CompressedTimeProvider clock) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(clock.ToReal(dueTime), clock.ToReal(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
