using FleetOta.Journal;

namespace FleetOta.Emulator.Live.Running;

/// <summary>One journal to merge: a shard's or the server's.</summary>
/// <param name="Shard">Orders entries with equal times: the server is 0, shards count from 1.</param>
/// <param name="OffsetMs">Added to every time of the journal, for a server whose clock started after the run's epoch.</param>
public sealed record JournalPart(string Path, int Shard, long OffsetMs = 0);

/// <summary>Merges the journals of one live run into one, ordered by (time, shard, sequence), so that the oracles
/// and reports read it like a simulation journal.</summary>
public static class JournalMerger
{
    /// <summary>Writes the merged journal: the run values, devices and releases given, then the entries of every
    /// part, and returns the number of entries.</summary>
    public static long Merge(
        string outputPath, IReadOnlyDictionary<string, string> run, IEnumerable<JournalDevice> devices, JournalRelease release,
        IReadOnlyList<JournalEntry> runEntries, IReadOnlyList<JournalPart> parts)
    {
        var merged = new List<(JournalEntry Entry, int Shard)>();
        merged.AddRange(runEntries.Select(entry => (entry, -1)));
        foreach (var part in parts)
        {
            var data = JournalReader.Read(part.Path);
            foreach (var entry in data.Entries)
            {
                merged.Add((entry with { TimeMs = Math.Max(entry.TimeMs + part.OffsetMs, 0) }, part.Shard));
            }
        }

        merged.Sort((left, right) =>
        {
            var byTime = left.Entry.TimeMs.CompareTo(right.Entry.TimeMs);
            if (byTime != 0)
            {
                return byTime;
            }

            var byShard = left.Shard.CompareTo(right.Shard);
            return byShard != 0 ? byShard : left.Entry.Sequence.CompareTo(right.Entry.Sequence);
        });

        using var writer = new SqliteJournalWriter(outputPath);
        foreach (var (key, value) in run.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            writer.SetRunValue(key, value);
        }

        writer.AddDevices(devices);
        writer.AddRelease(release);
        foreach (var (entry, _) in merged)
        {
            writer.Append(entry);
        }

        return writer.Count;
    }
}
