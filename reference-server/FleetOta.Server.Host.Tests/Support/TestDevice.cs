using System.Buffers;
using System.Threading.Channels;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using MQTTnet;
using MQTTnet.Protocol;

namespace FleetOta.Server.Host.Tests.Support;

/// <summary>A real MQTTnet client acting as one device: it subscribes to its down topic and publishes on its up
/// topic with the wire codec.</summary>
internal sealed class TestDevice : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly Channel<ServerMessage> _received = Channel.CreateUnbounded<ServerMessage>();

    private TestDevice(int deviceId, IMqttClient client)
    {
        DeviceId = deviceId;
        _client = client;
    }

    public int DeviceId { get; }

    public static async Task<TestDevice> ConnectAsync(Uri broker, int deviceId)
    {
        var factory = new MqttClientFactory();
        var client = factory.CreateMqttClient();
        var device = new TestDevice(deviceId, client);
        client.ApplicationMessageReceivedAsync += args =>
        {
            var message = WireCodec.DecodeServerMessage(args.ApplicationMessage.Payload.ToArray());
            device._received.Writer.TryWrite(message);
            return Task.CompletedTask;
        };
        var options = factory.CreateClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId($"test-device-{deviceId}-{Environment.ProcessId}")
            .WithCleanSession()
            .Build();
        await client.ConnectAsync(options);
        await client.SubscribeAsync(factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(MqttTopics.Down(deviceId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return device;
    }

    /// <summary>Connects devices in batches of at most 64 connections at a time, so the broker's accept backlog
    /// is never flooded.</summary>
    public static async Task<TestDevice[]> ConnectManyAsync(Uri broker, IReadOnlyList<int> deviceIds)
    {
        var devices = new List<TestDevice>(deviceIds.Count);
        foreach (var batch in deviceIds.Chunk(64))
        {
            devices.AddRange(await Task.WhenAll(batch.Select(id => ConnectAsync(broker, id))));
        }

        return [.. devices];
    }

    public Task PublishAsync(DeviceMessage message) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(MqttTopics.Up(DeviceId))
            .WithPayload(WireCodec.Encode(message))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    public Task PublishRawAsync(string topic, byte[] payload) =>
        _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());

    /// <summary>Drops every message received so far.</summary>
    public void DiscardReceived()
    {
        while (_received.Reader.TryRead(out _))
        {
        }
    }

    /// <summary>Waits for the next message of type <typeparamref name="T"/> that matches, skipping others.</summary>
    public async Task<T> ExpectAsync<T>(Func<T, bool>? match = null, double timeoutSeconds = 10)
        where T : ServerMessage
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(timeoutSeconds));
        try
        {
            while (true)
            {
                var message = await _received.Reader.ReadAsync(timeout.Token);
                if (message is T typed && (match is null || match(typed)))
                {
                    return typed;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Device {DeviceId} received no {typeof(T).Name} within {timeoutSeconds} s.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync();
        }

        _client.Dispose();
    }
}
