using FleetOta.Server.Host.State;
using FleetOta.Server.Host.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetOta.Server.Host.Tests;

/// <summary>A server started on a data folder whose files are missing, corrupt or disagree refuses to start, and
/// names the files and the fix, so no state is lost silently.</summary>
public sealed class DataFolderTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _dataDirectory = Directory.CreateTempSubdirectory("fleetota-server-data-").FullName;

    public async Task InitializeAsync()
    {
        await using var first = await TestServer.StartAsync(output, dataDirectory: _dataDirectory);
        await first.RegisterAsync("rel-1", "1.0.0", 100);
        await first.RegisterAsync("rel-2", "2.0.0", 100);
        await first.DeployAsync("rel-2", [0, 1], previousReleaseId: "rel-1");
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dataDirectory, recursive: true);
        return Task.CompletedTask;
    }

    public static TheoryData<string, string, string> Damages => new()
    {
        { "delete controller.sqlite", SqliteServerStateStore.DeploymentsFileName, SqliteServerStateStore.ControllerFileName },
        { "empty controller.sqlite", SqliteServerStateStore.DeploymentsFileName, SqliteServerStateStore.ControllerFileName },
        { "truncate controller.sqlite", SqliteServerStateStore.ControllerFileName, "malformed" },
        { "garble controller.sqlite", SqliteServerStateStore.ControllerFileName, "not a readable SQLite store" },
        { "delete deployments.json", SqliteServerStateStore.DeploymentsFileName, SqliteServerStateStore.ControllerFileName },
        { "garble deployments.json", SqliteServerStateStore.DeploymentsFileName, "not valid JSON" },
        { "empty entry in deployments.json", SqliteServerStateStore.DeploymentsFileName, "lacks its id" },
        { "repeat dep-1 in deployments.json", SqliteServerStateStore.DeploymentsFileName, "twice" },
        { "delete controller.sqlite and deployments.json", "rel-1.img", SqliteServerStateStore.ControllerFileName },
        { "delete an image", "rel-2.img", "missing" },
        { "delete signing-key.pem", "signing-key.pem", "missing" },
        { "replace signing-key.pem", "signing-key.pem", "rel-1" },
        { "garble signing-key.pem", "signing-key.pem", "PEM" },
        { "garble stopped.json", SqliteServerStateStore.StopTimeFileName, "not valid JSON" },
        { "garble alert-outbox.sqlite", ServerHost.AlertOutboxFileName, "file is not a database" },
    };

    [Theory]
    [MemberData(nameof(Damages))]
    public async Task Start_DamagedDataFolder_FailsNamingFileAndFix(string damage, string file, string problem)
    {
        Damage(damage);

        var start = () => TestServer.StartAsync(output, dataDirectory: _dataDirectory);

        var error = (await start.Should().ThrowAsync<ServerStartException>()).Which;
        error.Failure.Should().Be(ServerStartFailure.InvalidDataFolder);
        error.Message.Should().Contain(Path.Combine(_dataDirectory, file.EndsWith(".img", StringComparison.Ordinal) ? "artifacts" : "", file));
        error.Message.Should().Contain(problem);
        error.Message.Should().MatchRegex("(?i)restore|delete|move");
    }

    [Fact]
    public async Task Start_ControllerDeleted_KeepsOtherFiles()
    {
        var deployments = await File.ReadAllTextAsync(Path.Combine(_dataDirectory, SqliteServerStateStore.DeploymentsFileName));
        Damage("delete controller.sqlite");

        var start = () => TestServer.StartAsync(output, dataDirectory: _dataDirectory);

        await start.Should().ThrowAsync<ServerStartException>();
        (await File.ReadAllTextAsync(Path.Combine(_dataDirectory, SqliteServerStateStore.DeploymentsFileName))).Should().Be(deployments);
        File.Exists(Path.Combine(_dataDirectory, SqliteServerStateStore.ArtifactsFolderName, "rel-2.img")).Should().BeTrue();
    }

    [Fact]
    public async Task Start_UnreachableBroker_NetworkUnavailable()
    {
        var options = new ServerHostOptions
        {
            Broker = "mqtt://127.0.0.1:1",
            BrokerConnectTimeout = TimeSpan.FromMilliseconds(300),
        };

        var start = () => ServerHost.StartAsync(options, NullLoggerFactory.Instance);

        var error = (await start.Should().ThrowAsync<ServerStartException>()).Which;
        error.Failure.Should().Be(ServerStartFailure.NetworkUnavailable);
        error.Message.Should().Contain("mqtt://127.0.0.1:1/");
    }

    private void Damage(string damage)
    {
        string In(string name) => Path.Combine(_dataDirectory, name);
        var controller = In(SqliteServerStateStore.ControllerFileName);
        var deployments = In(SqliteServerStateStore.DeploymentsFileName);
        switch (damage)
        {
            case "delete controller.sqlite":
                File.Delete(controller);
                break;
            case "empty controller.sqlite":
                File.WriteAllBytes(controller, []);
                break;
            case "truncate controller.sqlite":
                using (var file = File.OpenWrite(controller))
                {
                    file.SetLength(5_000);
                }

                break;
            case "garble controller.sqlite":
                File.WriteAllText(controller, "not a database");
                break;
            case "delete deployments.json":
                File.Delete(deployments);
                break;
            case "garble deployments.json":
                File.WriteAllText(deployments, "[{");
                break;
            case "empty entry in deployments.json":
                File.WriteAllText(deployments, "[{}]");
                break;
            case "repeat dep-1 in deployments.json":
                var text = File.ReadAllText(deployments).Trim();
                var entry = text[1..^1];
                File.WriteAllText(deployments, "[" + entry + "," + entry + "]");
                break;
            case "delete controller.sqlite and deployments.json":
                File.Delete(controller);
                File.Delete(deployments);
                break;
            case "delete an image":
                File.Delete(In(Path.Combine(SqliteServerStateStore.ArtifactsFolderName, "rel-2.img")));
                break;
            case "delete signing-key.pem":
                File.Delete(In("signing-key.pem"));
                break;
            case "replace signing-key.pem":
                using (var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
                {
                    File.WriteAllText(In("signing-key.pem"), key.ExportECPrivateKeyPem());
                }

                break;
            case "garble signing-key.pem":
                File.WriteAllText(In("signing-key.pem"), "not a key");
                break;
            case "garble stopped.json":
                File.WriteAllText(In(SqliteServerStateStore.StopTimeFileName), "{");
                break;
            case "garble alert-outbox.sqlite":
                File.WriteAllText(In(ServerHost.AlertOutboxFileName), "not a database");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(damage), damage, "Add the damage to the switch.");
        }
    }
}
