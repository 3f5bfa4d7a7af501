namespace FleetOta.Journal;

/// <summary>An in-memory copy of everything a <see cref="SqliteJournalWriter"/> has written, so that a run can be
/// judged while it is still going. Entries are kept in fixed-size chunks, so growing never copies the entries
/// already held, and a snapshot stays valid while more entries arrive.</summary>
internal sealed class RetainedJournal
{
    private const int ChunkBits = 16;
    private const int ChunkSize = 1 << ChunkBits;

    private readonly List<JournalEntry[]> _chunks = [];
    private readonly Dictionary<string, string> _run = new(StringComparer.Ordinal);
    private readonly SortedDictionary<int, JournalDevice> _devices = [];
    private readonly SortedDictionary<string, JournalRelease> _releases = new(StringComparer.Ordinal);
    private int _count;

    public void SetRunValue(string key, string value) => _run[key] = value;

    public void AddDevice(JournalDevice device) => _devices[device.Id] = device;

    public void AddRelease(JournalRelease release) => _releases[release.Id] = release;

    public void Append(in JournalEntry entry)
    {
        if (_count == int.MaxValue)
        {
            throw new InvalidOperationException("The in-memory copy of the journal is full; run without live verdicts.");
        }

        if ((_count & (ChunkSize - 1)) == 0)
        {
            _chunks.Add(new JournalEntry[ChunkSize]);
        }

        _chunks[^1][_count & (ChunkSize - 1)] = entry;
        _count++;
    }

    /// <summary>Returns the journal as written so far. The snapshot copies the run values, devices, releases and the
    /// list of chunks, so later appends do not change it.</summary>
    public JournalData Snapshot() => new()
    {
        Run = new Dictionary<string, string>(_run, StringComparer.Ordinal),
        Devices = _devices.Values.ToArray(),
        Releases = _releases.Values.ToArray(),
        Entries = new EntryPrefix(_chunks.ToArray(), _count),
    };

    /// <summary>The first <c>count</c> entries of the chunks, read in place.</summary>
    private sealed class EntryPrefix(JournalEntry[][] chunks, int count) : IReadOnlyList<JournalEntry>
    {
        public int Count => count;

        public JournalEntry this[int index]
        {
            get
            {
                ArgumentOutOfRangeException.ThrowIfNegative(index);
                ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, count);
                return chunks[index >> ChunkBits][index & (ChunkSize - 1)];
            }
        }

        public IEnumerator<JournalEntry> GetEnumerator()
        {
            for (var i = 0; i < count; i++)
            {
                yield return chunks[i >> ChunkBits][i & (ChunkSize - 1)];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
