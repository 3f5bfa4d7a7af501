using System.Net.Http.Json;
using System.Security.Cryptography;
using FleetOta.Journal;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Tests.Support;

/// <summary>A real <see cref="ServerHost"/> on 127.0.0.1 with its data in a temporary folder, and an HTTP client
/// for its API.</summary>
internal sealed class TestServer : IAsyncDisposable
{
    /// <summary>One virtual minute passes in 100 ms, so rollout timers of minutes run within a test.</summary>
    public const double TimeFactor = 600;

    private readonly ILoggerFactory _loggers;
    private readonly bool _ownsData;
    private bool _stopped;

    private TestServer(ServerHost host, ILoggerFactory loggers, string dataDirectory, bool ownsData)
    {
        Host = host;
        _loggers = loggers;
        DataDirectory = dataDirectory;
        _ownsData = ownsData;
        Http = new HttpClient { BaseAddress = host.HttpUrl, Timeout = TimeSpan.FromSeconds(20) };
    }

    public ServerHost Host { get; }

    public HttpClient Http { get; }

    public string DataDirectory { get; }

    /// <summary>Starts a server; with <paramref name="dataDirectory"/> set it continues the state saved there, and the
    /// caller deletes the folder.</summary>
    public static async Task<TestServer> StartAsync(
        ITestOutputHelper output, string broker = ServerHostOptions.EmbeddedBroker, string? dataDirectory = null)
    {
        var ownsData = dataDirectory is null;
        dataDirectory ??= Directory.CreateTempSubdirectory("fleetota-server-test-").FullName;
        var loggers = TestOutputLoggerProvider.CreateFactory(output);
        var options = new ServerHostOptions
        {
            Port = 0,
            Broker = broker,
            DataDirectory = dataDirectory,
            TimeFactor = TimeFactor,
            ReconnectMaxDelay = TimeSpan.FromMilliseconds(500),
        };
        var host = await ServerHost.StartAsync(options, loggers);
        return new TestServer(host, loggers, dataDirectory, ownsData);
    }

    /// <summary>Registers a release with a random image of <paramref name="size"/> bytes and returns it with its image.</summary>
    public async Task<(ReleaseView Release, byte[] Image)> RegisterAsync(string releaseId, string version, int size = 100_000)
    {
        var image = RandomNumberGenerator.GetBytes(size);
        var request = new RegisterReleaseRequest(releaseId, version, 1, [new HardwareModel("gw-300", "B")], Convert.ToBase64String(image), null);
        using var response = await Http.PostAsJsonAsync(HttpPaths.Releases, request, ApiJsonContext.Default.RegisterReleaseRequest);
        await EnsureAsync(response);
        var release = await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.ReleaseView);
        return (release!, image);
    }

    /// <summary>Starts a one-wave deployment with offers sent at once, so a test receives them without waiting.</summary>
    public async Task<DeploymentView> DeployAsync(
        string releaseId, IReadOnlyList<int> targets, string? previousReleaseId = null, FaultMonitorModel? faultMonitor = null)
    {
        var options = new RolloutOptionsModel([new WaveModel(100, null)], null, null, null, null, 0, 60_000, null, null, null, 7, faultMonitor, null);
        var request = new StartDeploymentRequest(releaseId, previousReleaseId, targets, null, options);
        using var response = await Http.PostAsJsonAsync(HttpPaths.Deployments, request, ApiJsonContext.Default.StartDeploymentRequest);
        await EnsureAsync(response);
        return (await response.Content.ReadFromJsonAsync(ApiJsonContext.Default.DeploymentView))!;
    }

    public async Task<FleetView> FleetAsync() =>
        (await Http.GetFromJsonAsync(HttpPaths.Fleet, ApiJsonContext.Default.FleetView))!;

    /// <summary>Stops the server and reads its journal.</summary>
    public async Task<JournalData> StopAndReadJournalAsync()
    {
        var path = Host.JournalPath;
        await StopAsync();
        return JournalReader.Read(path);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_ownsData)
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
    }

    private async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        Http.Dispose();
        await Host.DisposeAsync();
        _loggers.Dispose();
    }

    private static async Task EnsureAsync(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync();
            throw new HttpRequestException($"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri} returned {(int)response.StatusCode}: {body}");
        }
    }
}
