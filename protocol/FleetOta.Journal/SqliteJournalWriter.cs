using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FleetOta.Journal;

/// <summary>Writes a journal to a new SQLite file in batches of one transaction each, so that writing does
/// not dominate a simulation run. Entries must arrive in time order. The writer numbers them on the caller's
/// thread, and one background thread inserts full batches in that order while the caller goes on, so the file's
/// content depends only on the entries appended, never on thread timing.</summary>
public sealed class SqliteJournalWriter : IJournalSink, IDisposable
{
    private const int BatchSize = 20_000;

    /// <summary>Maximum number of batches handed to the background thread and not yet written. Beyond it, the caller waits.</summary>
    private const int MaxQueuedBatches = 4;

    private readonly SqliteConnection _connection;
    private readonly BlockingCollection<Batch> _queue = new(MaxQueuedBatches);
    private readonly ConcurrentBag<JournalEntry[]> _spareArrays = [];
    private readonly Thread _thread;
    private readonly SemaphoreSlim _idle = new(0);
    private JournalEntry[] _pending = new JournalEntry[BatchSize];
    private int _pendingCount;
    private long _sequence;
    private long _lastTime;
    private Exception? _failure;
    private bool _disposed;
    private RetainedJournal? _retained;

    /// <summary>Creates the journal file, replacing any file at <paramref name="path"/>.</summary>
    /// <param name="retainInMemory">Also keeps a copy of everything written in memory, for <see cref="Snapshot"/>.
    /// The copy needs about as much memory as reading the finished journal back.</param>
    public SqliteJournalWriter(string path, bool retainInMemory = false)
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
        _thread = new Thread(WriteBatches) { IsBackground = true, Name = "journal writer" };
        _thread.Start();
        _retained = retainInMemory ? new RetainedJournal() : null;
        SetRunValue("schema_version", JournalSchema.Version.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string Path { get; }

    /// <summary>Number of entries appended so far.</summary>
    public long Count => _sequence;

    /// <summary>Returns the journal written so far from the in-memory copy, without reading the file. The snapshot
    /// does not change when more entries arrive.</summary>
    /// <exception cref="InvalidOperationException">The writer was created without retainInMemory.</exception>
    public JournalData Snapshot()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return (_retained ?? throw new InvalidOperationException(
            $"The journal writer for {Path} keeps no copy in memory; create it with retainInMemory: true to take snapshots.")).Snapshot();
    }

    public void SetRunValue(string key, string value)
    {
        _retained?.SetRunValue(key, value);
        Flush();
        using var command = _connection.CreateCommand();
        command.CommandText = "INSERT OR REPLACE INTO run(key, value) VALUES ($key, $value)";
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$value", value);
        command.ExecuteNonQuery();
    }

    public void AddDevices(IEnumerable<JournalDevice> devices)
    {
        Flush();
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
            _retained?.AddDevice(device);
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
        _retained?.AddRelease(release);
        Flush();
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
        var numbered = entry with { Sequence = _sequence };
        _pending[_pendingCount++] = numbered;
        _retained?.Append(numbered);
        if (_pendingCount == BatchSize)
        {
            HandOff(waitForIdle: false);
        }
    }

    /// <summary>Writes the pending entries and waits until every batch is in the file.</summary>
    public void Flush() => HandOff(waitForIdle: true);

    /// <summary>Flushes, builds the query indexes and closes the file.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Flush();
            // Building the indexes sorts every row twice, so SQLite gets the memory and a worker thread to sort.
            Execute("PRAGMA cache_size = -131072; PRAGMA threads = 2;");
            Execute(JournalSchema.CreateIndexes);
        }
        finally
        {
            _disposed = true;
            _retained = null;
            _queue.CompleteAdding();
            _thread.Join();
            _connection.Dispose();
            _queue.Dispose();
            _idle.Dispose();
        }
    }

    private void HandOff(bool waitForIdle)
    {
        ThrowIfFailed();
        if (_pendingCount > 0 || waitForIdle)
        {
            _queue.Add(new Batch(_pending, _pendingCount, waitForIdle));
            _pending = _spareArrays.TryTake(out var spare) ? spare : new JournalEntry[BatchSize];
            _pendingCount = 0;
        }

        if (waitForIdle)
        {
            _idle.Wait();
            ThrowIfFailed();
        }
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"Writing the journal {Path} failed: {failure.Message}", failure);
        }
    }

    /// <summary>The background thread: inserts each batch in one transaction, in the order handed over.</summary>
    private void WriteBatches()
    {
        using var inserter = new EventInserter(_connection);
        foreach (var batch in _queue.GetConsumingEnumerable())
        {
            if (_failure is null && batch.Count > 0)
            {
                try
                {
                    inserter.Insert(batch.Entries, batch.Count);
                }
                catch (Exception exception) when (exception is SqliteException or InvalidOperationException)
                {
                    _failure = exception;
                }
            }

            Array.Clear(batch.Entries, 0, batch.Count);
            _spareArrays.Add(batch.Entries);
            if (batch.SignalIdle)
            {
                _idle.Release();
            }
        }
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private readonly record struct Batch(JournalEntry[] Entries, int Count, bool SignalIdle);
}
