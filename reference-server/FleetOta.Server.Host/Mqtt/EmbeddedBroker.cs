using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using MQTTnet.Server;

namespace FleetOta.Server.Host.Mqtt;

/// <summary>The MQTTnet broker that the host starts on 127.0.0.1 when no external broker is given.</summary>
internal sealed class EmbeddedBroker : IAsyncDisposable
{
    private readonly MqttServer _server;
    private readonly ILogger _logger;

    private EmbeddedBroker(MqttServer server, int port, ILogger logger)
    {
        _server = server;
        Port = port;
        _logger = logger;
    }

    public int Port { get; }

    /// <summary>Starts the broker on <paramref name="port"/>, or on a free port when it is 0.</summary>
    public static async Task<EmbeddedBroker> StartAsync(int port, ILogger logger)
    {
        // NOTE: MQTTnet 5.2 does not report the port it bound, so port 0 is resolved by binding a listener first.
        // Another process could take the port in the moment between, and the start then fails with a socket error.
        var bound = port == 0 ? FreeLoopbackPort() : port;
        var options = new MqttServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None)
            .WithDefaultEndpointPort(bound)
            .WithConnectionBacklog(1024)
            .Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ClientConnectedAsync += args =>
        {
            Log.BrokerClientConnected(logger, args.ClientId);
            return Task.CompletedTask;
        };
        await server.StartAsync().ConfigureAwait(false);
        Log.EmbeddedBrokerStarted(logger, bound);
        return new EmbeddedBroker(server, bound, logger);
    }

    public async ValueTask DisposeAsync()
    {
        await _server.StopAsync().ConfigureAwait(false);
        _server.Dispose();
        Log.EmbeddedBrokerStopped(_logger, Port);
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
