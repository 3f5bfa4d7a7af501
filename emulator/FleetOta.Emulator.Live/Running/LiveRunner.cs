using System.Globalization;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Live.Timing;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server.Host;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Running;

/// <summary>Runs one scenario in live mode: starts the reference server in this process, registers the releases,
/// starts the shards, starts the deployment at the release time, applies operator steps and controller restarts,
/// waits for the end, and merges the server's and the shards' journals into one next to the report.</summary>
public sealed partial class LiveRunner
{
    public const string JournalFileName = "journal.sqlite";

    /// <summary>Subfolders of the run's folder: the server's data, the shard journals and logs, and the devices' files.</summary>
    public const string ServerFolder = "server";

    public const string ShardsFolder = "shards";

    public const string DevicesFolder = "devices";

    private readonly LiveRunOptions _options;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly SimulationSpec _spec;
    private readonly List<JournalPart> _serverJournals = [];
    private readonly List<JournalEntry> _runEntries = [];
    private CompressedTimeProvider _clock = null!;
    private ServerHost? _server;
    private string _deploymentId = "";

    private LiveRunner(LiveRunOptions options, ILoggerFactory loggers)
    {
        _options = options;
        _loggers = loggers;
        _logger = loggers.CreateLogger("FleetOta.Emulator.Live.Runner");
        _spec = options.Spec;
    }

    public static Task<LiveRunResult> RunAsync(LiveRunOptions options, ILoggerFactory loggers, CancellationToken token = default) =>
        new LiveRunner(options, loggers).RunAsync(token);

