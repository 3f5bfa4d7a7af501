using System.Net.Sockets;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// One accepted client connection and its upstream connection, forwarded by two <see cref="StreamPump"/>s.
/// </summary>
internal sealed class ProxyConnection
{
    private readonly FaultProxy _proxy;
    private readonly ConnectionToxics _toxics;
    private readonly CancellationTokenSource _closing = new();
    private Socket? _upstream;
    private int _closed;

    public ProxyConnection(FaultProxy proxy, long number, Socket client)
    {
        _proxy = proxy;
        Number = number;
        Id = $"{proxy.Name}#{number}";
        Client = client;
        _toxics = new ConnectionToxics(proxy.Options.Seed, number);
    }

    public long Number { get; }

    /// <summary>Connection id for logs, made of the proxy name and the connection number, such as <c>http#17</c>.</summary>
    public string Id { get; }

    public Socket Client { get; }

    /// <summary>Token cancelled when the connection is closed or reset, for any reason.</summary>
    public CancellationToken Closing => _closing.Token;

    public Task Completion { get; private set; } = Task.CompletedTask;

    private ILogger Logger => _proxy.Logger;

    public void Start() => Completion = RunAsync();

    /// <summary>Returns the toxics that apply to one direction now, after drawing for toxics added since the
    /// last call.</summary>
    public ActiveToxics GetActiveToxics(ToxicDirection direction, ToxicSet set)
    {
        UpdateToxics(set);
        return _toxics.For(direction);
    }

    /// <summary>Draws for toxics added since the last update and starts the side effects of those that apply.</summary>
    public void UpdateToxics(ToxicSet set)
    {
        foreach (var toxic in _toxics.Update(set))
        {
            OnToxicApplied(toxic);
        }
    }

    /// <summary>Resets the connection because a reset toxic used up its byte budget.</summary>
    public void ResetByToxic(ResetToxic toxic)
    {
        if (Close(reset: true))
        {
            Log.ConnectionResetByToxic(Logger, Id, toxic.Name, toxic.AfterBytes);
        }
    }

    /// <summary>Logs a failure of one direction and resets the connection, unless it is closing already.</summary>
    public void OnForwardingFailed(ToxicDirection direction, Exception exception)
    {
        if (!Close(reset: true))
        {
            return;
        }

        if (exception is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            Log.ForwardingFailed(Logger, Id, direction, exception);
        }
        else
        {
            Log.ForwardingFailedUnexpectedly(Logger, Id, direction, exception);
        }
    }

    /// <summary>
    /// Closes both sockets, as a TCP reset (RST, linger time 0) if <paramref name="reset"/> is true and otherwise
    /// with a normal close (FIN). Returns false if the connection was closed already.
    /// </summary>
    public bool Close(bool reset)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return false;
        }

        _closing.Cancel();
        CloseSocket(Client, reset);
        CloseSocket(Volatile.Read(ref _upstream), reset);
        return true;
    }

    private async Task RunAsync()
    {
        try
        {
            UpdateToxics(_proxy.CurrentToxics);
            var upstream = await ConnectUpstreamAsync().ConfigureAwait(false);
            if (upstream is null)
            {
                return;
            }

            var upstreamPump = new StreamPump(this, _proxy, ToxicDirection.Upstream, Client, upstream);
            var downstreamPump = new StreamPump(this, _proxy, ToxicDirection.Downstream, upstream, Client);
            await Task.WhenAll(upstreamPump.RunAsync(), downstreamPump.RunAsync()).ConfigureAwait(false);
            Close(reset: false);
        }
        catch (Exception exception)
        {
            // The pumps catch their own errors, so only a bug in the set-up above can end up here.
            if (Close(reset: true))
            {
                Log.ConnectionFailed(Logger, Id, exception);
            }
        }
        finally
        {
            _proxy.OnConnectionFinished(this);
            Log.ConnectionClosed(Logger, Id);
        }
    }

    private async Task<Socket?> ConnectUpstreamAsync()
    {
        var options = _proxy.Options;
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        Volatile.Write(ref _upstream, socket);
        if (Volatile.Read(ref _closed) != 0)
        {
            socket.Dispose();
            return null;
        }

        using var timeout = new CancellationTokenSource(options.UpstreamConnectTimeout, _proxy.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, Closing);
        try
        {
            await socket.ConnectAsync(options.UpstreamHost, options.UpstreamPort, linked.Token).ConfigureAwait(false);
            return socket;
        }
        catch (Exception exception) when (exception is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!Close(reset: true))
            {
                return null;
            }

            _proxy.Counters.UpstreamConnectFailed();
            if (timeout.IsCancellationRequested)
            {
                Log.UpstreamConnectTimedOut(Logger, Id, options.UpstreamHost, options.UpstreamPort, options.UpstreamConnectTimeout);
            }
            else
            {
                Log.UpstreamConnectFailed(Logger, Id, options.UpstreamHost, options.UpstreamPort, exception);
            }

            return null;
        }
    }

    private void OnToxicApplied(Toxic toxic)
    {
        _proxy.Counters.ToxicApplied(toxic.Kind);
        Log.ToxicApplied(Logger, Id, toxic.Name, toxic.Kind);
        switch (toxic)
        {
            case ResetToxic { AfterBytes: 0 } reset:
                ResetByToxic(reset);
                break;
            case BlackholeToxic blackhole when blackhole.Timeout != Timeout.InfiniteTimeSpan:
                _ = CloseAfterBlackholeTimeoutAsync(blackhole);
                break;
        }
    }

    private async Task CloseAfterBlackholeTimeoutAsync(BlackholeToxic toxic)
    {
        try
        {
            await PreciseDelay.DelayAsync(_proxy.TimeProvider, toxic.Timeout, Closing).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        // A blackhole removed before its time-out lets the connection live on.
        if (_proxy.CurrentToxics.Contains(toxic) && Close(reset: false))
        {
            Log.BlackholeTimedOut(Logger, Id, toxic.Name, toxic.Timeout);
        }
    }

    private static void CloseSocket(Socket? socket, bool reset)
    {
        if (socket is null)
        {
            return;
        }

        try
        {
            if (reset)
            {
                socket.LingerState = new LingerOption(true, 0);
            }
            else if (socket.Connected)
            {
                socket.Shutdown(SocketShutdown.Both);
            }
        }
        catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
        {
            // The peer may have gone already, and disposing the socket below still releases it.
        }

        socket.Dispose();
    }
}
