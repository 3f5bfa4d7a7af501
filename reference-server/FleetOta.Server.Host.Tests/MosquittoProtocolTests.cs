using FleetOta.Protocol;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

/// <summary>The device protocol through Debian's mosquitto as an external broker, started on a free port.</summary>
public sealed class MosquittoProtocolTests(ITestOutputHelper output) : IAsyncLifetime
{
    private MosquittoBroker? _broker;
    private TestServer? _server;

    private TestServer Server => _server!;

    public async Task InitializeAsync()
    {
        if (!MosquittoBroker.IsInstalled)
        {
            return;
        }

        _broker = await MosquittoBroker.StartAsync();
        _server = await TestServer.StartAsync(output, _broker.Url.ToString());
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        if (_broker is not null)
        {
            await _broker.DisposeAsync();
        }
    }

    [MosquittoFact]
    public Task Heartbeat_AfterDeployment_ReceivesSignedOffer() => DeviceProtocolScenarios.HeartbeatAfterDeployment_ReceivesSignedOffer(Server);

    [MosquittoFact]
    public Task StatusReport_Sent_Acknowledged() => DeviceProtocolScenarios.StatusReport_Acknowledged(Server);

    [MosquittoFact]
    public Task ManyDevices_Heartbeat_AllReceiveOffers() => DeviceProtocolScenarios.ManyDevices_AllReceiveOffers(Server, 200);

    [MosquittoFact]
    public async Task BrokerRestart_ServerReconnects_AcksAgain()
    {
        await Server.RegisterAsync("rel-2", "2.0.0", 1_000);
        await Server.DeployAsync("rel-2", [2]);

        await _broker!.RestartAsync();
        await using var device = await TestDevice.ConnectAsync(Server.Host.BrokerUrl, 2);
        var ack = await RetryUntilAckAsync(device);

        ack.Should().Be(new StatusAck(2, ack.Sequence));
    }

    /// <summary>Repeats a status report, as the agent does, until the reconnected server acknowledges one.</summary>
    private static async Task<StatusAck> RetryUntilAckAsync(TestDevice device)
    {
        for (var sequence = 1; sequence <= 40; sequence++)
        {
            await device.PublishAsync(new StatusReport(2, sequence, "rel-2", UpdateStatus.Downloading, FailureReason.None, "1.0.0"));
            try
            {
                return await device.ExpectAsync<StatusAck>(timeoutSeconds: 0.25);
            }
            catch (TimeoutException)
            {
                // The server has not resubscribed yet; the report was dropped by the broker.
            }
        }

        throw new TimeoutException("The server did not acknowledge any of 40 status reports within 10 s after the broker restart.");
    }
}
