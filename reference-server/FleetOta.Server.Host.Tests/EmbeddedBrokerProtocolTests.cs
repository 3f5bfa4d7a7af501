using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

public sealed class EmbeddedBrokerProtocolTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public Task Heartbeat_AfterDeployment_ReceivesSignedOffer() => DeviceProtocolScenarios.HeartbeatAfterDeployment_ReceivesSignedOffer(_server);

    [Fact]
    public Task StatusReport_Sent_Acknowledged() => DeviceProtocolScenarios.StatusReport_Acknowledged(_server);

    [Fact]
    public Task InvalidPayload_Ignored_LaterMessagesServed() => DeviceProtocolScenarios.InvalidPayload_IgnoredThenServes(_server);

    [Fact]
    public Task ManyDevices_Heartbeat_AllReceiveOffers() => DeviceProtocolScenarios.ManyDevices_AllReceiveOffers(_server, 200);
}
