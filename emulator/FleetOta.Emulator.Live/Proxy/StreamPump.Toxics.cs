using System.Net.Sockets;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>The timing and corruption steps of a <see cref="StreamPump"/>.</summary>
internal sealed partial class StreamPump
{
    private async Task DelayForLatencyAsync(ActiveToxics active, long readTimestamp, CancellationToken token)
    {
        if (active.Latencies.Length == 0)
        {
            return;
        }

        var delay = TimeSpan.Zero;
        foreach (var latency in active.Latencies)
        {
            delay += latency.Latency + DrawJitter(latency.Jitter);
        }

        await PreciseDelay.UntilAsync(_time, readTimestamp, delay, token).ConfigureAwait(false);
    }

    private TimeSpan DrawJitter(TimeSpan jitter)
    {
        if (jitter <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        double factor = (_random.NextDouble() * 2) - 1;
        return TimeSpan.FromTicks((long)(factor * jitter.Ticks));
    }

    /// <summary>Flips one random bit in each byte picked with the toxic's rate. The gap to the next picked byte
    /// is drawn from the geometric distribution, which picks each byte independently with the same chance as a
    /// draw per byte, at one draw per corrupted byte.</summary>
    private void Corrupt(ActiveToxics active, Span<byte> data)
    {
        foreach (var corruption in active.Corruptions)
        {
            long corrupted = 0;
            long index = DrawGap(corruption.Rate);
            while (index < data.Length)
            {
                data[(int)index] ^= (byte)(1 << _random.Next(8));
                corrupted++;
                index += 1 + DrawGap(corruption.Rate);
            }

            _counters.Corrupted(corrupted);
        }
    }

    /// <summary>Draws how many bytes pass intact before the next corrupted one.</summary>
    private long DrawGap(double rate)
    {
        const long Never = long.MaxValue / 2;
        if (rate >= 1)
        {
            return 0;
        }

        double denominator = Math.Log(1 - rate);
        if (rate <= 0 || denominator == 0)
        {
            return Never;
        }

        double gap = Math.Floor(Math.Log(1 - _random.NextDouble()) / denominator);
        return gap < Never ? (long)gap : Never;
    }

    private async Task SendSlicedAsync(ActiveToxics active, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        if (active.Slicer is not { } slicer)
        {
            await SendPacedAsync(active, data, token).ConfigureAwait(false);
            return;
        }

        while (!data.IsEmpty)
        {
            int size = slicer.AverageSize;
            if (slicer.SizeVariation > 0)
            {
                size += _random.Next(-slicer.SizeVariation, slicer.SizeVariation + 1);
            }

            size = Math.Clamp(size, 1, data.Length);
            await SendPacedAsync(active, data[..size], token).ConfigureAwait(false);
            data = data[size..];

            if (!data.IsEmpty && slicer.Delay > TimeSpan.Zero)
            {
                var pause = TimeSpan.FromTicks((long)(_random.NextDouble() * 2 * slicer.Delay.Ticks));
                await PreciseDelay.DelayAsync(_time, pause, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Sends data in pieces of about 10 ms each at the bandwidth cap, on a schedule kept in absolute
    /// time so that timer lateness does not add up. A sender that was idle starts a new schedule.</summary>
    private async Task SendPacedAsync(ActiveToxics active, ReadOnlyMemory<byte> data, CancellationToken token)
    {
        long bytesPerSecond = active.BytesPerSecond;
        if (bytesPerSecond == 0)
        {
            await SendAllAsync(data, token).ConfigureAwait(false);
            return;
        }

        long frequency = _time.TimestampFrequency;
        int pieceSize = (int)Math.Clamp(bytesPerSecond / 100, 1, _proxy.Options.BufferSize);
        long now = _time.GetTimestamp();
        _nextSendTimestamp = Math.Max(_nextSendTimestamp, now);
        while (!data.IsEmpty)
        {
            await PreciseDelay.UntilAsync(_time, now, TimeSpan.FromSeconds((double)(_nextSendTimestamp - now) / frequency), token).ConfigureAwait(false);

            var piece = data[..Math.Min(pieceSize, data.Length)];
            await SendAllAsync(piece, token).ConfigureAwait(false);
            data = data[piece.Length..];
            _nextSendTimestamp += (long)((double)piece.Length * frequency / bytesPerSecond);
        }
    }

    private async Task SendAllAsync(ReadOnlyMemory<byte> data, CancellationToken token)
    {
        while (!data.IsEmpty)
        {
            int sent = await _destination.SendAsync(data, SocketFlags.None, token).ConfigureAwait(false);
            _counters.Forwarded(sent);
            data = data[sent..];
        }
    }
}
