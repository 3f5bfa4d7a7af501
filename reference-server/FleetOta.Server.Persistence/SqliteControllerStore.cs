using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace FleetOta.Server.Persistence;

/// <summary>An output of the controller waiting in the store's outbox until the host has carried it out.</summary>
/// <param name="Id">Increases with every output ever committed; a host may use it to drop a repeated delivery.</param>
public sealed record OutboxItem(long Id, ControllerOutput Output);

/// <summary>Stores the rollout controller's state in a SQLite file, so that a restarted server continues the rollout
/// with no device state lost and no decision taken twice.</summary>
/// <remarks>
/// The host's loop: handle one input (or a batch), then <see cref="Commit"/> the controller's
/// <see cref="RolloutController.TakeChanges"/> together with the outputs of those calls in one transaction, then carry
/// the outputs out and <see cref="MarkDone(long)"/> them. After a restart, <see cref="LoadOrCreate"/> restores the
/// controller and <see cref="PendingOutputs"/> returns what was committed but not yet marked done. A decision is
/// therefore taken once, and its outputs are carried out at least once; the outbox id lets a receiver drop a repeat.
/// The store is not thread-safe: use it from the thread that runs the controller.
/// </remarks>
public sealed class SqliteControllerStore : IDisposable
{
    private const int SchemaVersion = 1;

    private readonly SqliteConnection _connection;

