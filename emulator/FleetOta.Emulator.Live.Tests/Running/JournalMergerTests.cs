using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;

namespace FleetOta.Emulator.Live.Tests.Running;

public sealed class JournalMergerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-merge-" + Path.GetRandomFileName());

    public JournalMergerTests() => Directory.CreateDirectory(_folder);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Merge_ServerAndShards_OrdersByTimeShardAndSequence()
    {
        var server = Write("server.sqlite", (100, "server-a"), (250, "server-b"));
        var shard1 = Write("shard-1.sqlite", (100, "shard1-a"), (100, "shard1-b"), (300, "shard1-c"));
        var shard2 = Write("shard-2.sqlite", (50, "shard2-a"), (250, "shard2-b"));
        var output = Path.Combine(_folder, "journal.sqlite");

        var count = JournalMerger.Merge(output, new Dictionary<string, string> { ["host"] = "live" }, [Device(0)], Release(),
            [new JournalEntry(0, JournalKind.FaultInjected, Detail: "plan")],
            [new JournalPart(server, 0, OffsetMs: 0), new JournalPart(shard1, 1), new JournalPart(shard2, 2)]);

        var merged = JournalReader.Read(output);
        count.Should().Be(8);
        merged.Entries.Select(e => e.Detail).Should().Equal(
            "plan", "shard2-a", "server-a", "shard1-a", "shard1-b", "server-b", "shard2-b", "shard1-c");
        merged.RunValue("host").Should().Be("live");
        merged.Devices.Should().ContainSingle();
    }

    [Fact]
    public void Merge_ServerStartedLate_ShiftsItsEntriesByOffset()
    {
        var server = Write("server.sqlite", (0, "server-start"));
        var shard = Write("shard-1.sqlite", (500, "device"));
        var output = Path.Combine(_folder, "journal.sqlite");

        JournalMerger.Merge(output, new Dictionary<string, string>(), [Device(0)], Release(), [],
            [new JournalPart(server, 0, OffsetMs: 1_000), new JournalPart(shard, 1)]);

        var merged = JournalReader.Read(output);
        merged.Entries.Select(e => (e.TimeMs, e.Detail)).Should().Equal((500L, "device"), (1_000L, "server-start"));
    }

    private string Write(string name, params (long TimeMs, string Detail)[] entries)
    {
        var path = Path.Combine(_folder, name);
        using var writer = new SqliteJournalWriter(path);
        foreach (var (time, detail) in entries)
        {
            writer.Append(new JournalEntry(time, JournalKind.MessageSent, 0, Detail: detail));
        }

        return path;
    }

    private static JournalDevice Device(int id) => new(id, $"dev-{id:D7}", "gw-300", "A", "ethernet", "always-on", "site", "UTC", "1.0.0");

    private static JournalRelease Release() => new("r2", "2.0.0", 2, new string('0', 64), 1024, "1.0.0");
}
