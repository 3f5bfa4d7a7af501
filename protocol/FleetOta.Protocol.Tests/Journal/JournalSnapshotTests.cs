using FleetOta.Journal;

namespace FleetOta.Protocol.Tests.Journal;

/// <summary>Checks the in-memory copy a journal writer keeps for judging a run while it is going, against the
/// real SQLite file the same writer produces.</summary>
public sealed class JournalSnapshotTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-journal-" + Guid.NewGuid().ToString("N"));

    public JournalSnapshotTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>Appends more entries than one in-memory chunk (65,536) and one write batch hold, with repeated times.</summary>
    private static IEnumerable<JournalEntry> Entries(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return new JournalEntry(i / 3, (JournalKind)(i % 5), Device: i % 7 - 1, Release: i % 2 == 0 ? "r2" : null,
                Version: "2.0.0", Status: i % 11 == 0 ? "fault" : null, Detail: $"entry {i}", Value: i * 10L, Actor: "emulator");
        }
    }

    private string WriteFile(int count, bool retain, out JournalData snapshot)
    {
        var file = Path.Combine(_folder, $"journal-{count}.sqlite");
        using var writer = new SqliteJournalWriter(file, retainInMemory: retain);
        writer.SetRunValue("scenario", "snapshot-test");
        writer.AddDevices(Enumerable.Range(0, 6).Reverse().Select(id =>
            new JournalDevice(id, $"dev-{id}", "gw", "B", "wired", "always-on", "site", "UTC", "1.0.0")));
        writer.AddRelease(new JournalRelease("r2", "2.0.0", 1, "abc", 1024, "1.0.0"));
        foreach (var entry in Entries(count))
        {
            writer.Append(entry);
        }

        snapshot = retain ? writer.Snapshot() : null!;
        return file;
    }

    [Fact]
    public void Snapshot_MatchesFileContent()
    {
        var file = WriteFile(150_000, retain: true, out var snapshot);

        var read = JournalReader.Read(file);

        snapshot.Entries.Should().HaveCount(150_000);
        snapshot.Entries.Should().Equal(read.Entries);
        snapshot.Entries[149_999].Should().Be(read.Entries[149_999]);
        snapshot.Run.Should().Equal(read.Run);
        snapshot.Devices.Should().Equal(read.Devices);
        snapshot.Releases.Should().Equal(read.Releases);
    }

    [Fact]
    public void Snapshot_UnchangedByLaterAppends()
    {
        var file = Path.Combine(_folder, "growing.sqlite");
        using var writer = new SqliteJournalWriter(file, retainInMemory: true);
        foreach (var entry in Entries(70_000))
        {
            writer.Append(entry);
        }

        var before = writer.Snapshot();
        writer.Append(new JournalEntry(1_000_000, JournalKind.Boot, 1));
        writer.SetRunValue("end_ms", "1000000");

        before.Entries.Should().HaveCount(70_000);
        before.Entries.Last().Sequence.Should().Be(70_000);
        before.Run.Should().NotContainKey("end_ms");
        writer.Snapshot().Entries.Should().HaveCount(70_001);
        var outOfRange = () => before.Entries[70_000];
        outOfRange.Should().Throw<ArgumentOutOfRangeException>();
    }

    [Fact]
    public void Snapshot_WithoutRetention_Throws()
    {
        var file = Path.Combine(_folder, "plain.sqlite");
        using var writer = new SqliteJournalWriter(file);

        var snapshot = () => writer.Snapshot();

        snapshot.Should().Throw<InvalidOperationException>().WithMessage("*keeps no copy in memory*retainInMemory*");
    }
}
