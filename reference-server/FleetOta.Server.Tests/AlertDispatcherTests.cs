using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FleetOta.Server.Alerting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FleetOta.Server.Tests;

public sealed class AlertDispatcherTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 12, 4, 8, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("fleetota-alerts-").FullName;

    [Fact]
    public async Task Webhook_DownThreeMinutes_DeliversOnceAfterRecovery()
    {
        var time = new FakeTimeProvider(Epoch);
        var breachAtMs = 90_000L;
        time.Advance(TimeSpan.FromMilliseconds(breachAtMs));
        var downUntil = time.GetUtcNow() + TimeSpan.FromMinutes(3);
        using var webhook = new WebhookListener(() => time.GetUtcNow() < downUntil);
        using var client = new HttpClient();
        var outbox = new InMemoryAlertOutbox();
        var dispatcher = new AlertDispatcher([new WebhookAlertSink(client, webhook.Url)], outbox, time, () => NowMs(time));
        var delivered = new List<AlertDelivery>();
        dispatcher.Delivered += delivered.Add;

        dispatcher.Enqueue(Alert("r2-breach-1", breachAtMs));
        for (var pass = 0; pass < 200 && delivered.Count == 0; pass++)
        {
            var next = await dispatcher.DeliverDueAsync();
            if (next is { } delay)
            {
                time.Advance(delay);
            }
        }

        // Passes after the delivery must not send it again.
        dispatcher.Enqueue(Alert("r2-breach-1", breachAtMs));
        (await dispatcher.DeliverDueAsync()).Should().BeNull();
        time.Advance(TimeSpan.FromMinutes(10));
        await dispatcher.DeliverDueAsync();

        webhook.Accepted.Should().Equal("r2-breach-1");
        webhook.Rejected.Should().BeGreaterThan(5, "the sink answered 503 for 3 minutes");
        var delivery = delivered.Should().ContainSingle().Subject;
        delivery.LatencyMs.Should().BeInRange(180_000, 180_000 + 30_000, "latency counts from the breach; the sink came back 3 min after it");
        delivery.Attempts.Should().Be(webhook.Rejected + 1);
        outbox.Pending().Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_SinkDownBriefly_DeliversInBackground()
    {
        // The sink rejects the first two requests. Counting requests, not wall time, keeps the test independent of how
        // long the first connection takes on a busy machine.
        var requests = 0;
        using var webhook = new WebhookListener(() => Interlocked.Increment(ref requests) <= 2);
        using var client = new HttpClient();
        var dispatcher = new AlertDispatcher([new WebhookAlertSink(client, webhook.Url)], new InMemoryAlertOutbox(), TimeProvider.System,
            () => 0, new AlertRetryOptions { FirstRetryDelay = TimeSpan.FromMilliseconds(100), MaxRetryDelay = TimeSpan.FromMilliseconds(200) });
        var delivered = new TaskCompletionSource<AlertDelivery>(TaskCreationOptions.RunContinuationsAsynchronously);
        dispatcher.Delivered += delivery => delivered.TrySetResult(delivery);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        var running = dispatcher.RunAsync(stop.Token);
        dispatcher.Enqueue(Alert("r2-breach-2", 0));
        var delivery = await delivered.Task.WaitAsync(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await running;

        delivery.AlertId.Should().Be("r2-breach-2");
        webhook.Accepted.Should().Equal("r2-breach-2");
        webhook.Rejected.Should().Be(2);
        delivery.Attempts.Should().Be(3);
    }

    [Fact]
    public async Task FileSink_SameAlertAfterReopen_WritesOneLine()
    {
        var path = Path.Combine(_directory, "alerts.jsonl");
        await new FileAlertSink(path).DeliverAsync(Alert("r2-breach-1", 0), CancellationToken.None);
        var reopened = new FileAlertSink(path);

        await reopened.DeliverAsync(Alert("r2-breach-1", 0), CancellationToken.None);
        await reopened.DeliverAsync(Alert("r2-breach-2", 5_000), CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(path);
        lines.Should().HaveCount(2);
        lines.Select(line => JsonDocument.Parse(line).RootElement.GetProperty("id").GetString()).Should().Equal("r2-breach-1", "r2-breach-2");
        JsonDocument.Parse(lines[1]).RootElement.GetProperty("breachAtMs").GetInt64().Should().Be(5_000);
    }

    [Fact]
    public async Task LogSink_Alert_LogsWarningWithId()
    {
        var provider = new CollectingLoggerProvider();
        using var factory = LoggerFactory.Create(builder => builder.AddProvider(provider));
        var sink = new LogAlertSink(factory.CreateLogger("alerts"));

        await sink.DeliverAsync(Alert("r2-breach-3", 0), CancellationToken.None);

        var entry = provider.Entries.Should().ContainSingle().Subject;
        entry.Level.Should().Be(LogLevel.Warning);
        entry.Message.Should().Contain("r2-breach-3").And.Contain("critical-fault rate");
    }

    [Fact]
    public void Constructor_DuplicateSinkNames_Throws()
    {
        var create = () => new AlertDispatcher([new FileAlertSink("a"), new FileAlertSink("b")], new InMemoryAlertOutbox(), TimeProvider.System, () => 0);

        create.Should().Throw<ArgumentException>().WithMessage("*'file'*distinct*");
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static long NowMs(TimeProvider time) => (long)(time.GetUtcNow() - Epoch).TotalMilliseconds;

    private static RolloutAlert Alert(string id, long breachAtMs) =>
        new(id, "r2", breachAtMs, breachAtMs, 0.01, 0.005, 10, 1_000, "Release r2: critical-fault rate 1.00% exceeds the limit 0.50%.");

    /// <summary>A real HTTP server on 127.0.0.1 that responds 503 while <c>down</c> returns true, and 200 otherwise.</summary>
    private sealed class WebhookListener : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<bool> _down;
        private readonly Lock _lock = new();
        private readonly List<string> _accepted = [];
        private int _rejected;

        public WebhookListener(Func<bool> down)
        {
            _down = down;
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            Url = new Uri($"http://127.0.0.1:{port}/alerts/");
            _listener.Prefixes.Add(Url.ToString());
            _listener.Start();
            _ = Task.Run(ServeAsync);
        }

        public Uri Url { get; }

        public IReadOnlyList<string> Accepted
        {
            get
            {
                lock (_lock)
                {
                    return _accepted.ToArray();
                }
            }
        }

        public int Rejected => Volatile.Read(ref _rejected);

        public void Dispose() => _listener.Close();

        private async Task ServeAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception error) when (error is HttpListenerException or ObjectDisposedException or InvalidOperationException)
                {
                    return;
                }

                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                if (_down())
                {
                    Interlocked.Increment(ref _rejected);
                    context.Response.StatusCode = 503;
                }
                else
                {
                    var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                    id.Should().Be(context.Request.Headers["Idempotency-Key"]);
                    lock (_lock)
                    {
                        _accepted.Add(id);
                    }

                    context.Response.StatusCode = 200;
                }

                context.Response.Close();
            }
        }
    }

    private sealed class CollectingLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Collector(Entries);

        public void Dispose()
        {
        }

        private sealed class Collector(List<(LogLevel Level, string Message)> entries) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                entries.Add((logLevel, formatter(state, exception)));
        }
    }
}
