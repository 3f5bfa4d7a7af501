using System.Globalization;
using Microsoft.Data.Sqlite;

namespace FleetOta.Journal;

/// <summary>A journal loaded into memory: run metadata, devices, releases and entries in (time, sequence) order.</summary>
public sealed class JournalData
{
    public required IReadOnlyDictionary<string, string> Run { get; init; }
    public required IReadOnlyList<JournalDevice> Devices { get; init; }
    public required IReadOnlyList<JournalRelease> Releases { get; init; }
    public required IReadOnlyList<JournalEntry> Entries { get; init; }

    public string RunValue(string key, string fallback = "") => Run.TryGetValue(key, out var value) ? value : fallback;

    public long RunNumber(string key, long fallback = 0) =>
        Run.TryGetValue(key, out var value) ? long.Parse(value, CultureInfo.InvariantCulture) : fallback;
}

/// <summary>Reads a journal file written by <see cref="SqliteJournalWriter"/>.</summary>
public static class JournalReader
{
    public static JournalData Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"The journal file '{path}' does not exist.", path);
        }

        using var connection = new SqliteConnection(
            new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        connection.Open();
        return new JournalData
        {
            Run = ReadRun(connection),
            Devices = ReadDevices(connection),
            Releases = ReadReleases(connection),
            Entries = ReadEntries(connection),
        };
    }

    private static Dictionary<string, string> ReadRun(SqliteConnection connection)
    {
        var run = new Dictionary<string, string>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key, value FROM run";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            run[reader.GetString(0)] = reader.GetString(1);
        }

        return run;
    }

    private static List<JournalDevice> ReadDevices(SqliteConnection connection)
    {
        var devices = new List<JournalDevice>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, name, hardware, revision, network, connectivity, site, time_zone, version FROM devices ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            devices.Add(new JournalDevice(
                reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), reader.GetString(8)));
        }

        return devices;
    }

    private static List<JournalRelease> ReadReleases(SqliteConnection connection)
    {
        var releases = new List<JournalRelease>();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, version, security_version, digest, size, previous_version FROM releases ORDER BY id";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            releases.Add(new JournalRelease(
                reader.GetString(0), reader.GetString(1), reader.GetInt32(2), reader.GetString(3), reader.GetInt64(4), reader.GetString(5)));
        }

        return releases;
    }

    private static List<JournalEntry> ReadEntries(SqliteConnection connection)
    {
        var entries = new List<JournalEntry>();
        var kinds = new Dictionary<string, JournalKind>(StringComparer.Ordinal);
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT seq, t_ms, kind, device, release, version, status, detail, value, actor FROM events ORDER BY t_ms, seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var kindName = reader.GetString(2);
            if (!kinds.TryGetValue(kindName, out var kind))
            {
                kind = JournalKinds.Parse(kindName);
                kinds[kindName] = kind;
            }

            entries.Add(new JournalEntry(
                reader.GetInt64(1),
                kind,
                reader.IsDBNull(3) ? -1 : reader.GetInt32(3),
                NullableString(reader, 4),
                NullableString(reader, 5),
                NullableString(reader, 6),
                NullableString(reader, 7),
                reader.GetInt64(8),
                NullableString(reader, 9)) { Sequence = reader.GetInt64(0) });
        }

        return entries;
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
