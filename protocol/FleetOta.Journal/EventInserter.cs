using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace FleetOta.Journal;

/// <summary>Inserts journal entries into the events table through one prepared SQLite statement, binding values
/// directly so that a row allocates nothing: text is bound from the string's UTF-16 characters, numbers unboxed.</summary>
internal sealed class EventInserter : IDisposable
{
    private const string InsertSql = """
        INSERT INTO events(seq, t_ms, kind, device, release, version, status, detail, value, actor)
        VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
        """;

    private readonly SqliteConnection _connection;
    private readonly sqlite3_stmt _statement;

    public EventInserter(SqliteConnection connection)
    {
        _connection = connection;
        Check(raw.sqlite3_prepare_v2(connection.Handle, InsertSql, out _statement), "prepare the insert statement");
    }

    /// <summary>Inserts <paramref name="count"/> entries in one transaction.</summary>
    public void Insert(JournalEntry[] entries, int count)
    {
        var db = _connection.Handle!;
        Check(raw.sqlite3_exec(db, "BEGIN"), "begin a transaction");
        for (var i = 0; i < count; i++)
        {
            ref readonly var entry = ref entries[i];
            var statement = _statement;
            raw.sqlite3_bind_int64(statement, 1, entry.Sequence);
            raw.sqlite3_bind_int64(statement, 2, entry.TimeMs);
            BindText(3, entry.Kind.Name());
            if (entry.Device >= 0)
            {
                raw.sqlite3_bind_int64(statement, 4, entry.Device);
            }
            else
            {
                raw.sqlite3_bind_null(statement, 4);
            }

            BindText(5, entry.Release);
            BindText(6, entry.Version);
            BindText(7, entry.Status);
            BindText(8, entry.Detail);
            raw.sqlite3_bind_int64(statement, 9, entry.Value);
            BindText(10, entry.Actor);
            var result = raw.sqlite3_step(statement);
            raw.sqlite3_reset(statement);
            if (result != raw.SQLITE_DONE)
            {
                raw.sqlite3_exec(db, "ROLLBACK");
                Check(result, $"insert journal entry {entry.Sequence}");
            }
        }

        Check(raw.sqlite3_exec(db, "COMMIT"), "commit a transaction");
    }

    public void Dispose() => _statement.Dispose();

    private void BindText(int index, string? value)
    {
        if (value is null)
        {
            raw.sqlite3_bind_null(_statement, index);
        }
        else if (value.Length == 0)
        {
            // An empty span has a null pointer, which SQLite would store as NULL.
            raw.sqlite3_bind_text(_statement, index, utf8z.FromString(""));
        }
        else
        {
            raw.sqlite3_bind_text16(_statement, index, value.AsSpan());
        }
    }

    private void Check(int result, string operation)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE))
        {
            throw new InvalidOperationException(
                $"SQLite failed to {operation} (code {result}: {raw.sqlite3_errmsg(_connection.Handle).utf8_to_string()}).");
        }
    }
}
