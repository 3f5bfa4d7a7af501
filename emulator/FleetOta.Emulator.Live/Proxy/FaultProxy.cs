using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// TCP proxy that forwards every accepted connection to one upstream server and injects faults on the way,
/// as described by the <see cref="Toxic"/>s added to it. Toxics can be added and removed while connections
/// are open, and <see cref="Disable"/> simulates an outage of the upstream server.
/// </summary>
/// <remarks>All members are thread-safe.</remarks>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly TimeSpan AcceptRetryDelay = TimeSpan.FromMilliseconds(100);

    private readonly Lock _gate = new();
    private readonly ConcurrentDictionary<long, ProxyConnection> _connections = new();
    private ToxicSet _toxics = ToxicSet.Empty;
    private Socket? _listener;
    private Task _acceptLoop = Task.CompletedTask;
    private IPEndPoint? _endPoint;
    private State _state = State.Created;
    private long _lastConnectionNumber;

    /// <summary>Creates a stopped proxy. Call <see cref="Start"/> to listen.</summary>
    /// <param name="options">Settings, copied so that later changes to the object have no effect.</param>
    /// <param name="timeProvider">Clock of all delays and time-outs. Default <see cref="TimeProvider.System"/>.</param>
    /// <param name="logger">Logger of lifecycle events and caught errors. Default: no logging.</param>
    /// <exception cref="ArgumentException">An option is invalid. The message lists each invalid option.</exception>
    public FaultProxy(FaultProxyOptions options, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ThrowIfInvalid();
        Options = options.Clone();
        TimeProvider = timeProvider ?? TimeProvider.System;
        Logger = logger ?? NullLogger.Instance;
    }

    private enum State
    {
        Created,
        Enabled,
        Disabled,
        Stopped,
    }

    public string Name => Options.Name;

    /// <summary>Address and port the proxy listens on, with the port the system chose when the options asked
    /// for port 0. It stays the same after <see cref="Disable"/> and <see cref="Enable"/>.</summary>
    /// <exception cref="InvalidOperationException">The proxy was never started.</exception>
    public IPEndPoint EndPoint => _endPoint
        ?? throw new InvalidOperationException($"Fault proxy '{Name}' has no end point because it was not started. Call Start first.");

    /// <summary>Whether the proxy accepts connections, which is true after <see cref="Start"/> and
    /// <see cref="Enable"/>, and false before start, after <see cref="Disable"/> and after stop.</summary>
    public bool IsEnabled
    {
        get
        {
            lock (_gate)
            {
                return _state == State.Enabled;
            }
        }
    }

    /// <summary>Current toxics in the order they were added.</summary>
    public IReadOnlyList<Toxic> Toxics => CurrentToxics.Items;

    internal FaultProxyOptions Options { get; }

    internal TimeProvider TimeProvider { get; }

    internal ILogger Logger { get; }

    internal ProxyCounterSet Counters { get; } = new();

    internal ToxicSet CurrentToxics => Volatile.Read(ref _toxics);

    /// <summary>Binds the listening socket and starts accepting connections.</summary>
    /// <exception cref="InvalidOperationException">The proxy was started before.</exception>
    /// <exception cref="SocketException">The address or port cannot be bound, for example because it is in use.</exception>
    public void Start()
    {
        lock (_gate)
        {
            if (_state != State.Created)
            {
                throw new InvalidOperationException($"Fault proxy '{Name}' was started before. Create a new proxy to start again.");
            }

            var listener = Listen(new IPEndPoint(Options.ListenAddress, Options.ListenPort));
            _endPoint = (IPEndPoint)listener.LocalEndPoint!;
            _listener = listener;
            _state = State.Enabled;
            _acceptLoop = AcceptLoopAsync(listener);
        }

        Log.ProxyStarted(Logger, Name, _endPoint, Options.UpstreamHost, Options.UpstreamPort, Options.Seed);
    }

    /// <summary>Adds a toxic. It applies to open connections from their next chunk of data on, and to new
    /// connections from the start, each time subject to its probability draw.</summary>
    /// <exception cref="ArgumentException">The toxic is invalid, or a toxic with the same name exists.</exception>
    public void AddToxic(Toxic toxic)
    {
        ArgumentNullException.ThrowIfNull(toxic);
        var errors = toxic.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid toxic: " + string.Join(" ", errors), nameof(toxic));
        }

        ToxicSet next;
        lock (_gate)
        {
            if (_toxics.Find(toxic.Name) is not null)
            {
                throw new ArgumentException($"Fault proxy '{Name}' has a toxic named '{toxic.Name}' already. Remove it first or give the new toxic another Name.", nameof(toxic));
            }

            next = _toxics.Add(toxic);
            Volatile.Write(ref _toxics, next);
        }

        Log.ToxicAdded(Logger, Name, toxic);

        // Draw for open connections now, so that time-outs of a new blackhole start at once.
        foreach (var connection in _connections.Values)
        {
            connection.UpdateToxics(next);
        }
    }

    /// <summary>Removes the toxic with the given name. Returns false if there is none.</summary>
    public bool RemoveToxic(string name)
    {
        Toxic? removed;
        lock (_gate)
        {
            removed = _toxics.Find(name);
            if (removed is null)
            {
                return false;
            }

            Volatile.Write(ref _toxics, _toxics.Remove(removed));
        }

        Log.ToxicRemoved(Logger, Name, name);
        return true;
    }

    /// <summary>Removes every toxic.</summary>
    public void RemoveAllToxics()
    {
        int count;
        lock (_gate)
        {
            count = _toxics.Items.Count;
            Volatile.Write(ref _toxics, _toxics.Clear());
        }

        Log.AllToxicsRemoved(Logger, Name, count);
    }

    /// <summary>
    /// Simulates an outage. It closes the listening socket, so that new connection attempts are refused, and
    /// resets every open connection (RST to both peers). Does nothing if the proxy is disabled already or not running.
    /// </summary>
    public void Disable()
    {
        Socket? listener;
        lock (_gate)
        {
            if (_state != State.Enabled)
            {
                return;
            }

            _state = State.Disabled;
            listener = _listener;
            _listener = null;
        }

        listener?.Dispose();
        int reset = CloseConnections(reset: true);
        Log.ProxyDisabled(Logger, Name, reset);
    }

    /// <summary>Ends an outage by listening again on the same address and port. Does nothing unless the proxy
    /// is disabled.</summary>
    /// <exception cref="InvalidOperationException">The port cannot be bound again, for example because another
    /// process took it. The proxy stays disabled.</exception>
    public void Enable()
    {
        lock (_gate)
        {
            if (_state != State.Disabled)
            {
                return;
            }

            Socket listener;
            try
            {
                listener = Listen(_endPoint!);
            }
            catch (SocketException exception)
            {
                throw new InvalidOperationException($"Fault proxy '{Name}' could not listen on {_endPoint} again: {exception.Message}. Another process may have taken the port. Stop that process or create a new proxy.", exception);
            }

            _listener = listener;
            _state = State.Enabled;
            _acceptLoop = AcceptLoopAsync(listener);
        }

        Log.ProxyEnabled(Logger, Name, _endPoint!);
    }

    /// <summary>Returns a snapshot of the counters since the proxy was created.</summary>
    public ProxyCounters GetCounters() => Counters.Snapshot();

    /// <summary>Stops listening, closes every open connection with a normal close (FIN) and waits until all
    /// connections have finished. Calling it again does nothing.</summary>
    public async Task StopAsync()
    {
        Socket? listener;
        Task acceptLoop;
        lock (_gate)
        {
            if (_state == State.Stopped)
            {
                return;
            }

            bool wasStarted = _state != State.Created;
            _state = State.Stopped;
            listener = _listener;
            _listener = null;
            acceptLoop = _acceptLoop;
            if (!wasStarted)
            {
                return;
            }
        }

        listener?.Dispose();
        await acceptLoop.ConfigureAwait(false);
        CloseConnections(reset: false);
        await Task.WhenAll(_connections.Values.Select(connection => connection.Completion)).ConfigureAwait(false);

        var counters = GetCounters();
        Log.ProxyStopped(Logger, Name, counters.ConnectionsAccepted, counters.Upstream.BytesForwarded, counters.Downstream.BytesForwarded);
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    internal void OnConnectionFinished(ProxyConnection connection)
    {
        _connections.TryRemove(connection.Number, out _);
        Counters.ConnectionClosed();
    }

    private Socket Listen(IPEndPoint endPoint)
    {
        var listener = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            // Lets Enable bind the port again while closed connections of the port are in TIME_WAIT.
            listener.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Bind(endPoint);
            listener.Listen(Options.ListenBacklog);
            return listener;
        }
        catch
        {
            listener.Dispose();
            throw;
        }
    }

    private async Task AcceptLoopAsync(Socket listener)
    {
        while (true)
        {
            Socket client;
            try
            {
                client = await listener.AcceptAsync().ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is SocketException or ObjectDisposedException)
            {
                if (!IsCurrentListener(listener))
                {
                    return;
                }

                Log.AcceptFailed(Logger, Name, AcceptRetryDelay, exception);
                await Task.Delay(AcceptRetryDelay, TimeProvider).ConfigureAwait(false);
                continue;
            }

            Register(client);
        }
    }

    private bool IsCurrentListener(Socket listener)
    {
        lock (_gate)
        {
            return ReferenceEquals(_listener, listener);
        }
    }

    private void Register(Socket client)
    {
        ProxyConnection connection;
        lock (_gate)
        {
            if (_state != State.Enabled)
            {
                // A connection accepted just before Disable or StopAsync is reset like the connections open then.
                client.LingerState = new LingerOption(true, 0);
                client.Dispose();
                return;
            }

            client.NoDelay = true;
            connection = new ProxyConnection(this, ++_lastConnectionNumber, client);
            _connections[connection.Number] = connection;
            Counters.ConnectionAccepted();
        }

        Log.ConnectionAccepted(Logger, connection.Id, client.RemoteEndPoint);
        connection.Start();
    }

    private int CloseConnections(bool reset)
    {
        int closed = 0;
        foreach (var connection in _connections.Values)
        {
            if (connection.Close(reset))
            {
                closed++;
            }
        }

        return closed;
    }
}
