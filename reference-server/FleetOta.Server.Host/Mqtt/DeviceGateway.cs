using System.Buffers;
using System.Globalization;
using System.Net.Sockets;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Control;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Exceptions;
using MQTTnet.Protocol;

namespace FleetOta.Server.Host.Mqtt;

/// <summary>The server's MQTT client: subscribes to every device's up topic, hands decoded messages to the engine
/// and publishes the engine's outbound messages on the down topics with QoS 1. MQTTnet 5 has no managed client,
/// so the gateway reconnects itself with exponential backoff and subscribes again after each reconnect.</summary>
/// <remarks>The session is clean, so device messages published while the server is disconnected are lost; the
/// agents repeat status reports until they are acknowledged and send heartbeats periodically.</remarks>
internal sealed class DeviceGateway : IAsyncDisposable
{
    private readonly BrokerEndpoint _endpoint;
    private readonly ServerHostOptions _options;
    private readonly RolloutEngine _engine;
    private readonly TimeProvider _realTime;
    private readonly ILogger _logger;
    private readonly MqttClientFactory _factory = new();
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _clientOptions;
    private readonly CancellationTokenSource _stopping = new();
    private Task _publishLoop = Task.CompletedTask;
    private Task _reconnectLoop = Task.CompletedTask;
    private int _reconnecting;
    private long _invalidMessages;

    public DeviceGateway(BrokerEndpoint endpoint, ServerHostOptions options, RolloutEngine engine, TimeProvider realTime, ILogger logger)
    {
        _endpoint = endpoint;
        _options = options;
        _engine = engine;
        _realTime = realTime;
        _logger = logger;
        ClientId = "fleetota-server-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        _clientOptions = _factory.CreateClientOptionsBuilder()
            .WithTcpServer(endpoint.Host, endpoint.Port)
            .WithClientId(ClientId)
            .WithCleanSession()
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build();
        _client = _factory.CreateMqttClient();
        _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        _client.DisconnectedAsync += OnDisconnectedAsync;
    }

    public string ClientId { get; }

    public Uri BrokerUri => _endpoint.ToUri();

    /// <summary>Connects, retrying with backoff until <see cref="ServerHostOptions.BrokerConnectTimeout"/> passes, then
    /// subscribes and starts publishing.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        timeout.CancelAfter(_options.BrokerConnectTimeout);
        try
        {
            await ConnectWithBackoffAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerStartException(ServerStartFailure.NetworkUnavailable,
                $"Could not connect to the MQTT broker {BrokerUri} within {_options.BrokerConnectTimeout.TotalSeconds:0.#} s; start the broker or fix the broker option.");
        }

        Log.BrokerConnected(_logger, BrokerUri, ClientId);
        _publishLoop = PublishLoopAsync(_stopping.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _publishLoop.ConfigureAwait(false);
        await _reconnectLoop.ConfigureAwait(false);
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync().ConfigureAwait(false);
            }
            catch (MqttCommunicationException)
            {
                // The broker went away first; there is nothing left to close.
            }
        }

        _client.Dispose();
        _stopping.Dispose();
    }

    /// <summary>Connects and subscribes, doubling the delay after each failure; returns the attempts used.</summary>
    private async Task<int> ConnectWithBackoffAsync(CancellationToken cancellationToken)
    {
        var delay = _options.ReconnectMinDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _client.ConnectAsync(_clientOptions, cancellationToken).ConfigureAwait(false);
                var subscription = _factory.CreateSubscribeOptionsBuilder()
                    .WithTopicFilter(MqttTopics.AllUp, MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build();
                await _client.SubscribeAsync(subscription, cancellationToken).ConfigureAwait(false);
                return attempt;
            }
            catch (Exception error) when (error is MqttCommunicationException or SocketException
                                              || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                // A refused or timed-out connection is expected while the broker starts, so the log names only the cause.
                Log.BrokerConnectFailed(_logger, attempt, BrokerUri, error.GetBaseException().Message, delay);
            }

            await Task.Delay(delay, _realTime, cancellationToken).ConfigureAwait(false);
            delay = delay * 2 > _options.ReconnectMaxDelay ? _options.ReconnectMaxDelay : delay * 2;
        }
    }

    private Task OnDisconnectedAsync(MqttClientDisconnectedEventArgs args)
    {
        if (_stopping.IsCancellationRequested || !args.ClientWasConnected || Interlocked.Exchange(ref _reconnecting, 1) == 1)
        {
            return Task.CompletedTask;
        }

        Log.BrokerDisconnected(_logger, BrokerUri, args.Reason.ToString(), args.Exception);
        _reconnectLoop = Task.Run(ReconnectAsync);
        return Task.CompletedTask;
    }

    private async Task ReconnectAsync()
    {
        try
        {
            var attempts = await ConnectWithBackoffAsync(_stopping.Token).ConfigureAwait(false);
            Log.BrokerReconnected(_logger, BrokerUri, attempts);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
            // Stopping: no reconnect needed.
        }
        finally
        {
            Volatile.Write(ref _reconnecting, 0);
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs args)
    {
        var topic = args.ApplicationMessage.Topic;
        if (!MqttTopics.TryParseUp(topic, out var topicDevice))
        {
            Log.UnknownTopic(_logger, topic);
            return Task.CompletedTask;
        }

        var payload = args.ApplicationMessage.Payload;
        DeviceMessage message;
        try
        {
            message = payload.IsSingleSegment
                ? WireCodec.DecodeDeviceMessage(payload.FirstSpan)
                : WireCodec.DecodeDeviceMessage(payload.ToArray());
        }
        catch (WireFormatException error)
        {
            Log.InvalidDeviceMessage(_logger, topicDevice, topic, Interlocked.Increment(ref _invalidMessages), error.Message);
            return Task.CompletedTask;
        }

        if (message.DeviceId != topicDevice)
        {
            Log.InvalidDeviceMessage(_logger, topicDevice, topic, Interlocked.Increment(ref _invalidMessages),
                $"the payload names device {message.DeviceId}, but the topic belongs to device {topicDevice}; publish on {MqttTopics.Up(message.DeviceId)}");
            return Task.CompletedTask;
        }

        _engine.Deliver(message);
        return Task.CompletedTask;
    }

    private async Task PublishLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var message in _engine.Outbound.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                await PublishAsync(message, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: messages still queued are not sent.
        }
    }

    private async Task PublishAsync(ServerMessage message, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
        {
            Log.MessageDropped(_logger, message.Type, message.DeviceId);
            _engine.JournalLost(message, "broker unavailable");
            return;
        }

        var publication = new MqttApplicationMessageBuilder()
            .WithTopic(MqttTopics.Down(message.DeviceId))
            .WithPayload(WireCodec.Encode(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        try
        {
            await _client.PublishAsync(publication, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is MqttCommunicationException
                                          || (error is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.PublishFailed(_logger, message.Type, message.DeviceId, error);
            _engine.JournalLost(message, "publish failed: " + error.Message);
        }
    }
}
