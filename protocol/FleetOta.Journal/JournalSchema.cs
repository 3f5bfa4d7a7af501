namespace FleetOta.Journal;

/// <summary>The SQLite schema of a journal file. Query it with sqlite3, for example
/// <c>SELECT t_ms, kind, device, status FROM events WHERE kind = 'rollout.paused'</c>.</summary>
public static class JournalSchema
{
    public const int Version = 1;

    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS run (
            key   TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS devices (
            id           INTEGER PRIMARY KEY,
            name         TEXT NOT NULL,
            hardware     TEXT NOT NULL,
            revision     TEXT NOT NULL,
            network      TEXT NOT NULL,
            connectivity TEXT NOT NULL,
            site         TEXT NOT NULL,
            time_zone    TEXT NOT NULL,
            version      TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS releases (
            id               TEXT PRIMARY KEY,
            version          TEXT NOT NULL,
            security_version INTEGER NOT NULL,
            digest           TEXT NOT NULL,
            size             INTEGER NOT NULL,
            previous_version TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS events (
            seq     INTEGER PRIMARY KEY,
            t_ms    INTEGER NOT NULL,
            kind    TEXT NOT NULL,
            device  INTEGER,
            release TEXT,
            version TEXT,
            status  TEXT,
            detail  TEXT,
            value   INTEGER NOT NULL DEFAULT 0,
            actor   TEXT
        );
        """;

    public const string CreateIndexes = """
        CREATE INDEX IF NOT EXISTS events_by_kind ON events(kind, t_ms);
        CREATE INDEX IF NOT EXISTS events_by_device ON events(device, t_ms);
        """;
}

/// <summary>A device as registered in the journal's devices table.</summary>
public sealed record JournalDevice(
    int Id,
    string Name,
    string Hardware,
    string Revision,
    string Network,
    string Connectivity,
    string Site,
    string TimeZone,
    string Version);

/// <summary>A release as registered in the journal's releases table.</summary>
public sealed record JournalRelease(
    string Id,
    string Version,
    int SecurityVersion,
    string Digest,
    long Size,
    string PreviousVersion);
