using System.Net.Http.Json;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Tests.Support;

namespace FleetOta.Server.Host.Tests;

/// <summary>A server restarted on the same data folder continues the deployment from its SQLite state.</summary>
public sealed class ServerRestartTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fleetota-server-restart-").FullName;

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Directory.Delete(_dataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Restart_MidRollout_ContinuesDeployment()
    {
        string keyId;
        long stoppedAtMs;
        byte[] image;
        await using (var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory))
        {
            (_, image) = await first.RegisterAsync("rel-2", "2.0.0", 5_000);
            await first.DeployAsync("rel-2", [0, 1]);
            await using var device = await TestDevice.ConnectAsync(first.Host.BrokerUrl, 0);
            await device.PublishAsync(new StatusReport(0, 1, "rel-2", UpdateStatus.Downloading, FailureReason.None, "1.0.0"));
            await device.ExpectAsync<StatusAck>();
            keyId = first.Host.KeyId;
            stoppedAtMs = first.Host.Clock.NowMs;
        }

        await using var second = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);
        var restored = await second.Http.GetFromJsonAsync(HttpPaths.Deployment("dep-1"), ApiJsonContext.Default.DeploymentView);
        var fleetAfterRestart = await second.FleetAsync();
        await using var reconnected = await TestDevice.ConnectAsync(second.Host.BrokerUrl, 0);
        await reconnected.PublishAsync(new StatusReport(0, 1, "rel-2", UpdateStatus.Downloading, FailureReason.None, "1.0.0"));
        await reconnected.PublishAsync(new StatusReport(0, 2, "rel-2", UpdateStatus.Installing, FailureReason.None, "1.0.0"));
        var duplicateAck = await reconnected.ExpectAsync<StatusAck>();
        var nextAck = await reconnected.ExpectAsync<StatusAck>();
        var fleet = await second.FleetAsync();
        var artifact = await second.Http.GetByteArrayAsync(HttpPaths.Artifact("rel-2"));
        var secondKeyId = second.Host.KeyId;
        var journal = await second.StopAndReadJournalAsync();

        restored!.Phase.Should().Be("running");
        restored.NowMs.Should().BeGreaterThanOrEqualTo(stoppedAtMs);
        fleetAfterRestart.Devices.Single(view => view.DeviceId == 0).ActionState.Should().Be("downloading");
        duplicateAck.Sequence.Should().Be(1);
        nextAck.Sequence.Should().Be(2);
        fleet.Devices.Single(view => view.DeviceId == 0).ActionState.Should().Be("installing");
        artifact.Should().Equal(image);
        secondKeyId.Should().Be(keyId);
        journal.Entries.Should().Contain(entry => entry.Kind == JournalKind.ServerRestart && entry.Status == "up");
        journal.Entries.Should().NotContain(entry => entry.Kind == JournalKind.DeploymentStarted);
        journal.Entries.Min(entry => entry.TimeMs).Should().BeGreaterThanOrEqualTo(stoppedAtMs);
    }

    [Fact]
    public async Task Restart_PendingAlert_DeliveredOnceAfterRestart()
    {
        // A directory where the file sink writes makes its deliveries fail, as a full or read-only disk would.
        var alertsFile = Path.Combine(_dataDirectory, ServerHost.AlertsFileName);
        Directory.CreateDirectory(alertsFile);
        JournalData firstJournal;
        await using (var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory))
        {
            await using var device = await TestDevice.ConnectAsync(first.Host.BrokerUrl, 0);
            await first.RegisterAsync("rel-2", "2.0.0", 1_000);
            var deployment = await first.DeployAsync("rel-2", [0, 1], faultMonitor: new FaultMonitorModel(0.01, null, 1, true, true));
            await device.PublishAsync(new Heartbeat(0, "2.0.0", Slot.B, Healthy: true, Degraded: false));
            await device.PublishAsync(new FaultReport(0, "2.0.0", "E42", Critical: true));
            await WaitForPhaseAsync(first, deployment.DeploymentId, "paused");
            firstJournal = await first.StopAndReadJournalAsync();
        }

        Directory.Delete(alertsFile);
        await using var second = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);
        var line = await WaitForFirstLineAsync(alertsFile);
        var secondJournal = await second.StopAndReadJournalAsync();

        firstJournal.Entries.Should().ContainSingle(entry => entry.Kind == JournalKind.AlertRaised);
        firstJournal.Entries.Where(entry => entry.Kind == JournalKind.AlertDelivered).Select(entry => entry.Detail!.Split(':')[0])
            .Should().NotContain("file");
        line.Should().Contain("rel-2");
        var delivered = secondJournal.Entries.Where(entry => entry.Kind == JournalKind.AlertDelivered).ToList();
        delivered.Should().ContainSingle("only the file sink still had the alert pending");
        delivered[0].Detail.Should().StartWith("file: ");
        delivered[0].Release.Should().Be("rel-2");
        (await File.ReadAllLinesAsync(alertsFile)).Where(text => text.Length > 0).Should().ContainSingle();
    }

    private static async Task WaitForPhaseAsync(TestServer server, string deploymentId, string phase)
    {
        for (var poll = 0; poll < 300; poll++)
        {
            var view = await server.Http.GetFromJsonAsync(HttpPaths.Deployment(deploymentId), ApiJsonContext.Default.DeploymentView);
            if (view!.Phase == phase)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Deployment {deploymentId} did not reach phase '{phase}' within 15 s.");
    }

    private static async Task<string> WaitForFirstLineAsync(string path)
    {
        for (var poll = 0; poll < 300; poll++)
        {
            if (File.Exists(path) && (await File.ReadAllLinesAsync(path)).FirstOrDefault(text => text.Length > 0) is { } line)
            {
                return line;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"No alert was written to {path} within 15 s.");
    }

    [Fact]
    public async Task StartDeployment_AfterRestart_NumbersOn()
    {
        await using (var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory))
        {
            await first.RegisterAsync("rel-2", "2.0.0", 100);
            var deployment = await first.DeployAsync("rel-2", [0]);
            using var abort = await first.Http.PostAsync(HttpPaths.Abort(deployment.DeploymentId), null);
            abort.EnsureSuccessStatusCode();
        }

        await using var second = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);
        var aborted = await second.Http.GetFromJsonAsync(HttpPaths.Deployment("dep-1"), ApiJsonContext.Default.DeploymentView);
        var next = await second.DeployAsync("rel-2", [0, 1]);

        aborted!.Phase.Should().Be("aborted");
        next.DeploymentId.Should().Be("dep-2");
        next.Phase.Should().Be("running");
    }

    [Fact]
    public async Task Restart_EmbeddedBroker_KeepsPort()
    {
        int firstPort;
        await using (var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory))
        {
            firstPort = first.Host.BrokerUrl.Port;
        }

        await using var second = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);
        await using var device = await TestDevice.ConnectAsync(second.Host.BrokerUrl, 0);

        second.Host.BrokerUrl.Port.Should().Be(firstPort);
        (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, ServerHost.BrokerPortFileName))).Trim().Should().Be(firstPort.ToString());
    }

    [Fact]
    public async Task Restart_BrokerPortTaken_ListensOnNewPort()
    {
        int firstPort;
        await using (var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory))
        {
            firstPort = first.Host.BrokerUrl.Port;
        }

        using var squatter = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, firstPort);
        squatter.Start();
        await using var second = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);

        second.Host.BrokerUrl.Port.Should().NotBe(firstPort);
        (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, ServerHost.BrokerPortFileName))).Trim().Should().Be(second.Host.BrokerUrl.Port.ToString());
    }
}
