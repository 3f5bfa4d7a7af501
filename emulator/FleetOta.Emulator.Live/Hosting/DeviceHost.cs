using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Live.Devices;
using FleetOta.Emulator.Live.Proxy;
using FleetOta.Emulator.Live.Timing;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>One shard of the live device host: a slice of the fleet as live devices in this process, each with its
/// own MQTT client, talking to the server and broker through fault proxies, and one journal. Devices are async
/// state, not threads, so one process runs thousands of them.</summary>
public sealed class DeviceHost : IAsyncDisposable
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(10);

    private readonly DeviceHostOptions _options;
    private readonly ILogger _logger;
    private readonly CompressedTimeProvider _clock;
    private readonly LiveJournal _journal;
    private readonly List<LiveDevice> _devices;
    private readonly List<IAsyncDisposable> _resources;

    private DeviceHost(DeviceHostOptions options, ILogger logger, CompressedTimeProvider clock, LiveJournal journal, List<LiveDevice> devices,
        List<IAsyncDisposable> resources)
    {
        _options = options;
        _logger = logger;
        _clock = clock;
        _journal = journal;
        _devices = devices;
        _resources = resources;
    }

    public CompressedTimeProvider Clock => _clock;

    public int DeviceCount => _devices.Count;

    /// <summary>Devices whose MQTT link is up now.</summary>
    public int ConnectedDevices => _devices.Count(device => device.IsConnected);

    /// <summary>Running versions of the shard's devices, by version; an empty version means off or without a bootable slot.</summary>
    public IReadOnlyDictionary<string, int> RunningVersions() =>
        _devices.GroupBy(device => device.RunningVersion).ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);

    /// <summary>Prepares the shard's devices (folders, faults, proxies, journal) and schedules their power-on in the
    /// first virtual minute. Returns once everything is scheduled; devices then run on their own.</summary>
    public static async Task<DeviceHost> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token = default)
    {
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            throw new ArgumentException("The device host cannot start: " + string.Join(" ", problems), nameof(options));
        }

        var spec = options.Spec;
        var logger = loggers.CreateLogger("FleetOta.Emulator.Live");
        // Thousands of devices share the thread pool; a pool that grows one thread at a time delays their timers.
        ThreadPool.GetMinThreads(out var workers, out var completionPorts);
        ThreadPool.SetMinThreads(Math.Max(workers, 64), completionPorts);
        var started = TimeProvider.System.GetTimestamp();
        Log.ShardStarting(logger, options.Shard + 1, options.Shards, options.FirstDevice, options.EndDevice - 1, spec.Name, spec.Seed, options.TimeFactor);
        var clock = new CompressedTimeProvider(options.TimeFactor, options.Epoch);
        var resources = new List<IAsyncDisposable>();
        var journal = new LiveJournal(new SqliteJournalWriter(options.JournalPath), clock);
        try
        {
            WriteRunValues(journal, options);
            var fleet = FleetGenerator.Generate(spec.Fleet, spec.Seed);
            var faults = FaultsByDevice(spec, fleet);
            var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            var verifier = await FetchVerifierAsync(http, options.ServerUrl, token).ConfigureAwait(false);
            var context = await CreateContextAsync(options, spec, clock, journal, verifier, logger, loggers, resources, token).ConfigureAwait(false);
            http.Dispose();

            var devices = new List<LiveDevice>(options.EndDevice - options.FirstDevice);
            for (var id = options.FirstDevice; id < options.EndDevice; id++)
            {
                var folder = Path.Combine(options.DeviceDirectory, fleet[id].Name);
                devices.Add(new LiveDevice(fleet[id], faults.GetValueOrDefault(id, DeviceFaults.None), context, folder));
            }

            await Parallel.ForEachAsync(devices, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = token },
                async (device, cancel) => await device.InitializeStorageAsync(cancel).ConfigureAwait(false)).ConfigureAwait(false);
            foreach (var device in devices)
            {
                journal.Append(new JournalEntry(0, JournalKind.DeviceOnline, device.Id, Status: device.Profile.Connectivity.Name, Actor: "emulator"));
                device.SchedulePowerOn();
                device.ScheduleTimedFaults();
            }

            var host = new DeviceHost(options, logger, clock, journal, devices, resources) { _started = started };
            host._progress = host.ReportProgressAsync();
            return host;
        }
        catch
        {
            foreach (var resource in resources)
            {
                await resource.DisposeAsync().ConfigureAwait(false);
            }

            await journal.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private Task _progress = Task.CompletedTask;
    private long _started = TimeProvider.System.GetTimestamp();
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>Waits until the scenario's end in virtual time, or until <paramref name="token"/> is cancelled.</summary>
    public async Task RunToEndAsync(CancellationToken token = default)
    {
        try
        {
            await Task.Delay(_clock.RealDelayUntil(_options.Spec.EndMs), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Stopped early by the caller.
        }
    }

    /// <summary>Stops every device, the proxies and the journal, which is complete on disk afterwards.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _progress.ConfigureAwait(false);
        await Parallel.ForEachAsync(_devices, new ParallelOptions { MaxDegreeOfParallelism = 64 },
            async (device, _) => await device.DisposeAsync().ConfigureAwait(false)).ConfigureAwait(false);
        foreach (var resource in _resources)
        {
            await resource.DisposeAsync().ConfigureAwait(false);
        }

        var end = _journal.NowMs;
        _journal.SetRunValue("end_ms", end.ToString(CultureInfo.InvariantCulture));
        var entries = _journal.Count;
        await _journal.DisposeAsync().ConfigureAwait(false);
        Log.ShardStopped(_logger, _options.Shard + 1, _options.Shards, end, entries);
    }

    private async Task ReportProgressAsync()
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        try
        {
            var allConnected = false;
            while (await timer.WaitForNextTickAsync(_stopping.Token).ConfigureAwait(false))
            {
                var connected = ConnectedDevices;
                Log.ShardProgress(_logger, _options.Shard + 1, _options.Shards, connected, _devices.Count, _clock.VirtualMs);
                if (!allConnected && connected == _devices.Count)
                {
                    allConnected = true;
                    Log.ShardAllConnected(_logger, _options.Shard + 1, _options.Shards, connected, TimeProvider.System.GetElapsedTime(_started).TotalSeconds);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private static void WriteRunValues(LiveJournal journal, DeviceHostOptions options)
    {
        journal.SetRunValue("host", "live");
        journal.SetRunValue("shard", (options.Shard + 1).ToString(CultureInfo.InvariantCulture));
        journal.SetRunValue("shards", options.Shards.ToString(CultureInfo.InvariantCulture));
        journal.SetRunValue("first_device", options.FirstDevice.ToString(CultureInfo.InvariantCulture));
        journal.SetRunValue("end_device", options.EndDevice.ToString(CultureInfo.InvariantCulture));
        journal.SetRunValue("epoch_utc", options.Epoch.ToString("O", CultureInfo.InvariantCulture));
        journal.SetRunValue("time_factor", options.TimeFactor.ToString(CultureInfo.InvariantCulture));
        journal.SetRunValue("seed", options.Spec.Seed.ToString(CultureInfo.InvariantCulture));
    }

    private static Dictionary<int, DeviceFaults> FaultsByDevice(Simulation.SimulationSpec spec, IReadOnlyList<DeviceProfile> fleet)
    {
        var result = new Dictionary<int, DeviceFaults>();
        var targets = FaultAssignment.Resolve(spec.Faults, fleet, spec.Seed);
        for (var i = 0; i < spec.Faults.Count; i++)
        {
            foreach (var id in targets[i])
            {
                if (!result.TryGetValue(id, out var faults))
                {
                    faults = new DeviceFaults();
                    result[id] = faults;
                }

                faults.Entries.Add(spec.Faults[i]);
            }
        }

        return result;
    }

    /// <summary>Fetches the server's signing key, so that devices check offers against the key the server signs with.</summary>
    private static async Task<EcdsaManifestVerifier> FetchVerifierAsync(HttpClient http, Uri server, CancellationToken token)
    {
        var uri = new Uri(server, HttpPaths.SigningKey);
        JsonElement body;
        try
        {
            body = await http.GetFromJsonAsync<JsonElement>(uri, token).ConfigureAwait(false);
        }
        catch (HttpRequestException error)
        {
            throw new InvalidOperationException($"Reading the signing key from {uri} failed: {error.Message} Check that the server runs at {server}.", error);
        }

        var keyId = body.GetProperty("keyId").GetString()!;
        var publicKey = Convert.FromBase64String(body.GetProperty("publicKey").GetString()!);
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust(keyId, publicKey);
        return verifier;
    }

    private static async Task<DeviceContext> CreateContextAsync(
        DeviceHostOptions options, Simulation.SimulationSpec spec, CompressedTimeProvider clock, LiveJournal journal, EcdsaManifestVerifier verifier,
        ILogger logger, ILoggerFactory loggers, List<IAsyncDisposable> resources, CancellationToken token)
    {
        var faultSigner = ManifestSigner.CreateEphemeral("fault-injection");
        verifier.Trust(faultSigner.KeyId, faultSigner.ExportPublicKey());
        var seed = unchecked((int)(spec.Seed * 31 + options.Shard));
        var proxyLogger = loggers.CreateLogger("FleetOta.Proxy");
        var server = await ResolveAsync(options.ServerUrl.Host, options.ServerUrl.Port, token).ConfigureAwait(false);
        var broker = await ResolveAsync(options.BrokerUrl.Host, options.BrokerUrl.Port, token).ConfigureAwait(false);

        var httpProxy = StartProxy(new FaultProxyOptions { Name = "http", UpstreamHost = server.Address.ToString(), UpstreamPort = server.Port, Seed = seed },
            proxyLogger, resources);
        var corruptingProxy = StartProxy(new FaultProxyOptions { Name = "http-corrupt", UpstreamHost = server.Address.ToString(), UpstreamPort = server.Port, Seed = seed + 1 },
            proxyLogger, resources);
        // About four flipped bits per image: almost surely at least one, and rarely one in the response headers.
        corruptingProxy.AddToxic(new CorruptToxic { Name = "corrupt-in-transit", Rate = Math.Clamp(4.0 / spec.Release.ImageBytes, 1e-7, 0.01) });

        FaultProxyOptions MqttProxy(string name, int proxySeed) =>
            new() { Name = name, UpstreamHost = broker.Address.ToString(), UpstreamPort = broker.Port, Seed = proxySeed, BufferSize = 4_096 };
        var brokerEndPoint = options.ProxyEveryDevice ? StartProxy(MqttProxy("mqtt", seed + 2), proxyLogger, resources).EndPoint : broker;
        var lossyProxy = StartProxy(MqttProxy("mqtt-lossy", seed + 3), proxyLogger, resources);
        var lossRate = spec.Faults.Where(fault => fault.Kind == FaultKind.MessageLoss).Select(fault => fault.Rate).DefaultIfEmpty(0).Max();
        if (lossRate > 0)
        {
            resources.Add(LossWindows.Start(lossyProxy, lossRate, seed + 4));
        }

        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1), MaxConnectionsPerServer = 256 };
        var corruptingHandler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromSeconds(5), MaxConnectionsPerServer = 64 };
        var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
        var corruptingHttp = new HttpClient(corruptingHandler) { Timeout = TimeSpan.FromSeconds(60) };
        resources.Add(new DisposeAction(http.Dispose));
        resources.Add(new DisposeAction(corruptingHttp.Dispose));
        resources.Add(new DisposeAction(faultSigner.Dispose));

        var initialImage = ReleaseImages.Initial(spec);
        return new DeviceContext
        {
            Spec = spec,
            Clock = clock,
            Journal = journal,
            Verifier = new SynchronizedManifestVerifier(verifier),
            FaultSigner = faultSigner,
            Http = http,
            ArtifactBase = new Uri($"http://{httpProxy.EndPoint}/"),
            CorruptingHttp = corruptingHttp,
            CorruptingArtifactBase = new Uri($"http://{corruptingProxy.EndPoint}/"),
            Broker = brokerEndPoint,
            LossyBroker = lossyProxy.EndPoint,
            Mqtt = options.Mqtt,
            ConnectSlots = new SemaphoreSlim(options.MaxConnectsInFlight),
            Logger = logger,
            InitialImage = initialImage,
            InitialDigest = Digests.Sha256Hex(initialImage),
        };
    }

    private static FaultProxy StartProxy(FaultProxyOptions options, ILogger logger, List<IAsyncDisposable> resources)
    {
        options.ListenBacklog = 4_096;
        var proxy = new FaultProxy(options, TimeProvider.System, logger);
        proxy.Start();
        resources.Insert(0, proxy);
        return proxy;
    }

    private static async Task<IPEndPoint> ResolveAsync(string host, int port, CancellationToken token)
    {
        if (IPAddress.TryParse(host, out var address))
        {
            return new IPEndPoint(address, port);
        }

        var addresses = await Dns.GetHostAddressesAsync(host, token).ConfigureAwait(false);
        var chosen = addresses.FirstOrDefault(candidate => candidate.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
                     ?? throw new InvalidOperationException($"Host {host} has no IPv4 address; use 127.0.0.1.");
        return new IPEndPoint(chosen, port);
    }

    private sealed class DisposeAction(Action dispose) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            dispose();
            return ValueTask.CompletedTask;
        }
    }
}
