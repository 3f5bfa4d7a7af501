using System.Buffers;
using System.Net.Sockets;
using System.Threading.Channels;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Forwards one direction of a connection. A reader copies data from the source socket into a bounded queue of
/// chunks, stamped with the time of the read, and a writer applies the active toxics to each chunk and sends
/// it to the destination. Splitting the two lets a delayed chunk wait while later data is still read.
/// </summary>
internal sealed partial class StreamPump
{
    private readonly ProxyConnection _connection;
    private readonly FaultProxy _proxy;
    private readonly ToxicDirection _direction;
    private readonly Socket _source;
    private readonly Socket _destination;
    private readonly Channel<Chunk> _chunks;
    private readonly DirectionCounterSet _counters;
    private readonly TimeProvider _time;

    // Used by the writer only, so one generator per direction needs no lock.
    private readonly Random _random;

    // Timestamp before which the bandwidth toxic lets the next piece go out.
    private long _nextSendTimestamp;

    public StreamPump(ProxyConnection connection, FaultProxy proxy, ToxicDirection direction, Socket source, Socket destination)
    {
        _connection = connection;
        _proxy = proxy;
        _direction = direction;
        _source = source;
        _destination = destination;
        _chunks = Channel.CreateBounded<Chunk>(new BoundedChannelOptions(proxy.Options.MaxChunksInFlight)
        {
            SingleReader = true,
            SingleWriter = true,
        });
        _counters = proxy.Counters.For(direction);
        _time = proxy.TimeProvider;
        var stream = direction == ToxicDirection.Upstream ? SeedMixer.UpstreamStream : SeedMixer.DownstreamStream;
        _random = new Random(SeedMixer.Mix(proxy.Options.Seed, connection.Number, stream));
    }

    /// <summary>Forwards data until the end of the stream has been passed on or the connection closes. Failures
    /// reset the connection and are logged there, so the returned task does not fault.</summary>
    public Task RunAsync() => Task.WhenAll(ReadAsync(), WriteAsync());

    private async Task ReadAsync()
    {
        var token = _connection.Closing;
        try
        {
            while (true)
            {
                var buffer = ArrayPool<byte>.Shared.Rent(_proxy.Options.BufferSize);
                int count = await _source.ReceiveAsync(buffer.AsMemory(0, _proxy.Options.BufferSize), SocketFlags.None, token).ConfigureAwait(false);
                long timestamp = _time.GetTimestamp();
                if (count == 0)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    await _chunks.Writer.WriteAsync(new Chunk(null, 0, timestamp), token).ConfigureAwait(false);
                    _chunks.Writer.Complete();
                    return;
                }

                _counters.Received(count);
                await _chunks.Writer.WriteAsync(new Chunk(buffer, count, timestamp), token).ConfigureAwait(false);
            }
        }
        catch (Exception exception)
        {
            _chunks.Writer.TryComplete();
            _connection.OnForwardingFailed(_direction, exception);
        }
    }

    private async Task WriteAsync()
    {
        var token = _connection.Closing;
        try
        {
            await foreach (var chunk in _chunks.Reader.ReadAllAsync(token).ConfigureAwait(false))
            {
                if (chunk.Buffer is null)
                {
                    await ForwardEndOfStreamAsync(chunk, token).ConfigureAwait(false);
                    return;
                }

                bool keepForwarding;
                try
                {
                    keepForwarding = await ForwardChunkAsync(chunk, token).ConfigureAwait(false);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(chunk.Buffer);
                }

                if (!keepForwarding)
                {
                    return;
                }
            }
        }
        catch (Exception exception)
        {
            _connection.OnForwardingFailed(_direction, exception);
        }
    }

    /// <summary>Applies the active toxics to one chunk and sends what is left of it. Returns false when a reset
    /// toxic ended the connection.</summary>
    private async Task<bool> ForwardChunkAsync(Chunk chunk, CancellationToken token)
    {
        var active = _connection.GetActiveToxics(_direction, _proxy.CurrentToxics);
        if (active.IsBlackholed)
        {
            _counters.Dropped(chunk.Count);
            return true;
        }

        await DelayForLatencyAsync(active, chunk.Timestamp, token).ConfigureAwait(false);

        var (allowed, exhausted) = ReserveResetBudget(active, chunk.Count);
        var data = chunk.Buffer.AsMemory(0, allowed);
        Corrupt(active, data.Span);
        await SendSlicedAsync(active, data, token).ConfigureAwait(false);
        _counters.Dropped(chunk.Count - allowed);

        if (exhausted is not null)
        {
            _connection.ResetByToxic(exhausted);
            return false;
        }

        return true;
    }

    /// <summary>Passes the close of the source on to the destination as a FIN, after latency, while no blackhole
    /// applies, and after the slow-close delay.</summary>
    private async Task ForwardEndOfStreamAsync(Chunk chunk, CancellationToken token)
    {
        var set = _proxy.CurrentToxics;
        var active = _connection.GetActiveToxics(_direction, set);
        await DelayForLatencyAsync(active, chunk.Timestamp, token).ConfigureAwait(false);

        while (true)
        {
            set = _proxy.CurrentToxics;
            active = _connection.GetActiveToxics(_direction, set);
            if (!active.IsBlackholed)
            {
                break;
            }

            await set.Replaced.WaitAsync(token).ConfigureAwait(false);
        }

        if (active.SlowCloseDelay > TimeSpan.Zero)
        {
            await PreciseDelay.DelayAsync(_time, active.SlowCloseDelay, token).ConfigureAwait(false);
        }

        _destination.Shutdown(SocketShutdown.Send);
    }

    private (int Allowed, ResetToxic? Exhausted) ReserveResetBudget(ActiveToxics active, int count)
    {
        long allowed = count;
        ResetToxic? exhausted = null;
        foreach (var budget in active.Resets)
        {
            allowed = budget.Reserve(allowed);
            if (budget.IsExhausted)
            {
                exhausted ??= budget.Toxic;
            }
        }

        return ((int)allowed, exhausted);
    }

    private readonly record struct Chunk(byte[]? Buffer, int Count, long Timestamp);
}
