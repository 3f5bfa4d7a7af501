using System.Globalization;
using System.Net;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Alerting;
using FleetOta.Server.Persistence;
using FleetOta.Server.Host.Alerts;
using FleetOta.Server.Host.Control;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.Mqtt;
using FleetOta.Server.Host.State;
using FleetOta.Server.Host.Timing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host;

/// <summary>The live reference server: the rollout controller behind a management HTTP API and artifact download on
/// Kestrel (127.0.0.1), talking to devices over MQTT through the embedded MQTTnet broker or an external one. Time
/// runs <see cref="ServerHostOptions.TimeFactor"/> times faster than real time, and the journal records virtual
/// milliseconds since start.</summary>
public sealed partial class ServerHost : IAsyncDisposable
{
    /// <summary>File of the default file alert sink in the data folder: one JSON object a line.</summary>
    public const string AlertsFileName = "alerts.jsonl";

    /// <summary>File in the data folder with the port of the embedded broker, reused by the next start.</summary>
    public const string BrokerPortFileName = "broker-port.txt";

    /// <summary>File in the data folder that keeps alerts pending and delivered per sink across restarts.</summary>
    public const string AlertOutboxFileName = "alert-outbox.sqlite";

    private readonly ILogger _logger;
    private readonly IServerStateStore _store;
    private readonly HostJournal _journal;
    private readonly HostAlerts _alerts;
    private readonly RolloutEngine _engine;
    private readonly EmbeddedBroker? _broker;
    private readonly WebApplication _app;
    private readonly DeviceGateway _gateway;
    private readonly long _startTimestamp;
    private int _disposed;

    private ServerHost(
        ILogger logger, CompressedTimeProvider clock, IServerStateStore store, HostJournal journal, HostAlerts alerts, RolloutEngine engine, EmbeddedBroker? broker,
        WebApplication app, DeviceGateway gateway, Uri httpUrl)
    {
        _logger = logger;
        Clock = clock;
        _store = store;
        _journal = journal;
        _alerts = alerts;
        _engine = engine;
        _broker = broker;
        _app = app;
        _gateway = gateway;
        HttpUrl = httpUrl;
        _startTimestamp = TimeProvider.System.GetTimestamp();
    }

    /// <summary>Base URL of the HTTP API, such as http://127.0.0.1:5080/.</summary>
    public Uri HttpUrl { get; }

    /// <summary>The bound HTTP port.</summary>
    public int Port => HttpUrl.Port;

    /// <summary>URL of the broker that devices connect to, such as mqtt://127.0.0.1:1883.</summary>
    public Uri BrokerUrl => _gateway.BrokerUri;

    public string JournalPath => _journal.Path;

    /// <summary>The compressed clock; <see cref="CompressedTimeProvider.NowMs"/> is the controller's and the journal's time.</summary>
    public CompressedTimeProvider Clock { get; }

    public string KeyId => _engine.Signer.KeyId;

    /// <summary>The signing key as DER SubjectPublicKeyInfo, for devices that verify manifests.</summary>
    public byte[] ExportPublicKey() => _engine.Signer.ExportPublicKey();

