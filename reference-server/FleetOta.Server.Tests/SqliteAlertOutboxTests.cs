using FleetOta.Server.Alerting;
using FleetOta.Server.Persistence;
using Microsoft.Extensions.Time.Testing;

namespace FleetOta.Server.Tests;

/// <summary>The durable alert outbox on a real SQLite file, reopened as a restarted server would.</summary>
public sealed class SqliteAlertOutboxTests : IDisposable
{
    private static readonly DateTimeOffset Epoch = new(2026, 12, 4, 8, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("fleetota-outbox-").FullName;

    private string OutboxPath => Path.Combine(_directory, "alert-outbox.sqlite");

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static RolloutAlert Alert(string id, long breachAtMs = 60_000) =>
        new(id, "r2", breachAtMs, breachAtMs + 1_000, 0.04, 0.005, 2, 50, $"critical-fault rate of {id} above the limit");

    [Fact]
    public void Reopen_KeepsPendingAndDelivered()
    {
        using (var outbox = SqliteAlertOutbox.Open(OutboxPath))
        {
            outbox.Add(Alert("a1"), ["log", "file"]);
            outbox.Add(Alert("a2"), ["log"]);
            outbox.MarkDelivered(new AlertDelivery("a1", "log", 1, 61_500, 1_500));
        }

        using var reopened = SqliteAlertOutbox.Open(OutboxPath);

        reopened.Pending().Select(entry => (entry.Alert.Id, entry.Sink)).Should().Equal(("a1", "file"), ("a2", "log"));
        reopened.Pending()[0].Alert.Should().Be(Alert("a1"));
        reopened.Delivered().Should().Equal(new AlertDelivery("a1", "log", 1, 61_500, 1_500));
    }

    [Fact]
    public void Add_KnownAlert_IsNotQueuedAgain()
    {
        using (var outbox = SqliteAlertOutbox.Open(OutboxPath))
        {
            outbox.Add(Alert("a1"), ["log", "file"]);
            outbox.MarkDelivered(new AlertDelivery("a1", "log", 2, 62_000, 2_000));
        }

        using var reopened = SqliteAlertOutbox.Open(OutboxPath);
        reopened.Add(Alert("a1"), ["log", "file", "webhook"]);
        reopened.MarkDelivered(new AlertDelivery("a1", "log", 1, 90_000, 30_000));

        reopened.Pending().Select(entry => entry.Sink).Should().Equal("file", "webhook");
        reopened.Delivered().Should().ContainSingle().Which.DeliveredAtMs.Should().Be(62_000, "a second delivery of a delivered alert changes nothing");
    }

    [Fact]
    public async Task Dispatcher_AfterRestart_DeliversPendingAlertOnce()
    {
        var time = new FakeTimeProvider(Epoch);
        long NowMs() => (long)(time.GetUtcNow() - Epoch).TotalMilliseconds;
        // A directory where the sink expects its file makes every write fail, as a full or read-only disk would.
        var alertsFile = Path.Combine(_directory, "alerts.jsonl");
        Directory.CreateDirectory(alertsFile);
        using (var outbox = SqliteAlertOutbox.Open(OutboxPath))
        {
            var failing = new AlertDispatcher([new FileAlertSink(alertsFile)], outbox, time, NowMs);
            failing.Enqueue(Alert("a1"));
            (await failing.DeliverDueAsync()).Should().NotBeNull("the failed delivery is due again after a backoff");
            outbox.Pending().Should().ContainSingle();
        }

        Directory.Delete(alertsFile);
        time.Advance(TimeSpan.FromMinutes(5));
        var delivered = new List<AlertDelivery>();
        using (var outbox = SqliteAlertOutbox.Open(OutboxPath))
        {
            var restarted = new AlertDispatcher([new FileAlertSink(alertsFile)], outbox, time, NowMs);
            restarted.Delivered += delivered.Add;
            (await restarted.DeliverDueAsync()).Should().BeNull("nothing is pending after the delivery");
        }

        using (var outbox = SqliteAlertOutbox.Open(OutboxPath))
        {
            var again = new AlertDispatcher([new FileAlertSink(alertsFile)], outbox, time, NowMs);
            again.Enqueue(Alert("a1"));
            (await again.DeliverDueAsync()).Should().BeNull();
            outbox.Delivered().Should().ContainSingle();
        }

        delivered.Should().ContainSingle().Which.LatencyMs.Should().Be(NowMs() - 60_000);
        (await File.ReadAllLinesAsync(alertsFile)).Where(line => line.Length > 0).Should().ContainSingle().Which.Should().Contain("\"a1\"");
    }
}
