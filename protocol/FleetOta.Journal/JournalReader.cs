using System.Globalization;
using Microsoft.Data.Sqlite;
using SQLitePCL;

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

    /// <summary>Reads the events in (time, sequence) order. A journal is written in that order, so the rows are
    /// read in sequence order without a sort, and sorted afterwards only if a row breaks the time order. Repeated
    /// texts (kinds, versions, statuses, actors) share one string instance each, which keeps a large journal's
    /// memory near the size of its entries.</summary>
    private static List<JournalEntry> ReadEntries(SqliteConnection connection)
    {
        var entries = new List<JournalEntry>(CountEvents(connection));
        var strings = new StringPool();
        var kinds = new Dictionary<string, JournalKind>(ReferenceEqualityComparer.Instance);
        var db = connection.Handle!;
        Check(db, raw.sqlite3_prepare_v2(db, "SELECT seq, t_ms, kind, device, release, version, status, detail, value, actor FROM events ORDER BY seq",
            out var statement));
        using (statement)
        {
            var ordered = true;
            var lastTime = long.MinValue;
            int result;
            while ((result = raw.sqlite3_step(statement)) == raw.SQLITE_ROW)
            {
                var kindName = strings.Text(statement, 2)!;
                if (!kinds.TryGetValue(kindName, out var kind))
                {
                    kind = JournalKinds.Parse(kindName);
                    kinds[kindName] = kind;
                }

                var time = raw.sqlite3_column_int64(statement, 1);
                ordered &= time >= lastTime;
                lastTime = time;
                entries.Add(new JournalEntry(
                    time,
                    kind,
                    raw.sqlite3_column_type(statement, 3) == raw.SQLITE_NULL ? -1 : raw.sqlite3_column_int(statement, 3),
                    strings.Text(statement, 4),
                    strings.Text(statement, 5),
                    strings.Text(statement, 6),
                    strings.Text(statement, 7),
                    raw.sqlite3_column_int64(statement, 8),
                    strings.Text(statement, 9)) { Sequence = raw.sqlite3_column_int64(statement, 0) });
            }

            Check(db, result == raw.SQLITE_DONE ? raw.SQLITE_OK : result);
            if (!ordered)
            {
                entries.Sort(static (a, b) => a.TimeMs != b.TimeMs ? a.TimeMs.CompareTo(b.TimeMs) : a.Sequence.CompareTo(b.Sequence));
            }
        }

        return entries;
    }

    private static int CountEvents(SqliteConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM events";
        return (int)Math.Min((long)command.ExecuteScalar()!, Array.MaxLength);
    }

    private static void Check(sqlite3 db, int result)
    {
        if (result != raw.SQLITE_OK)
        {
            throw new InvalidOperationException($"Reading the journal's events failed (SQLite code {result}: {raw.sqlite3_errmsg(db).utf8_to_string()}).");
        }
    }

    private static string? NullableString(SqliteDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);
}
