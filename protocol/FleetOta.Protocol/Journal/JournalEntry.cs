namespace FleetOta.Journal;

/// <summary>One journal entry. Columns not used by a kind stay null (or 0 for <see cref="Value"/>).</summary>
/// <param name="TimeMs">Virtual time in milliseconds since the run started.</param>
/// <param name="Device">Device number, or -1 for entries about no single device.</param>
/// <param name="Release">Release id the entry concerns.</param>
/// <param name="Version">A software version: the running one, the one written, or the one committed.</param>
/// <param name="Status">A short state word: message type, update status, slot name, fault kind.</param>
/// <param name="Detail">Free text: a reason, a message payload summary, an action name.</param>
/// <param name="Value">A number whose meaning depends on the kind: wave index, bytes, sequence number.</param>
/// <param name="Actor">Who acted: "device", "server", "emulator", "automatic", "operator".</param>
public readonly record struct JournalEntry(
    long TimeMs,
    JournalKind Kind,
    int Device = -1,
    string? Release = null,
    string? Version = null,
    string? Status = null,
    string? Detail = null,
    long Value = 0,
    string? Actor = null)
{
    /// <summary>Sequence number assigned by the writer; orders entries with equal times.</summary>
    public long Sequence { get; init; }
}

/// <summary>Receives journal entries. Hosts write them in time order.</summary>
public interface IJournalSink
{
    void Append(in JournalEntry entry);
}

/// <summary>Collects journal entries in memory; used by tests and by replay.</summary>
public sealed class MemoryJournal : IJournalSink
{
    public List<JournalEntry> Entries { get; } = [];

    public void Append(in JournalEntry entry) => Entries.Add(entry with { Sequence = Entries.Count + 1 });
}
