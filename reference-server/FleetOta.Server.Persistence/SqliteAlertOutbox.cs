using FleetOta.Server.Alerting;
using Microsoft.Data.Sqlite;

namespace FleetOta.Server.Persistence;

/// <summary>Keeps the alert outbox in a SQLite file, so that an alert still pending when the server stops is
/// delivered after a restart, and an alert delivered to a sink is never sent to that sink again. Safe to call from
/// several threads: the controller adds alerts while the dispatcher delivers them.</summary>
public sealed class SqliteAlertOutbox : IAlertOutbox, IDisposable
{
    private const string CreateTables = """
        CREATE TABLE IF NOT EXISTS alerts (
            seq INTEGER PRIMARY KEY AUTOINCREMENT, alert_id TEXT NOT NULL, sink TEXT NOT NULL, alert TEXT NOT NULL,
            attempts INTEGER, delivered_at_ms INTEGER, latency_ms INTEGER, delivered_order INTEGER,
            UNIQUE (alert_id, sink));
        """;

    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();

    private SqliteAlertOutbox(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens or creates the outbox file at <paramref name="path"/>. Every change waits for the disk, because
    /// alerts are rare and a delivery recorded here must survive a power loss.</summary>
    public static SqliteAlertOutbox Open(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        try
        {
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;" + CreateTables;
            command.ExecuteNonQuery();
        }
        catch (SqliteException error)
        {
            connection.Dispose();
            throw new InvalidDataException($"The alert outbox {path} cannot be opened ({error.Message}); move the file away to start with an empty outbox.", error);
        }

        return new SqliteAlertOutbox(connection, path);
    }

    public void Add(RolloutAlert alert, IReadOnlyList<string> sinks)
    {
        var payload = ControllerOutputCodec.Encode(new RaiseAlert(alert)).Payload;
        lock (_lock)
        {
            using var transaction = _connection.BeginTransaction();
            using var command = _connection.CreateCommand();
            command.CommandText = "INSERT OR IGNORE INTO alerts(alert_id, sink, alert) VALUES ($id, $sink, $alert)";
            command.Parameters.AddWithValue("$id", alert.Id);
            var sink = command.Parameters.Add("$sink", SqliteType.Text);
            command.Parameters.AddWithValue("$alert", payload);
            foreach (var name in sinks)
            {
                sink.Value = name;
                command.ExecuteNonQuery();
            }

            transaction.Commit();
        }
    }

    public IReadOnlyList<(RolloutAlert Alert, string Sink)> Pending()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT alert, sink FROM alerts WHERE delivered_at_ms IS NULL ORDER BY seq";
            using var reader = command.ExecuteReader();
            var pending = new List<(RolloutAlert, string)>();
            while (reader.Read())
            {
                var alert = ((RaiseAlert)ControllerOutputCodec.Decode("alert", reader.GetString(0))).Alert;
                pending.Add((alert, reader.GetString(1)));
            }

            return pending;
        }
    }

    public void MarkDelivered(AlertDelivery delivery)
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                UPDATE alerts SET attempts = $attempts, delivered_at_ms = $at, latency_ms = $latency,
                    delivered_order = (SELECT COALESCE(MAX(delivered_order), 0) + 1 FROM alerts)
                WHERE alert_id = $id AND sink = $sink AND delivered_at_ms IS NULL
                """;
            command.Parameters.AddWithValue("$attempts", delivery.Attempts);
            command.Parameters.AddWithValue("$at", delivery.DeliveredAtMs);
            command.Parameters.AddWithValue("$latency", delivery.LatencyMs);
            command.Parameters.AddWithValue("$id", delivery.AlertId);
            command.Parameters.AddWithValue("$sink", delivery.Sink);
            // A delivery of an alert that is not pending (never added, or delivered already) changes nothing.
            command.ExecuteNonQuery();
        }
    }

    public IReadOnlyList<AlertDelivery> Delivered()
    {
        lock (_lock)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT alert_id, sink, attempts, delivered_at_ms, latency_ms FROM alerts
                WHERE delivered_at_ms IS NOT NULL ORDER BY delivered_order
                """;
            using var reader = command.ExecuteReader();
            var delivered = new List<AlertDelivery>();
            while (reader.Read())
            {
                delivered.Add(new AlertDelivery(reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetInt64(3), reader.GetInt64(4)));
            }

            return delivered;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _connection.Dispose();
        }
    }
}
