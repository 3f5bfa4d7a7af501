using Microsoft.Data.Sqlite;

namespace FleetOta.Journal;

/// <summary>Writes a journal to a new SQLite file in batches of one transaction each, so that writing does
/// not dominate a simulation run. Entries must arrive in time order; the writer numbers them.</summary>
public sealed class SqliteJournalWriter : IJournalSink, IDisposable
{
    private const int BatchSize = 20_000;

    private readonly SqliteConnection _connection;
    private readonly JournalEntry[] _pending = new JournalEntry[BatchSize];
    private int _pendingCount;
    private long _sequence;
    private long _lastTime;

    public SqliteJournalWriter(string path)
    {
        if (File.Exists(path))
        {
            File.Delete(path);
        }

        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;");
        Execute(JournalSchema.CreateTables);
        SetRunValue("schema_version", JournalSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string Path { get; }

    /// <summary>Number of entries appended so far.</summary>
    public long Count => _sequence;

    public void SetRunValue(string key, string value)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO run(key, value) VALUES ($key, $value)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    public void AddDevices(IEnumerable<JournalDevice> devices)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO devices(id, name, hardware, revision, network, connectivity, site, time_zone, version)
            VALUES ($id, $name, $hardware, $revision, $network, $connectivity, $site, $tz, $version)
            """;
        var parameters = new[] { "$id", "$name", "$hardware", "$revision", "$network", "$connectivity", "$site", "$tz", "$version" }
            .Select(name => command.Parameters.Add(name, SqliteType.Text))
            .ToArray();
        command.Prepare();
        foreach (var device in devices)
        {
            parameters[0].Value = device.Id;
            parameters[1].Value = device.Name;
            parameters[2].Value = device.Hardware;
            parameters[3].Value = device.Revision;
            parameters[4].Value = device.Network;
            parameters[5].Value = device.Connectivity;
            parameters[6].Value = device.Site;
            parameters[7].Value = device.TimeZone;
            parameters[8].Value = device.Version;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    public void AddRelease(JournalRelease release)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT OR REPLACE INTO releases(id, version, security_version, digest, size, previous_version)
            VALUES ($id, $version, $sv, $digest, $size, $previous)
            """;
        command.Parameters.AddWithValue("$id", release.Id);
        command.Parameters.AddWithValue("$version", release.Version);
        command.Parameters.AddWithValue("$sv", release.SecurityVersion);
        command.Parameters.AddWithValue("$digest", release.Digest);
        command.Parameters.AddWithValue("$size", release.Size);
        command.Parameters.AddWithValue("$previous", release.PreviousVersion);
        command.ExecuteNonQuery();
    }

    public void Append(in JournalEntry entry)
    {
        if (entry.TimeMs < _lastTime)
        {
            throw new InvalidOperationException(
                $"Journal entries must arrive in time order, but {entry.Kind.Name()} at {entry.TimeMs} ms follows an entry at {_lastTime} ms.");
        }

        _lastTime = entry.TimeMs;
        _sequence++;
        _pending[_pendingCount++] = entry with { Sequence = _sequence };
        if (_pendingCount == BatchSize)
        {
            Flush();
        }
    }

    /// <summary>Writes the pending entries in one transaction.</summary>
    public void Flush()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        using var transaction = _connection.BeginTransaction();
        using var command = _connection.CreateCommand();
        command.CommandText = """
            INSERT INTO events(seq, t_ms, kind, device, release, version, status, detail, value, actor)
            VALUES ($seq, $t, $kind, $device, $release, $version, $status, $detail, $value, $actor)
            """;
        var seq = command.Parameters.Add("$seq", SqliteType.Integer);
        var time = command.Parameters.Add("$t", SqliteType.Integer);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var device = command.Parameters.Add("$device", SqliteType.Integer);
        var release = command.Parameters.Add("$release", SqliteType.Text);
        var version = command.Parameters.Add("$version", SqliteType.Text);
        var status = command.Parameters.Add("$status", SqliteType.Text);
        var detail = command.Parameters.Add("$detail", SqliteType.Text);
        var value = command.Parameters.Add("$value", SqliteType.Integer);
        var actor = command.Parameters.Add("$actor", SqliteType.Text);
        command.Prepare();
        for (var i = 0; i < _pendingCount; i++)
        {
            ref readonly var entry = ref _pending[i];
            seq.Value = entry.Sequence;
            time.Value = entry.TimeMs;
            kind.Value = entry.Kind.Name();
            device.Value = entry.Device >= 0 ? entry.Device : DBNull.Value;
            release.Value = (object?)entry.Release ?? DBNull.Value;
            version.Value = (object?)entry.Version ?? DBNull.Value;
            status.Value = (object?)entry.Status ?? DBNull.Value;
            detail.Value = (object?)entry.Detail ?? DBNull.Value;
            value.Value = entry.Value;
            actor.Value = (object?)entry.Actor ?? DBNull.Value;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        Array.Clear(_pending, 0, _pendingCount);
        _pendingCount = 0;
    }

    /// <summary>Flushes, builds the query indexes and closes the file.</summary>
    public void Dispose()
    {
        Flush();
        Execute(JournalSchema.CreateIndexes);
        _connection.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
