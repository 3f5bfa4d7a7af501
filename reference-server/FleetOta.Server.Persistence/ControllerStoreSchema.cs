using Microsoft.Data.Sqlite;

namespace FleetOta.Server.Persistence;

/// <summary>Tables of the controller store and the mapping of a device row.</summary>
internal static class ControllerStoreSchema
{
    public const string CreateTables = """
        CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS devices (
            id INTEGER PRIMARY KEY, name TEXT NOT NULL, hardware_model TEXT NOT NULL, hardware_revision TEXT NOT NULL,
            running_version TEXT NOT NULL, last_seen_ms INTEGER NOT NULL, last_sequence INTEGER NOT NULL, state TEXT NOT NULL,
            wave INTEGER NOT NULL, attempts INTEGER NOT NULL, last_offer_ms INTEGER NOT NULL, activated_ms INTEGER NOT NULL,
            state_since_ms INTEGER NOT NULL, deadline_ms INTEGER NOT NULL, waiting_since_ms INTEGER NOT NULL,
            holds_download_slot INTEGER NOT NULL, recovery_pending INTEGER NOT NULL, recovery_actions INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS faults (seq INTEGER PRIMARY KEY AUTOINCREMENT, time_ms INTEGER NOT NULL, device INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, payload TEXT NOT NULL,
            done INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX IF NOT EXISTS outbox_pending ON outbox(done, id);
        CREATE TABLE IF NOT EXISTS releases (release_id TEXT PRIMARY KEY, added INTEGER NOT NULL, payload TEXT NOT NULL);
        """;

    public static readonly string[] DeviceColumns =
    [
        "id", "name", "hardware_model", "hardware_revision", "running_version", "last_seen_ms", "last_sequence", "state", "wave", "attempts",
        "last_offer_ms", "activated_ms", "state_since_ms", "deadline_ms", "waiting_since_ms", "holds_download_slot", "recovery_pending",
        "recovery_actions",
    ];

    public static readonly string UpsertDevice =
        $"INSERT OR REPLACE INTO devices({string.Join(", ", DeviceColumns)}) VALUES ({string.Join(", ", DeviceColumns.Select(column => "$" + column))})";

    public static object[] DeviceValues(DeviceSnapshot device) =>
    [
        device.Device, device.Name, device.HardwareModel, device.HardwareRevision, device.RunningVersion, device.LastSeenMs, device.LastSequence,
        device.State.ToWire(), device.Wave, device.Attempts, device.LastOfferMs, device.ActivatedMs, device.StateSinceMs, device.DeadlineMs,
        device.WaitingSinceMs, device.HoldsDownloadSlot ? 1 : 0, device.RecoveryPending ? 1 : 0, device.RecoveryActions,
    ];

    public static DeviceSnapshot ReadDevice(SqliteDataReader reader) => new(
        reader.GetInt32(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4), reader.GetInt64(5),
        reader.GetInt32(6), ParseState(reader.GetString(7)), reader.GetInt32(8), reader.GetInt32(9), reader.GetInt64(10), reader.GetInt64(11),
        reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15) != 0, reader.GetInt64(16) != 0, reader.GetInt32(17));

    private static ActionState ParseState(string wire)
    {
        foreach (var state in Enum.GetValues<ActionState>())
        {
            if (state.ToWire() == wire)
            {
                return state;
            }
        }

        throw new InvalidDataException($"The controller store holds unknown action state '{wire}'; it was written by a newer version.");
    }
}