    private SqliteControllerStore(SqliteConnection connection, string path)
    {
        _connection = connection;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Opens or creates the store file at <paramref name="path"/>.</summary>
    /// <param name="flushEveryCommit">True (the default) waits for the disk on every commit, so that even a power loss
    /// keeps every committed step. False keeps every committed step across a crash or restart of the process, which the
    /// operating system's cache survives, but a power loss may drop the last few.</param>
    /// <exception cref="InvalidDataException">The file contains a store of another schema version.</exception>
    public static SqliteControllerStore Open(string path, bool flushEveryCommit = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        var store = new SqliteControllerStore(connection, path);
        try
        {
            store.Execute($"PRAGMA journal_mode = WAL; PRAGMA synchronous = {(flushEveryCommit ? "FULL" : "NORMAL")};");
            store.Execute(ControllerStoreSchema.CreateTables);
            store.CheckSchemaVersion();
        }
        catch
        {
            store.Dispose();
            throw;
        }

        return store;
    }

    /// <summary>True when the store contains a saved controller.</summary>
    public bool HasState => ReadMeta("globals") is not null;

    /// <summary>Restores the saved controller, or creates one for <paramref name="fleetSize"/> devices and saves it.</summary>
    /// <exception cref="ArgumentException">The saved controller was created with another seed.</exception>
    public RolloutController LoadOrCreate(RolloutOptions options, int fleetSize)
    {
        if (Load() is { } snapshot)
        {
            return RolloutController.Restore(options, snapshot);
        }

        var controller = new RolloutController(options, fleetSize);
        SaveSnapshot(controller.Snapshot());
        controller.TakeChanges();
        return controller;
    }

    /// <summary>Returns the saved controller state, or null when nothing was saved yet.</summary>
    public ControllerSnapshot? Load()
    {
        var globalsText = ReadMeta("globals");
        if (globalsText is null)
        {
            return null;
        }

        var globals = JsonSerializer.Deserialize<ControllerGlobals>(globalsText, ControllerOutputCodec.Json)
                      ?? throw new InvalidDataException($"The store {Path} is invalid: its controller globals are empty. Start with a new store file.");
        var deploymentText = ReadMeta("deployment");
        var deployment = deploymentText is null ? null : ControllerOutputCodec.DecodeDeployment(deploymentText);
        return new ControllerSnapshot(deployment, globals, ReadDevices(), ReadFaults());
    }

    /// <summary>Replaces the whole saved state with <paramref name="snapshot"/>, in one transaction.</summary>
    public void SaveSnapshot(ControllerSnapshot snapshot)
    {
        using var transaction = _connection.BeginTransaction();
        Execute("DELETE FROM devices; DELETE FROM faults;", transaction);
        WriteMeta("deployment", snapshot.Deployment is null ? null : ControllerOutputCodec.EncodeDeployment(snapshot.Deployment), transaction);
        WriteDevices(snapshot.Devices, transaction);
        WriteFaults(snapshot.Faults, transaction);
        WriteMeta("globals", JsonSerializer.Serialize(snapshot.Globals, ControllerOutputCodec.Json), transaction);
        transaction.Commit();
    }

    /// <summary>Saves the controller's changes and the outputs of the same calls in one transaction, and returns the
    /// outputs with their outbox ids, in order. Faults outside the monitor window are dropped.</summary>
    public IReadOnlyList<OutboxItem> Commit(ControllerChanges changes, IReadOnlyList<ControllerOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentNullException.ThrowIfNull(outputs);
        using var transaction = _connection.BeginTransaction();
        if (changes.Deployment is { } deployment)
        {
            Execute("DELETE FROM faults;", transaction);
            WriteMeta("deployment", ControllerOutputCodec.EncodeDeployment(deployment), transaction);
        }

        WriteDevices(changes.Devices, transaction);
        WriteFaults(changes.NewFaults, transaction);
        using (var prune = Command("DELETE FROM faults WHERE time_ms <= $horizon", transaction))
        {
            prune.Parameters.AddWithValue("$horizon", changes.Globals.FaultHorizonMs);
            prune.ExecuteNonQuery();
        }

        WriteMeta("globals", JsonSerializer.Serialize(changes.Globals, ControllerOutputCodec.Json), transaction);
        var items = WriteOutbox(outputs, transaction);
        transaction.Commit();
        return items;
    }

    /// <summary>Returns the committed outputs not yet marked done, oldest first.</summary>
    public IReadOnlyList<OutboxItem> PendingOutputs()
    {
        using var command = Command("SELECT id, kind, payload FROM outbox WHERE done = 0 ORDER BY id");
        using var reader = command.ExecuteReader();
        var items = new List<OutboxItem>();
        while (reader.Read())
        {
            items.Add(new OutboxItem(reader.GetInt64(0), ControllerOutputCodec.Decode(reader.GetString(1), reader.GetString(2))));
        }

        return items;
    }

    /// <summary>Marks an output as carried out, so that a restart does not carry it out again.</summary>
    public void MarkDone(long outboxId) => MarkDone([outboxId]);

    public void MarkDone(IEnumerable<long> outboxIds)
    {
        using var transaction = _connection.BeginTransaction();
        using var command = Command("UPDATE outbox SET done = 1 WHERE id = $id", transaction);
        var id = command.Parameters.Add("$id", SqliteType.Integer);
        foreach (var outboxId in outboxIds)
        {
            id.Value = outboxId;
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Deletes outputs marked done, to keep the file small. Their ids are not reused.</summary>
    public int PurgeDone() => Execute("DELETE FROM outbox WHERE done = 1");

    /// <summary>Saves a catalogue release; saving the same release id again replaces it.</summary>
    public void SaveRelease(CatalogueEntry entry)
    {
        using var command = Command("INSERT OR REPLACE INTO releases(release_id, added, payload) VALUES ($id, " +
                                    "COALESCE((SELECT added FROM releases WHERE release_id = $id), (SELECT COUNT(*) FROM releases)), $payload)");
        command.Parameters.AddWithValue("$id", entry.ReleaseId);
        command.Parameters.AddWithValue("$payload", ControllerOutputCodec.EncodeRelease(entry));
        command.ExecuteNonQuery();
    }

    /// <summary>Returns the saved releases in the order they were first saved. Load them into a
    /// <see cref="ReleaseCatalogue"/> with <see cref="ReleaseCatalogue.Add"/>, which verifies each signature again.</summary>
    public IReadOnlyList<CatalogueEntry> LoadReleases()
    {
        using var command = Command("SELECT payload FROM releases ORDER BY added, release_id");
        using var reader = command.ExecuteReader();
        var releases = new List<CatalogueEntry>();
        while (reader.Read())
        {
            releases.Add(ControllerOutputCodec.DecodeRelease(reader.GetString(0)));
        }

        return releases;
    }

    public void Dispose() => _connection.Dispose();

    private void CheckSchemaVersion()
    {
        var stored = ReadMeta("schema_version");
        if (stored is null)
        {
            WriteMeta("schema_version", SchemaVersion.ToString(CultureInfo.InvariantCulture), null);
            return;
        }

        if (stored != SchemaVersion.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException(
                $"The controller store {Path} has schema version {stored}, but this server reads version {SchemaVersion}; " +
                "start with a new store file or use the server version that wrote it.");
        }
    }

    private void WriteDevices(IReadOnlyList<DeviceSnapshot> devices, SqliteTransaction transaction)
    {
        if (devices.Count == 0)
        {
            return;
        }

        using var command = Command(ControllerStoreSchema.UpsertDevice, transaction);
        var parameters = ControllerStoreSchema.DeviceColumns.Select(column =>
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "$" + column;
            command.Parameters.Add(parameter);
            return parameter;
        }).ToArray();
        command.Prepare();
        foreach (var device in devices)
        {
            var values = ControllerStoreSchema.DeviceValues(device);
            for (var i = 0; i < values.Length; i++)
            {
                parameters[i].Value = values[i];
            }

            command.ExecuteNonQuery();
        }
    }

    private List<DeviceSnapshot> ReadDevices()
    {
        using var command = Command($"SELECT {string.Join(", ", ControllerStoreSchema.DeviceColumns)} FROM devices ORDER BY id");
        using var reader = command.ExecuteReader();
        var devices = new List<DeviceSnapshot>();
        while (reader.Read())
        {
            devices.Add(ControllerStoreSchema.ReadDevice(reader));
        }

        return devices;
    }

    private void WriteFaults(IReadOnlyList<FaultRecord> faults, SqliteTransaction transaction)
    {
        if (faults.Count == 0)
        {
            return;
        }

        using var command = Command("INSERT INTO faults(time_ms, device) VALUES ($time, $device)", transaction);
        var time = command.Parameters.Add("$time", SqliteType.Integer);
        var device = command.Parameters.Add("$device", SqliteType.Integer);
        foreach (var fault in faults)
        {
            time.Value = fault.TimeMs;
            device.Value = fault.Device;
            command.ExecuteNonQuery();
        }
    }

    private List<FaultRecord> ReadFaults()
    {
        using var command = Command("SELECT time_ms, device FROM faults ORDER BY seq");
        using var reader = command.ExecuteReader();
        var faults = new List<FaultRecord>();
        while (reader.Read())
        {
            faults.Add(new FaultRecord(reader.GetInt64(0), reader.GetInt32(1)));
        }

        return faults;
    }

    private List<OutboxItem> WriteOutbox(IReadOnlyList<ControllerOutput> outputs, SqliteTransaction transaction)
    {
        var items = new List<OutboxItem>(outputs.Count);
        if (outputs.Count == 0)
        {
            return items;
        }

        using var command = Command("INSERT INTO outbox(kind, payload) VALUES ($kind, $payload) RETURNING id", transaction);
        var kind = command.Parameters.Add("$kind", SqliteType.Text);
        var payload = command.Parameters.Add("$payload", SqliteType.Text);
        foreach (var output in outputs)
        {
            (kind.Value, payload.Value) = ControllerOutputCodec.Encode(output);
            var id = (long)command.ExecuteScalar()!;
            items.Add(new OutboxItem(id, output));
        }

        return items;
    }

    private string? ReadMeta(string key)
    {
        using var command = Command("SELECT value FROM meta WHERE key = $key");
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string;
    }

    private void WriteMeta(string key, string? value, SqliteTransaction? transaction)
    {
        using var command = Command(value is null ? "DELETE FROM meta WHERE key = $key" : "INSERT OR REPLACE INTO meta(key, value) VALUES ($key, $value)",
            transaction);
        command.Parameters.AddWithValue("$key", key);
        if (value is not null)
        {
            command.Parameters.AddWithValue("$value", value);
        }

        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(string text, SqliteTransaction? transaction = null)
    {
        var command = _connection.CreateCommand();
        command.CommandText = text;
        command.Transaction = transaction;
        return command;
    }

    private int Execute(string text, SqliteTransaction? transaction = null)
    {
        using var command = Command(text, transaction);
        return command.ExecuteNonQuery();
    }
}
