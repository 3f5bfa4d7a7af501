namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Delays that never end early by the timestamp of a <see cref="TimeProvider"/>. The system timer behind
/// <see cref="Task.Delay(TimeSpan, TimeProvider, CancellationToken)"/> counts in coarser ticks than the
/// timestamp, and on Linux with .NET 10 it was seen to fire 2 ms before a 200 ms target, so these helpers wait
/// again for the rest.
/// </summary>
internal static class PreciseDelay
{
    public static Task DelayAsync(TimeProvider time, TimeSpan delay, CancellationToken token) =>
        delay > TimeSpan.Zero ? UntilAsync(time, time.GetTimestamp(), delay, token) : Task.CompletedTask;

    /// <summary>Waits until <paramref name="delay"/> has passed since <paramref name="startTimestamp"/>.</summary>
    public static async Task UntilAsync(TimeProvider time, long startTimestamp, TimeSpan delay, CancellationToken token)
    {
        var remaining = delay - time.GetElapsedTime(startTimestamp);
        while (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, time, token);
            remaining = delay - time.GetElapsedTime(startTimestamp);
        }
    }
}
