using FleetOta.Emulator.Live.Proxy;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>Loses messages on an MQTT proxy: in every period of real time, a blackhole toxic swallows all data in
/// both directions for <c>rate</c> of the period, at a position drawn from a seeded stream. A message sent at a
/// random moment is then lost with probability <c>rate</c>, and MQTT, which runs over TCP, cannot send it again.</summary>
/// <remarks>A window may cut an MQTT packet in two. The receiver then either sees a malformed packet and drops the
/// connection, which the device reconnects like any other, or reads the following bytes as the rest of a packet and
/// passes a garbage payload on, which the server rejects as invalid JSON.</remarks>
internal sealed class LossWindows : IAsyncDisposable
{
    private const string ToxicName = "message-loss";
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(1_000);

    private readonly FaultProxy _proxy;
    private readonly double _rate;
    private readonly Random _random;
    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    private LossWindows(FaultProxy proxy, double rate, int seed)
    {
        _proxy = proxy;
        _rate = Math.Clamp(rate, 0, 1);
        _random = new Random(seed);
    }

    public static LossWindows Start(FaultProxy proxy, double rate, int seed)
    {
        var windows = new LossWindows(proxy, rate, seed);
        windows._loop = windows.RunAsync();
        return windows;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _proxy.RemoveToxic(ToxicName);
    }

    private async Task RunAsync()
    {
        var lossy = Period * _rate;
        try
        {
            while (!_stopping.IsCancellationRequested)
            {
                var before = (Period - lossy) * _random.NextDouble();
                await Task.Delay(before, _stopping.Token).ConfigureAwait(false);
                _proxy.AddToxic(new BlackholeToxic { Name = ToxicName, Direction = ToxicDirection.Both });
                await Task.Delay(lossy, _stopping.Token).ConfigureAwait(false);
                _proxy.RemoveToxic(ToxicName);
                await Task.Delay(Period - lossy - before, _stopping.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }
}
