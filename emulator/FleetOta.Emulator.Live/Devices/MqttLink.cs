using System.Net;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace FleetOta.Emulator.Live.Devices;

/// <summary>Settings of the MQTT connection of every live device. Durations are real time, not virtual time,
/// because they belong to the transport.</summary>
public sealed record MqttLinkOptions
{
    /// <summary>MQTT keep-alive period. Default 30 s.</summary>
    public TimeSpan KeepAlive { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time MQTTnet allows for one operation, such as the acknowledgement of a publish. Default 3 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Time allowed for one connect and subscribe before the attempt is given up and retried. Default 1 s,
    /// because a CONNECT lost in a loss window gets no CONNACK, while on 127.0.0.1 a CONNACK takes milliseconds.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>First reconnect delay; it doubles after each failed attempt. Default 250 ms.</summary>
    public TimeSpan ReconnectInitial { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Upper bound of the reconnect delay before jitter. Default 2 s, which is already 4 virtual minutes
    /// at a time factor of 120.</summary>
    public TimeSpan ReconnectMax { get; init; } = TimeSpan.FromSeconds(2);
}

/// <summary>The MQTT connection of one device: connects, subscribes to the device's down topic, publishes to its up
/// topic, and reconnects after a lost connection with exponential backoff and jitter drawn from a seeded stream.
/// MQTTnet 5 has no managed client, so the reconnect loop is here.</summary>
internal sealed class MqttLink : IAsyncDisposable
{
    private readonly int _deviceId;
    private readonly IPEndPoint _broker;
    private readonly MqttLinkOptions _options;
    private readonly SemaphoreSlim _connectSlots;
    private readonly ILogger _logger;
    private readonly Func<ServerMessage, Task> _received;
    private readonly Action<bool> _connectivityChanged;
    private IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private SimRandom _random;
    private bool _reconnecting;
    private bool _paused;
    private int _disposed;

    /// <param name="connectSlots">Limits connection attempts in flight across all devices of the host, because a
    /// broker with a small listen queue drops connects that arrive in a burst.</param>
    /// <param name="received">Called for each decoded message from the server.</param>
    /// <param name="connectivityChanged">Called with false when an established connection is lost and with true when
    /// a reconnect succeeds; not called for the first connect.</param>
    public MqttLink(
        int deviceId, IPEndPoint broker, MqttLinkOptions options, SemaphoreSlim connectSlots, long seed, ILogger logger,
        Func<ServerMessage, Task> received, Action<bool> connectivityChanged)
    {
        _deviceId = deviceId;
        _broker = broker;
        _options = options;
        _connectSlots = connectSlots;
        _logger = logger;
        _received = received;
        _connectivityChanged = connectivityChanged;
        _random = new SimRandom(seed, 7_000_003L * (deviceId + 1));
        _clientOptions = new MqttClientOptionsBuilder()
            .WithEndPoint(broker)
            .WithClientId($"fleetota-device-{deviceId}")
            .WithCleanSession(true)
            .WithKeepAlivePeriod(options.KeepAlive)
            .WithTimeout(options.Timeout)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .Build();
        _client = CreateClient();
    }

    public bool IsConnected => _client.IsConnected;

    /// <summary>Connects once; on failure the link keeps retrying in the background. Returns whether it is connected.</summary>
    public async Task<bool> ConnectAsync(CancellationToken token)
    {
        if (await TryConnectAsync(token).ConfigureAwait(false))
        {
            return true;
        }

        StartReconnecting();
        return false;
    }

    /// <summary>Publishes a message without waiting for the broker's acknowledgement; returns false when the link is
    /// down, and the message is then lost.</summary>
    public bool TryPublish(DeviceMessage message)
    {
        if (!_client.IsConnected || _paused)
        {
            return false;
        }

        var application = new MqttApplicationMessageBuilder()
            .WithTopic(MqttTopics.Up(_deviceId))
            .WithPayload(WireCodec.Encode(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        _ = PublishAsync(application);
        return true;
    }

    /// <summary>Drops the connection and stops reconnecting until <see cref="Resume"/>, as during a network partition.</summary>
    public async Task PauseAsync()
    {
        lock (_gate)
        {
            _paused = true;
        }

        await _client.TryDisconnectAsync(MqttClientDisconnectOptionsReason.NormalDisconnection, "partition").ConfigureAwait(false);
    }

    public void Resume()
    {
        lock (_gate)
        {
            _paused = false;
        }

        StartReconnecting();
    }

    /// <summary>Closes the socket at once, without an MQTT DISCONNECT, as a power cut does.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return ValueTask.CompletedTask;
        }

        _stopping.Cancel();
        _client.ApplicationMessageReceivedAsync -= OnMessageAsync;
        _client.DisconnectedAsync -= OnDisconnectedAsync;
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private IMqttClient CreateClient()
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += OnDisconnectedAsync;
        return client;
    }

    /// <summary>Connects and subscribes within the time-out. A failed attempt replaces the client, so that no state of
    /// a half-open attempt (a CONNECT lost in a loss window) carries over to the next one.</summary>
    private async Task<bool> TryConnectAsync(CancellationToken token)
    {
        using var stopping = CancellationTokenSource.CreateLinkedTokenSource(token, _stopping.Token);
        await _connectSlots.WaitAsync(stopping.Token).ConfigureAwait(false);
        try
        {
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
            attempt.CancelAfter(_options.ConnectTimeout);
            await _client.ConnectAsync(_clientOptions, attempt.Token).ConfigureAwait(false);
            await _client.SubscribeAsync(MqttTopics.Down(_deviceId), MqttQualityOfServiceLevel.AtLeastOnce, attempt.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception error) when (!stopping.IsCancellationRequested)
        {
            Log.MqttConnectFailed(_logger, _deviceId, _broker, error.Message);
            ReplaceClient();
            return false;
        }
        finally
        {
            _connectSlots.Release();
        }
    }

    private void ReplaceClient()
    {
        var old = _client;
        old.ApplicationMessageReceivedAsync -= OnMessageAsync;
        old.DisconnectedAsync -= OnDisconnectedAsync;
        _client = CreateClient();
        _ = Task.Run(old.Dispose);
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (args.ClientWasConnected && _disposed == 0)
        {
            _connectivityChanged(false);
            StartReconnecting();
        }

        return Task.CompletedTask;
    }

    private void StartReconnecting()
    {
        lock (_gate)
        {
            if (_reconnecting || _paused || _disposed != 0)
            {
                return;
            }

            _reconnecting = true;
        }

        _ = ReconnectLoopAsync();
    }

    private async Task ReconnectLoopAsync()
    {
        var delay = _options.ReconnectInitial;
        try
        {
            while (_disposed == 0 && !_paused)
            {
                double jitter;
                lock (_gate)
                {
                    jitter = 0.5 + _random.NextDouble();
                }

                await Task.Delay(delay * jitter, _stopping.Token).ConfigureAwait(false);
                if (_paused || _client.IsConnected)
                {
                    break;
                }

                if (await TryConnectAsync(_stopping.Token).ConfigureAwait(false))
                {
                    _connectivityChanged(true);
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.ReconnectMax.Ticks));
            }
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            // The device lost power or the host is stopping.
        }
        finally
        {
            lock (_gate)
            {
                _reconnecting = false;
            }
        }
    }

    private async Task PublishAsync(MqttApplicationMessage message)
    {
        try
        {
            await _client.PublishAsync(message, _stopping.Token).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OutOfMemoryException)
        {
            // A publish that fails after it left is the same as a message lost in transit.
            Log.MqttPublishFailed(_logger, _deviceId, error.Message);
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        ServerMessage message;
        try
        {
            message = WireCodec.DecodeServerMessage(args.ApplicationMessage.Payload.IsSingleSegment
                ? args.ApplicationMessage.Payload.FirstSpan
                : System.Buffers.BuffersExtensions.ToArray(args.ApplicationMessage.Payload));
        }
        catch (WireFormatException error)
        {
            Log.InvalidServerMessage(_logger, _deviceId, args.ApplicationMessage.Topic, error.Message);
            return;
        }

        await _received(message).ConfigureAwait(false);
    }
}
