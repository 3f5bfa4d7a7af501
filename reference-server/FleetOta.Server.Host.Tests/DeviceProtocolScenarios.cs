using System.Net.Http.Json;
using System.Text;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

/// <summary>Device protocol checks run against each broker: a real MQTTnet client acts as the device.</summary>
internal static class DeviceProtocolScenarios
{
    /// <summary>The device subscribes only after the first offer went out, so it receives the offer only in response
    /// to its heartbeat. The controller repeats an unanswered offer on a heartbeat once the offer repeat time passed.</summary>
    public static async Task HeartbeatAfterDeployment_ReceivesSignedOffer(TestServer server)
    {
        var (release, image) = await server.RegisterAsync("rel-2", "2.0.0");
        await server.DeployAsync("rel-2", [1, 3]);
        await WaitForStateAsync(server, 3, "offered");
        await using var device = await TestDevice.ConnectAsync(server.Host.BrokerUrl, 3);
        // The first offer may still have been in flight when the device subscribed: drop it.
        await Task.Delay(300);
        device.DiscardReceived();

        var offer = await HeartbeatUntilOfferAsync(device);
        var key = await server.Http.GetFromJsonAsync(HttpPaths.SigningKey, ApiJsonContext.Default.SigningKeyView);
        var downloaded = await server.Http.GetByteArrayAsync(offer.ArtifactUrl);
        var fleet = await server.FleetAsync();
        var journal = await server.StopAndReadJournalAsync();

        offer.DeviceId.Should().Be(3);
        offer.Manifest.Manifest.ReleaseId.Should().Be("rel-2");
        offer.Manifest.Manifest.ImageDigest.Should().Be(release.ImageDigest);
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust(key!.KeyId, Convert.FromBase64String(key.PublicKey));
        verifier.Verify(offer.Manifest).Should().Be(SignatureCheck.Valid);
        downloaded.Should().Equal(image);
        fleet.Devices.Should().ContainSingle(view => view.DeviceId == 3).Which.RunningVersion.Should().Be("1.0.0");
        journal.Entries.Should().Contain(entry =>
            entry.Kind == JournalKind.MessageDelivered && entry.Device == 3 && entry.Status == MessageTypes.Heartbeat && entry.Version == "1.0.0");
        journal.Entries.Should().Contain(entry =>
            entry.Kind == JournalKind.MessageSent && entry.Device == 3 && entry.Status == MessageTypes.Offer && entry.Release == "rel-2");
        journal.Entries.Should().Contain(entry => entry.Kind == JournalKind.DeviceOffered && entry.Device == 3);
    }

    private static async Task WaitForStateAsync(TestServer server, int deviceId, string state)
    {
        for (var poll = 0; poll < 300; poll++)
        {
            var fleet = await server.FleetAsync();
            if (fleet.Devices.Any(view => view.DeviceId == deviceId && view.ActionState == state))
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Device {deviceId} did not reach action state {state} within 15 s.");
    }

    /// <summary>Sends a heartbeat every 300 ms, as an agent does periodically, until an offer arrives.</summary>
    private static async Task<UpdateOffer> HeartbeatUntilOfferAsync(TestDevice device)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            await device.PublishAsync(new Heartbeat(device.DeviceId, "1.0.0", Slot.A, Healthy: true, Degraded: false));
            try
            {
                return await device.ExpectAsync<UpdateOffer>(timeoutSeconds: 0.3);
            }
            catch (TimeoutException)
            {
                // The offer repeat time has not passed yet; the next heartbeat requests it again.
            }
        }

        throw new TimeoutException($"Device {device.DeviceId} received no offer after 60 heartbeats in 18 s.");
    }

    public static async Task StatusReport_Acknowledged(TestServer server)
    {
        await using var device = await TestDevice.ConnectAsync(server.Host.BrokerUrl, 0);
        await server.RegisterAsync("rel-2", "2.0.0", 1_000);
        await server.DeployAsync("rel-2", [0]);

        await device.PublishAsync(new StatusReport(0, 1, "rel-2", UpdateStatus.Downloading, FailureReason.None, "1.0.0"));
        var ack = await device.ExpectAsync<StatusAck>();
        var fleet = await server.FleetAsync();

        ack.Should().Be(new StatusAck(0, 1));
        fleet.Devices.Should().ContainSingle(view => view.DeviceId == 0).Which.ActionState.Should().Be("downloading");
    }

    public static async Task InvalidPayload_IgnoredThenServes(TestServer server)
    {
        await using var device = await TestDevice.ConnectAsync(server.Host.BrokerUrl, 4);
        await server.RegisterAsync("rel-2", "2.0.0", 1_000);
        await server.DeployAsync("rel-2", [4]);

        await device.PublishRawAsync(MqttTopics.Up(4), Encoding.UTF8.GetBytes("""{"type":"status","deviceId":4}"""));
        await device.PublishAsync(new StatusReport(5, 1, "rel-2", UpdateStatus.Downloading, FailureReason.None, "1.0.0"));
        await device.PublishAsync(new StatusReport(4, 7, "rel-2", UpdateStatus.Installing, FailureReason.None, "1.0.0"));
        var ack = await device.ExpectAsync<StatusAck>();
        var journal = await server.StopAndReadJournalAsync();

        ack.Sequence.Should().Be(7);
        journal.Entries.Where(entry => entry.Kind == JournalKind.MessageDelivered).Should().ContainSingle()
            .Which.Device.Should().Be(4);
    }

    public static async Task ManyDevices_AllReceiveOffers(TestServer server, int deviceCount)
    {
        var ids = Enumerable.Range(0, deviceCount).ToArray();
        var devices = await TestDevice.ConnectManyAsync(server.Host.BrokerUrl, ids);
        try
        {
            await server.RegisterAsync("rel-2", "2.0.0", 1_000);
            await server.DeployAsync("rel-2", ids);

            await Task.WhenAll(devices.Select(device => device.PublishAsync(new Heartbeat(device.DeviceId, "1.0.0", Slot.A, true, false))));
            var offers = await Task.WhenAll(devices.Select(device => device.ExpectAsync<UpdateOffer>(timeoutSeconds: 20)));

            offers.Select(offer => offer.DeviceId).Should().Equal(ids);
            offers.Should().OnlyContain(offer => offer.Manifest.Manifest.ReleaseId == "rel-2");
        }
        finally
        {
            foreach (var device in devices)
            {
                await device.DisposeAsync();
            }
        }
    }
}
