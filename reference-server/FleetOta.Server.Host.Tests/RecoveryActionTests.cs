using System.Net.Http.Json;
using System.Text;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

/// <summary>Operator recovery actions through the API reach the device as commands over the embedded broker.</summary>
public sealed class RecoveryActionTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task RetryFailed_FailedDevice_SendsRetry()
    {
        await using var device = await FailedDeviceAsync(0);

        var result = await PostAsync(HttpPaths.RetryFailed("dep-1"), null);
        var command = await device.ExpectAsync<DeviceCommand>();

        result.Action.Should().Be("retry-failed");
        result.Devices.Should().Equal(0);
        command.Kind.Should().Be(CommandKind.Retry);
    }

    [Fact]
    public async Task ForceRollback_OneDevice_SendsRollback()
    {
        await using var device = await FailedDeviceAsync(1);

        var result = await PostAsync(HttpPaths.ForceRollback("dep-1"), """{"device":1}""");
        var command = await device.ExpectAsync<DeviceCommand>();
        var journal = await _server.StopAndReadJournalAsync();

        result.Devices.Should().Equal(1);
        command.Kind.Should().Be(CommandKind.Rollback);
        journal.Entries.Should().Contain(entry =>
            entry.Kind == JournalKind.RecoveryAction && entry.Device == 1 && entry.Detail == "force-rollback" && entry.Actor == "operator");
    }

    [Fact]
    public async Task RedeployPrevious_FailedDevice_InstallsPrevious()
    {
        await using var device = await FailedDeviceAsync(2);

        var result = await PostAsync(HttpPaths.RedeployPrevious("dep-1"), null);
        var command = await device.ExpectAsync<DeviceCommand>();

        result.Devices.Should().Equal(2);
        command.Kind.Should().Be(CommandKind.Install);
        command.Manifest!.Manifest.ReleaseId.Should().Be("rel-1");
        command.ArtifactUrl.Should().EndWith(HttpPaths.Artifact("rel-1"));
    }

    /// <summary>Registers rel-1 and rel-2, deploys rel-2 to devices 0 to 2 with automatic recovery off, and makes
    /// <paramref name="deviceId"/> report a failed download.</summary>
    private async Task<TestDevice> FailedDeviceAsync(int deviceId)
    {
        await _server.RegisterAsync("rel-1", "1.0.0", 100);
        await _server.RegisterAsync("rel-2", "2.0.0", 100);
        var body = """
            {"releaseId":"rel-2","previousReleaseId":"rel-1","targets":[0,1,2],
             "options":{"waves":[{"percent":100}],"offerSpreadMs":0,"recovery":{"enabled":false}}}
            """;
        using var response = await _server.Http.PostAsync(HttpPaths.Deployments, new StringContent(body, Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
        var device = await TestDevice.ConnectAsync(_server.Host.BrokerUrl, deviceId);
        await device.PublishAsync(new StatusReport(deviceId, 1, "rel-2", UpdateStatus.Failed, FailureReason.DownloadFailed, "1.0.0"));
        await device.ExpectAsync<StatusAck>();
        return device;
    }

    private async Task<RecoveryResult> PostAsync(string path, string? json)
    {
        using var content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await _server.Http.PostAsync(path, content);
        response.IsSuccessStatusCode.Should().BeTrue(await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.RecoveryResult))!;
    }
}
