namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Delays that never end early by the timestamp of a <see cref="TimeProvider"/>. The system timer behind
/// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> counts in coarser ticks than the
/// timestamp, and on Linux with .NET 10 it was seen to fire 2 ms before a 200 ms target, so these helpers wait
/// again for the rest. A rest below 1 ms is rounded up to 1 ms, because a shorter delay completes at once and
/// the loop would spin.
/// </summary>
internal static class PreciseDelay
{
    private static readonly TimeSpan MinimumWait = TimeSpan.FromMilliseconds(1);

    public static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken token) =>
        delay > TimeSpan.Zero ? UntilAsync(time, time.GetTimestamp(), delay, token) : Task.CompletedTask;

    /// <summary>Waits until <paramref name="delay"/> has passed since <paramref name="startTimestamp"/>.</summary>
    public static async Task UntilAsync(TimeProvider time, long startTimestamp, TimeSpan delay, CancellationToken token)
    {
        var remaining = delay - time.GetElapsedTime(startTimestamp);
        while (remaining > TimeSpan.Zero)
        {
            var wait = remaining < MinimumWait ? MinimumWait : remaining;
            await Task.Delay(wait, time, token).ConfigureAwait(false);
            remaining = delay - time.GetElapsedTime(startTimestamp);
        }
    }
}
