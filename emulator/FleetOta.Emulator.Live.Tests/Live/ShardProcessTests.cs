using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Running;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>The fleet split into two 'fleetota emulator --shard I/N' processes, each configured only on its command
/// line, and their journals merged with the server's.</summary>
[Collection(LiveCollection.Name)]
public sealed class ShardProcessTests : IDisposable
{
    private static readonly string ScenarioFile = LiveScenarios.ScenarioFile(5, 100, "shards",
        "A short release on a small fleet in two shard processes.", "30m",
        "{ reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: pass }");

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-shards-" + Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_TwoShardProcesses_MergesBothSlices()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "scenarios.yaml");
        await File.WriteAllTextAsync(file, ScenarioFile);
        var scenario = ScenarioLoader.Load(file).Scenarios.Single();
        var spec = ScenarioRunner.Resolve(scenario, new RunSettings(_folder));
        var fleetota = Path.Combine(AppContext.BaseDirectory, "fleetota.dll");
        var launcher = new ProcessShardLauncher(shard => ShardCommandLine.StartInfo(shard, "dotnet", fleetota, file, scenario.Name));
        using var loggers = LiveScenarios.Loggers();

        var result = await LiveRunner.RunAsync(
            new LiveRunOptions { Spec = spec, OutputDirectory = Path.Combine(_folder, "run"), TimeFactor = 60, Shards = 2, Launcher = launcher }, loggers);

        var shardJournals = Enumerable.Range(1, 2).Select(i => JournalReader.Read(Path.Combine(_folder, "run", "shards", $"shard-{i}.sqlite"))).ToList();
        shardJournals[0].RunValue("first_device").Should().Be("0");
        shardJournals[0].RunValue("end_device").Should().Be("50");
        shardJournals[1].RunValue("first_device").Should().Be("50");
        shardJournals[1].Entries.Where(e => e.Device >= 0).Should().OnlyContain(e => e.Device >= 50, "a shard journals only its own devices");
        var journal = JournalReader.Read(result.JournalPath);
        journal.Entries.Where(e => e.Kind == JournalKind.Committed && e.Version == "2.0.0").Select(e => e.Device).Distinct()
            .Should().HaveCount(100, "the merged journal has both slices, and every device committed");
    }
}