    private async Task<LiveRunResult> RunAsync(CancellationToken token)
    {
        var problems = LiveSupport.Problems(_spec);
        if (problems.Count > 0)
        {
            throw new ArgumentException($"Scenario {_spec.Name} cannot run in live mode: " + string.Join(" ", problems), nameof(_options));
        }

        var output = Path.GetFullPath(_options.OutputDirectory);
        DeletePreviousRun(output);
        Directory.CreateDirectory(output);
        Log.LiveRunStarting(_logger, _spec.Name, _spec.Seed, _spec.Fleet.Devices, _options.Shards, _options.TimeFactor, _options.Broker);
        var fleet = FleetGenerator.Generate(_spec.Fleet, _spec.Seed);
        var hardware = ReleaseHardware(fleet);
        var epoch = TimeProvider.System.GetUtcNow() + _options.StartupAllowance;
        _clock = new CompressedTimeProvider(_options.TimeFactor, epoch);

        var shards = new List<IShardHandle>();
        try
        {
            await StartFirstServerAsync(Path.Combine(output, ServerFolder), token).ConfigureAwait(false);
            using var api = new ServerApi(_server!.HttpUrl);
            var releaseDigest = await RegisterReleasesAsync(api, hardware, token).ConfigureAwait(false);
            var shardJournals = await StartShardsAsync(output, shards, token).ConfigureAwait(false);
            await WatchRunAsync(api, shards, fleet, hardware, token).ConfigureAwait(false);
            await ReportProgressAsync(api, token).ConfigureAwait(false);
            await StopServerAsync().ConfigureAwait(false);

            var journalPath = Path.Combine(output, JournalFileName);
            var parts = _serverJournals.Concat(shardJournals).ToList();
            var runEntries = FaultEntries(fleet).Concat(_runEntries).ToList();
            var entries = JournalMerger.Merge(journalPath, RunValues(hardware), JournalDevices(fleet), Release(releaseDigest), runEntries, parts);
            Log.LiveRunFinished(_logger, _spec.Name, entries, journalPath);
            if (!_options.KeepDevices)
            {
                DeleteFolder(Path.Combine(output, DevicesFolder));
            }

            return new LiveRunResult(journalPath, entries, _spec.EndMs, fleet.Count);
        }
        catch (Exception failure) when (failure is HttpRequestException or InvalidOperationException or System.ComponentModel.Win32Exception
                                            && !token.IsCancellationRequested)
        {
            // Registering the releases or starting a shard process failed.
            throw new LiveRunFailedException($"The live run failed to start: {failure.Message}", _clock.VirtualMs, failure);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            var interrupted = new LiveRunInterruptedException(_clock.VirtualMs, _spec.EndMs);
            RunLog.RunInterrupted(_logger, _spec.Name, interrupted.VirtualMs);
            throw interrupted;
        }
        finally
        {
            foreach (var shard in shards)
            {
                await shard.DisposeAsync().ConfigureAwait(false);
            }

            await StopServerAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Deletes what an earlier run left in the scenario's folder: the server's data (whose releases would be
    /// registered twice), the shard journals and logs, the device folders and the merged journal. Report files and
    /// anything else in the folder stay.</summary>
    private static void DeletePreviousRun(string output)
    {
        foreach (var folder in new[] { ServerFolder, ShardsFolder, DevicesFolder })
        {
            DeleteFolder(Path.Combine(output, folder));
        }

        if (!Directory.Exists(output))
        {
            return;
        }

        foreach (var suffix in new[] { "", "-wal", "-shm", "-journal" })
        {
            File.Delete(Path.Combine(output, JournalFileName + suffix));
        }
    }

    private static void DeleteFolder(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    /// <summary>Waits until every shard ran to the end, while the control steps and the progress reports run. Stops
    /// waiting as soon as a shard exits early or a control step fails, and throws <see cref="LiveRunFailedException"/>.</summary>
    private async Task WatchRunAsync(
        ServerApi api, List<IShardHandle> shards, IReadOnlyList<DeviceProfile> fleet, IReadOnlyList<HardwareTarget> hardware, CancellationToken token)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(token);
        var shardWaits = shards.Select(shard => shard.WaitAsync(stop.Token)).ToList();
        var control = RunControlAsync(api, fleet, hardware, stop.Token);
        var progress = ReportQuartersAsync(api, stop.Token);
        var pending = new List<Task>(shardWaits) { control };
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending).ConfigureAwait(false);
                pending.Remove(done);
                if (done.IsCompletedSuccessfully && ShardStoppedEarly(shardWaits.IndexOf(done)) is { } early)
                {
                    await stop.CancelAsync().ConfigureAwait(false);
                    await WaitForInterruptAsync(token).ConfigureAwait(false);
                    token.ThrowIfCancellationRequested();
                    throw new LiveRunFailedException(early, _clock.VirtualMs);
                }

                if (done.IsCompletedSuccessfully)
                {
                    continue;
                }

                var virtualMs = _clock.VirtualMs;
                await stop.CancelAsync().ConfigureAwait(false);
                await WaitForInterruptAsync(token).ConfigureAwait(false);
                token.ThrowIfCancellationRequested();
                var failure = done.Exception?.GetBaseException() ?? new OperationCanceledException("A part of the run was cancelled.");
                var message = failure is ShardExitedException
                    ? failure.Message
                    : $"The run's control of the server failed: {failure.Message}";
                throw new LiveRunFailedException(message, virtualMs, failure);
            }

            // A device host stops early without an error when its token is cancelled, so every shard may have
            // finished although the run was interrupted.
            token.ThrowIfCancellationRequested();
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(pending.Append(progress)).ContinueWith(_ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }
    }

    /// <summary>Returns why the shard at <paramref name="index"/> counts as failed although it stopped without an
    /// error, or null when it is no shard or it stopped within a second of real time before the run's end. A shard
    /// process stops early with exit code 0 when it gets SIGINT or SIGTERM itself.</summary>
    private string? ShardStoppedEarly(int index)
    {
        if (index < 0 || _clock.RealDelayUntil(_spec.EndMs) <= TimeSpan.FromSeconds(1))
        {
            return null;
        }

        var log = Path.Combine(Path.GetFullPath(_options.OutputDirectory), ShardsFolder, $"shard-{index + 1}.log");
        var where = File.Exists(log) ? $"; its output is in {log}" : "";
        return $"Shard {index + 1}/{_options.Shards} stopped without an error at virtual time {_clock.VirtualMs / 3_600_000.0:0.00} h, " +
               $"before the end of the run at {_spec.EndMs / 3_600_000.0:0.00} h{where}.";
    }

    /// <summary>Gives an interrupt a moment to arrive after a part of the run failed. Ctrl+C in a terminal signals
    /// every process of the group at once, and a shard may exit before this process handles its own signal. The
    /// run then counts as interrupted, not as failed.</summary>
    private static async Task WaitForInterruptAsync(CancellationToken token)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The interrupt arrived; the caller checks the token.
        }
    }

    /// <summary>Reports the progress at the first three quarters of the virtual time. The end is reported after the
    /// shards finish.</summary>
    private async Task ReportQuartersAsync(ServerApi api, CancellationToken token)
    {
        if (_options.Progress is null)
        {
            return;
        }

        for (var quarter = 1; quarter <= 3; quarter++)
        {
            await Task.Delay(_clock.RealDelayUntil(_spec.EndMs * quarter / 4), token).ConfigureAwait(false);
            await ReportProgressAsync(api, token).ConfigureAwait(false);
        }
    }

    private async Task ReportProgressAsync(ServerApi api, CancellationToken token)
    {
        if (_options.Progress is not { } report)
        {
            return;
        }

        var virtualMs = Math.Min(_clock.VirtualMs, _spec.EndMs);
        var state = await api.TryGetProgressAsync(_deploymentId, _spec.Release.Version, token).ConfigureAwait(false);
        report(new LiveProgress(virtualMs, _spec.EndMs, _spec.Fleet.Devices, state?.DevicesUpdated, state?.Phase));
    }

    /// <summary>Starts the server for the first time; a failure here, such as an unreachable broker, fails the run.</summary>
    private async Task StartFirstServerAsync(string dataDirectory, CancellationToken token)
    {
        try
        {
            await StartServerAsync(dataDirectory, port: 0, broker: _options.Broker, token).ConfigureAwait(false);
        }
        catch (Exception failure) when (failure is not OperationCanceledException && !token.IsCancellationRequested)
        {
            throw new LiveRunFailedException($"The reference server failed to start with broker '{_options.Broker}': {failure.Message}", 0, failure);
        }
    }

    private async Task StartServerAsync(string dataDirectory, int port, string broker, CancellationToken token)
    {
        var options = new ServerHostOptions { Port = port, Broker = broker, DataDirectory = dataDirectory, TimeFactor = _options.TimeFactor };
        var server = await ServerHost.StartAsync(options, _loggers, token).ConfigureAwait(false);
        // The server's clock starts at its own start: shift its journal onto the run's virtual time.
        var realNow = TimeProvider.System.GetUtcNow();
        var serverZero = realNow - TimeSpan.FromMilliseconds(server.Clock.NowMs / _options.TimeFactor);
        var offset = (long)Math.Round((serverZero - _clock.Epoch).TotalMilliseconds * _options.TimeFactor);
        _serverJournals.Add(new JournalPart(server.JournalPath, 0, offset));
        _server = server;
    }

    private async Task StopServerAsync()
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<List<JournalPart>> StartShardsAsync(string output, List<IShardHandle> shards, CancellationToken token)
    {
        var parts = new List<JournalPart>();
        for (var shard = 0; shard < _options.Shards; shard++)
        {
            var journal = Path.Combine(output, ShardsFolder, $"shard-{shard + 1}.sqlite");
            Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
            var options = new DeviceHostOptions
            {
                Spec = _spec,
                Shard = shard,
                Shards = _options.Shards,
                ServerUrl = _server!.HttpUrl,
                BrokerUrl = _server.BrokerUrl,
                JournalPath = journal,
                DeviceDirectory = Path.Combine(output, DevicesFolder),
                TimeFactor = _options.TimeFactor,
                Epoch = _clock.Epoch,
                Mqtt = _options.Mqtt,
                ProxyEveryDevice = _options.ProxyEveryDevice,
                MaxConnectsInFlight = Math.Max(_options.MaxConnectsInFlight / _options.Shards, 1),
            };
            shards.Add(await _options.Launcher.StartAsync(options, _loggers, token).ConfigureAwait(false));
            parts.Add(new JournalPart(journal, shard + 1));
        }

        return parts;
    }

    /// <summary>Starts the deployment at the release time, then runs operator steps and controller restarts at their
    /// virtual times, in time order.</summary>
    private async Task RunControlAsync(ServerApi api, IReadOnlyList<DeviceProfile> fleet, IReadOnlyList<HardwareTarget> hardware, CancellationToken token)
    {
        var steps = new List<(long AtMs, int Order, Func<Task> Action)>
        {
            (_spec.ReleaseAtMs, 0, () => StartDeploymentAsync(api, fleet, hardware, token)),
        };
        foreach (var step in _spec.Operator)
        {
            steps.Add((step.AtMs, 1, () => api.OperatorAsync(_deploymentId, step, token)));
        }

        foreach (var fault in _spec.Faults.Where(fault => fault.Kind == FaultKind.ControllerRestart))
        {
            steps.Add((fault.AtMs ?? _spec.ReleaseAtMs, 2, () => RestartServerAsync(api, fault, token)));
        }

        foreach (var (atMs, _, action) in steps.OrderBy(step => step.AtMs).ThenBy(step => step.Order))
        {
            await Task.Delay(_clock.RealDelayUntil(atMs), token).ConfigureAwait(false);
            await action().ConfigureAwait(false);
        }
    }

    private async Task StartDeploymentAsync(ServerApi api, IReadOnlyList<DeviceProfile> fleet, IReadOnlyList<HardwareTarget> hardware, CancellationToken token)
    {
        var targets = fleet.Where(device => hardware.Contains(device.Hardware)).Select(device => device.Id).ToList();
        _deploymentId = await api.StartDeploymentAsync(_spec, ReleaseImages.PreviousReleaseId(_spec), targets, token).ConfigureAwait(false);
    }

    /// <summary>Stops the server and starts it again after the fault's duration on the same ports and data folder,
    /// so that devices reconnect to it and the controller restores its persisted state.</summary>
    private async Task RestartServerAsync(ServerApi api, FaultSpec fault, CancellationToken token)
    {
        var server = _server!;
        var port = server.Port;
        var broker = _options.Broker == ServerHostOptions.EmbeddedBroker ? $"embedded:{server.BrokerUrl.Port}" : _options.Broker;
        var dataDirectory = Path.Combine(Path.GetFullPath(_options.OutputDirectory), ServerFolder);
        Log.ServerRestarting(_logger, _clock.VirtualMs, fault.DurationMs);
        await StopServerAsync().ConfigureAwait(false);
        _runEntries.Add(new JournalEntry(_clock.VirtualMs, JournalKind.ServerRestart, Status: "down", Detail: fault.Kind.ToName(), Actor: "emulator"));
        await Task.Delay(_clock.ToReal(TimeSpan.FromMilliseconds(Math.Max(fault.DurationMs, 1_000))), token).ConfigureAwait(false);
        await StartServerAsync(dataDirectory, port, broker, token).ConfigureAwait(false);
        _runEntries.Add(new JournalEntry(_clock.VirtualMs, JournalKind.ServerRestart, Status: "up", Detail: fault.Kind.ToName(), Actor: "emulator"));
        api.Rebind(_server!.HttpUrl);
    }

    private IReadOnlyList<HardwareTarget> ReleaseHardware(IReadOnlyList<DeviceProfile> fleet) =>
        _spec.Release.Hardware
        ?? fleet.Select(device => device.Hardware).Distinct().OrderBy(h => h.Model, StringComparer.Ordinal).ThenBy(h => h.Revision, StringComparer.Ordinal).ToList();

    private async Task<string> RegisterReleasesAsync(ServerApi api, IReadOnlyList<HardwareTarget> hardware, CancellationToken token)
    {
        var image = ReleaseImages.Release(_spec);
        await api.RegisterReleaseAsync(_spec.Release.Id, _spec.Release.Version, _spec.Release.SecurityVersion, hardware, image, token).ConfigureAwait(false);
        await api.RegisterReleaseAsync(ReleaseImages.PreviousReleaseId(_spec), _spec.Fleet.InitialVersion, _spec.Fleet.InitialSecurityVersion, hardware,
            ReleaseImages.Initial(_spec), token).ConfigureAwait(false);
        return Digests.Sha256Hex(image);
    }

    private Dictionary<string, string> RunValues(IReadOnlyList<HardwareTarget> hardware) => new(StringComparer.Ordinal)
    {
        ["host"] = "live",
        ["scenario"] = _spec.Name,
        ["seed"] = _spec.Seed.ToString(CultureInfo.InvariantCulture),
        ["release"] = _spec.Release.Id,
        ["release_version"] = _spec.Release.Version,
        ["previous_version"] = _spec.Fleet.InitialVersion,
        ["release_at_ms"] = _spec.ReleaseAtMs.ToString(CultureInfo.InvariantCulture),
        ["devices"] = _spec.Fleet.Devices.ToString(CultureInfo.InvariantCulture),
        ["release_hardware"] = string.Join(";", hardware.Select(target => $"{target.Model}/{target.Revision}")),
        ["end_ms"] = _spec.EndMs.ToString(CultureInfo.InvariantCulture),
        ["time_factor"] = _options.TimeFactor.ToString(CultureInfo.InvariantCulture),
        ["shards"] = _options.Shards.ToString(CultureInfo.InvariantCulture),
        ["broker"] = _options.Broker,
        ["epoch_utc"] = _clock.Epoch.ToString("O", CultureInfo.InvariantCulture),
    };

    private IEnumerable<JournalDevice> JournalDevices(IReadOnlyList<DeviceProfile> fleet) => fleet.Select(device => new JournalDevice(
        device.Id, device.Name, device.Hardware.Model, device.Hardware.Revision, device.Network.Name, device.Connectivity.Name, device.Site,
        device.TimeZone, _spec.Fleet.InitialVersion));

    private JournalRelease Release(string digest) => new(
        _spec.Release.Id, _spec.Release.Version, _spec.Release.SecurityVersion, digest, _spec.Release.ImageBytes, _spec.Fleet.InitialVersion);

    /// <summary>Returns the fault plan entries at time 0, as the simulation host journals them.</summary>
    private List<JournalEntry> FaultEntries(IReadOnlyList<DeviceProfile> fleet)
    {
        var targets = FaultAssignment.Resolve(_spec.Faults, fleet, _spec.Seed);
        return _spec.Faults.Select((spec, i) => new JournalEntry(0, JournalKind.FaultInjected, Status: spec.Kind.ToName(), Detail: Describe(spec),
            Value: targets[i].Length, Actor: "emulator")).ToList();
    }

    private static string Describe(FaultSpec spec)
    {
        var target = spec.Target;
        var aim = target.Count is { } count ? $"{count} devices" : target.Share is { } share ? $"{share:P1} of devices" : "all devices";
        var parts = new List<string> { aim };
        if (spec.Step is { } step)
        {
            parts.Add($"at step {step.ToName()}");
        }

        if (spec.AtMs is { } at)
        {
            parts.Add($"at {at / 60_000.0:0.#} min");
        }

        if (spec.Rate > 0)
        {
            parts.Add($"rate {spec.Rate:0.####}");
        }

        return string.Join(", ", parts);
    }

    private static partial class RunLog
    {
        [LoggerMessage(EventId = 120, Level = LogLevel.Warning,
            Message = "Live run of scenario {Scenario} interrupted at virtual time {VirtualMs} ms; stopping the shards and the server")]
        public static partial void RunInterrupted(ILogger logger, string scenario, long virtualMs);
    }
}