    /// <summary>Starts the broker (when embedded), the HTTP API and the MQTT gateway, and returns once all accept requests.</summary>
    /// <param name="time">The real clock; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="alertSinks">Where alerts go; when null, the log and the file <c>alerts.jsonl</c> in the data folder.</param>
    /// <param name="store">Where releases, deployments and the controller state are kept; when null, the SQLite store in
    /// the data folder, or memory when no data folder is set. The host disposes it.</param>
    public static async Task<ServerHost> StartAsync(
        ServerHostOptions options,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken = default,
        TimeProvider? time = null,
        IReadOnlyList<IAlertSink>? alertSinks = null,
        IServerStateStore? store = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        options.Validate();
        var endpoint = BrokerEndpoint.Parse(options.Broker);
        var realTime = time ?? TimeProvider.System;
        var logger = loggerFactory.CreateLogger("FleetOta.Server.Host");
        var dataDirectory = options.DataDirectory ?? Path.Combine(Path.GetTempPath(),
            "fleetota-server-" + realTime.GetUtcNow().ToString("yyyyMMdd'T'HHmmss", CultureInfo.InvariantCulture) + "-" +
            Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dataDirectory);

        store ??= options.DataDirectory is null ? new InMemoryServerStateStore() : OpenDataFolder(() => SqliteServerStateStore.Open(dataDirectory));
        var started = new Stack<IAsyncDisposable>();
        started.Push(new DisposeAction(store.Dispose));
        try
        {
            var startMs = OpenDataFolder(() => ResumeTimeMs(store, realTime, options.TimeFactor));
            var clock = new CompressedTimeProvider(realTime, options.TimeFactor, startMs);
            var journal = new HostJournal(JournalPathIn(dataDirectory, realTime), clock, options.JournalFlushInterval, logger);
            started.Push(journal);
            journal.SetRunValue("host", "live");
            journal.SetRunValue("time_factor", options.TimeFactor.ToString(CultureInfo.InvariantCulture));
            journal.SetRunValue("started_utc", realTime.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
            var signer = OpenDataFolder(() => SigningKeys.LoadOrCreate(options.DataDirectory, store.Releases(), logger));
            started.Push(new DisposeAction(signer.Dispose));
            IAlertOutbox outbox = options.DataDirectory is null
                ? new InMemoryAlertOutbox()
                : OpenDataFolder(() => OpenAlertOutbox(Path.Combine(dataDirectory, AlertOutboxFileName)));
            var alerts = new HostAlerts(alertSinks ?? DefaultAlertSinks(dataDirectory, logger), outbox, journal, clock, logger);
            started.Push(alerts);
            var engine = new RolloutEngine(clock, store, journal, alerts, signer, logger);
            started.Push(new DisposeAction(engine.Dispose));

            EmbeddedBroker? broker = null;
            if (endpoint.Embedded)
            {
                broker = await StartEmbeddedBrokerAsync(endpoint.Port, options.DataDirectory, logger).ConfigureAwait(false);
                started.Push(broker);
                endpoint = endpoint with { Port = broker.Port };
            }

            var gatewayUrl = endpoint.ToUri();
            ServerInfoView Info() => new(engine.HttpBaseUrl, gatewayUrl.ToString(), clock.Factor, clock.NowMs, signer.KeyId);
            var app = BuildApp(options, loggerFactory, engine, Info);
            await StartHttpAsync(app, options.Port, cancellationToken).ConfigureAwait(false);
            started.Push(app);
            var httpUrl = BoundUrl(app);
            engine.HttpBaseUrl = httpUrl.GetLeftPart(UriPartial.Authority);
            OpenDataFolder(() =>
            {
                engine.Restore();
                return 0;
            });

            var gateway = new DeviceGateway(endpoint, options, engine, realTime, logger);
            started.Push(gateway);
            await gateway.StartAsync(cancellationToken).ConfigureAwait(false);

            Log.ServerStarted(logger, httpUrl.ToString(), gatewayUrl.ToString(), options.TimeFactor, journal.Path);
            return new ServerHost(logger, clock, store, journal, alerts, engine, broker, app, gateway, httpUrl);
        }
        catch
        {
            while (started.TryPop(out var component))
            {
                await component.DisposeAsync().ConfigureAwait(false);
            }

            throw;
        }
    }

    /// <summary>Stops MQTT first so that no input arrives, then HTTP, the controller timer, alerts, the broker, the
    /// journal (flushed and indexed) and the state store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _gateway.DisposeAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _engine.Dispose();
        await _alerts.DisposeAsync().ConfigureAwait(false);
        if (_broker is not null)
        {
            await _broker.DisposeAsync().ConfigureAwait(false);
        }

        _journal.SetRunValue("end_ms", Clock.NowMs.ToString(CultureInfo.InvariantCulture));
        await _journal.DisposeAsync().ConfigureAwait(false);
        _store.SaveStopTime(Clock.NowMs, Clock.RealTime.GetUtcNow());
        _store.Dispose();
        _engine.Signer.Dispose();
        Log.ServerStopped(_logger, TimeProvider.System.GetElapsedTime(_startTimestamp), _engine.Received, _engine.Sent);
    }

    private static WebApplication BuildApp(ServerHostOptions options, ILoggerFactory loggerFactory, RolloutEngine engine, Func<ServerInfoView> info)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.Configure<JsonOptions>(json => json.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default));
        builder.Services.AddProblemDetails();
        builder.WebHost.UseKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            // Base64 makes a registration body about 4/3 of the image, plus the manifest fields.
            kestrel.Limits.MaxRequestBodySize = options.MaxImageBytes / 3 * 4 + 8 + (1 << 20);
        });

        var app = builder.Build();
        StatusPages.Use(app);
        ManagementEndpoints.Map(app, engine, options, info, loggerFactory.CreateLogger("FleetOta.Server.Host"));
        ArtifactEndpoints.Map(app, engine);
        return app;
    }

    private static Uri BoundUrl(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses;
        var first = addresses.FirstOrDefault()
                    ?? throw new InvalidOperationException("Kestrel started without a bound address; check the port option.");
        return new Uri(first.EndsWith('/') ? first : first + "/");
    }

    /// <summary>Returns the virtual time to resume at: the stop time plus the real downtime times the factor, so that
    /// controller deadlines pass during an outage as they do in the simulation, and never before the controller's last
    /// step. NOTE: after a crash there is no stop time, so virtual time resumes at the controller's last step.</summary>
    private static long ResumeTimeMs(IServerStateStore store, TimeProvider realTime, double factor)
    {
        var lastStepMs = store.LoadController()?.Globals.LastNowMs ?? 0;
        if (store.LoadStopTime() is not { } stop)
        {
            return lastStepMs;
        }

        var downtime = realTime.GetUtcNow() - stop.RealUtc;
        var resumeMs = stop.VirtualMs + (long)(Math.Max(downtime.TotalMilliseconds, 0) * factor);
        return Math.Max(lastStepMs, resumeMs);
    }

    private static IAlertSink[] DefaultAlertSinks(string dataDirectory, ILogger logger) =>
        [new LogAlertSink(logger), new FileAlertSink(Path.Combine(dataDirectory, AlertsFileName))];

    private static string JournalPathIn(string dataDirectory, TimeProvider realTime)
    {
        // The journal writer replaces an existing file, so every start gets a new name.
        var stamp = realTime.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var path = Path.Combine(dataDirectory, $"journal-{stamp}.sqlite");
        for (var suffix = 2; File.Exists(path); suffix++)
        {
            path = Path.Combine(dataDirectory, $"journal-{stamp}-{suffix.ToString(CultureInfo.InvariantCulture)}.sqlite");
        }

        return path;
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
