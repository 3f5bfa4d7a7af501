using System.Net.Http.Json;
using System.Text.Json;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

public sealed class AlertTests(ITestOutputHelper output) : IAsyncLifetime
{
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(output);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task CriticalFault_AboveLimit_PausesAndAlerts()
    {
        await using var device = await TestDevice.ConnectAsync(_server.Host.BrokerUrl, 0);
        await _server.RegisterAsync("rel-2", "2.0.0", 1_000);
        var deployment = await _server.DeployAsync("rel-2", [0, 1], faultMonitor: new FaultMonitorModel(0.01, null, 1, true, true));

        await device.PublishAsync(new Heartbeat(0, "2.0.0", Slot.B, Healthy: true, Degraded: false));
        await device.PublishAsync(new FaultReport(0, "2.0.0", "E42", Critical: true));
        var alertsFile = Path.Combine(_server.DataDirectory, ServerHost.AlertsFileName);
        var alertLine = await WaitForFirstLineAsync(alertsFile);
        var status = await _server.Http.GetFromJsonAsync(HttpPaths.Deployment(deployment.DeploymentId), ApiJsonContext.Default.DeploymentView);
        var journal = await _server.StopAndReadJournalAsync();

        using var alert = JsonDocument.Parse(alertLine);
        alert.RootElement.GetProperty("releaseId").GetString().Should().Be("rel-2");
        status!.Phase.Should().Be("paused");
        journal.Entries.Should().Contain(entry => entry.Kind == JournalKind.RolloutPaused && entry.Actor == "automatic");
        journal.Entries.Should().Contain(entry => entry.Kind == JournalKind.AlertRaised && entry.Release == "rel-2");
        var delivered = journal.Entries.Where(entry => entry.Kind == JournalKind.AlertDelivered).ToList();
        delivered.Select(entry => entry.Detail!.Split(':')[0]).Should().BeEquivalentTo("log", "file");
        delivered.Should().OnlyContain(entry => entry.Status == "delivered" && entry.Value >= 0);
    }

    private static async Task<string> WaitForFirstLineAsync(string path)
    {
        for (var poll = 0; poll < 300; poll++)
        {
            if (File.Exists(path) && (await File.ReadAllLinesAsync(path)).FirstOrDefault(line => line.Length > 0) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No alert was written to {path} within 15 s.");
    }
}
