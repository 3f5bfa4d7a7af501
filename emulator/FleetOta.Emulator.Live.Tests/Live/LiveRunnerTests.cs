using System.Diagnostics;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using FleetOta.Scenarios.Oracles;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Tests.Live;

[Collection(LiveCollection.Name)]
public sealed class LiveRunnerTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-live-" + Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task RunAsync_SmallFleetOnEmbeddedBroker_CommitsEveryDevice()
    {
        var spec = LiveScenarios.Small(20);
        using var loggers = LiveScenarios.Loggers();

        var result = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 240 }, loggers);

        var journal = JournalReader.Read(result.JournalPath);
        var committed = journal.Entries.Where(e => e.Kind == JournalKind.Committed && e.Version == "2.0.0").Select(e => e.Device).Distinct().Count();
        committed.Should().Be(20, "every device of a fault-free run commits the release");
        journal.Entries.Should().Contain(e => e.Kind == JournalKind.DeploymentStarted, "the server journal is merged in");
        journal.Entries.Should().Contain(e => e.Kind == JournalKind.MessageDelivered && e.Actor == "server");
        journal.Entries.Should().BeInAscendingOrder(e => e.TimeMs);
        var evaluation = GateEvaluation.Evaluate(journal, LiveScenarios.Criteria);
        evaluation.Results.Should().OnlyContain(r => Enum.IsDefined(r.Verdict));
    }

    [Fact]
    public async Task RunAsync_TornSingleCopyEnvironment_BootsTrialOfSlotA()
    {
        var spec = LiveScenarios.Small(20, seed: 7,
            new FaultSpec(FaultKind.PowerCut, new FaultTarget(Count: 4), Step: PowerCutStep.BootEnvironment, DurationMs: 30_000));
        spec = spec with { Fleet = spec.Fleet with { RedundantBootEnvironment = false } };
        using var loggers = LiveScenarios.Loggers();

        var result = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 120 }, loggers);

        var journal = JournalReader.Read(result.JournalPath);
        var replaced = journal.Entries
            .Where(e => e.Kind == JournalKind.BootEnvironmentWritten && e.Detail == "bootloader, replacing a corrupt environment").ToList();
        replaced.Should().HaveCount(4, "each of the four power cuts tears the single copy of the environment");
        replaced.Should().OnlyContain(e => e.Status == "active=A trial=1 count=1");
        foreach (var device in replaced.Select(e => e.Device))
        {
            journal.Entries.Should().Contain(e => e.Kind == JournalKind.Committed && e.Version == "2.0.0" && e.Device == device,
                $"device {device} re-arms its trial after the bootloader replaced the environment");
        }
    }

    [Fact]
    public async Task RunAsync_Cancelled_ThrowsInterruptedWithoutJournal()
    {
        var spec = LiveScenarios.Small(20, seed: 7, durationAfterReleaseMs: 10 * 3_600_000);
        using var loggers = LiveScenarios.Loggers();
        using var interrupt = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        var run = () => LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 120 }, loggers, interrupt.Token);

        var thrown = await run.Should().ThrowAsync<LiveRunInterruptedException>();
        thrown.Which.VirtualMs.Should().BeInRange(1, spec.EndMs / 2, "the run stopped about ten virtual minutes in");
        thrown.Which.EndMs.Should().Be(spec.EndMs);
        File.Exists(Path.Combine(_folder, LiveRunner.JournalFileName)).Should().BeFalse("an interrupted run merges no journal");
    }

    [Fact]
    public async Task RunAsync_ShardProcessKilled_ThrowsFailedAtOnce()
    {
        var spec = LiveScenarios.Small(20, seed: 7, durationAfterReleaseMs: 10 * 3_600_000);
        var fleetota = Path.Combine(AppContext.BaseDirectory, "fleetota.dll");
        var shardIds = new List<int>();
        var scenarioFile = Path.Combine(_folder, "unused.yaml");
        var launcher = new RecordingLauncher(
            new ProcessShardLauncher(shard => ShardCommandLine.StartInfo(shard, "dotnet", fleetota, scenarioFile, spec.Name)), shardIds);
        Directory.CreateDirectory(_folder);
        await File.WriteAllTextAsync(scenarioFile, ShardScenario);
        using var loggers = LiveScenarios.Loggers();
        var run = LiveRunner.RunAsync(
            new LiveRunOptions { Spec = spec, OutputDirectory = Path.Combine(_folder, "run"), TimeFactor = 120, Shards = 2, Launcher = launcher }, loggers);
        await Task.Delay(TimeSpan.FromSeconds(8));
        run.IsCompleted.Should().BeFalse($"the run is still going before the kill: {run.Exception?.GetBaseException().Message}");
        var clock = Stopwatch.StartNew();

        Process.GetProcessById(shardIds[0]).Kill();
        var thrown = await FluentActions.Awaiting(() => run).Should().ThrowAsync<LiveRunFailedException>();

        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(10), "the runner notices the exit at once, not at the run's end");
        thrown.Which.Message.Should().Contain("shard 1/2");
        thrown.Which.Message.Should().Contain("exited with code 137 (ended by signal 9)");
        thrown.Which.Message.Should().Contain(Path.Combine(_folder, "run", "shards", "shard-1.log"));
        thrown.Which.VirtualMs.Should().BeLessThan(spec.EndMs / 2);
        ProcessExists(shardIds[1]).Should().BeFalse("the runner stops the other shard");
        File.Exists(Path.Combine(_folder, "run", LiveRunner.JournalFileName)).Should().BeFalse();
    }

    [Fact]
    public async Task RunAsync_SecondRunIntoSameFolder_ReplacesFirst()
    {
        var spec = LiveScenarios.Small(20, seed: 7, durationAfterReleaseMs: 20 * 60_000);
        using var loggers = LiveScenarios.Loggers();

        await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 240, KeepDevices = true }, loggers);
        Directory.EnumerateDirectories(Path.Combine(_folder, LiveRunner.DevicesFolder)).Should().HaveCount(20, "KeepDevices keeps the device folders");
        var second = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = _folder, TimeFactor = 240 }, loggers);

        var journal = JournalReader.Read(second.JournalPath);
        journal.Entries.Where(e => e.Kind == JournalKind.DeploymentStarted).Should().HaveCount(1, "the second run starts with fresh server data");
        Directory.EnumerateFiles(Path.Combine(_folder, LiveRunner.ServerFolder), "journal-*.sqlite").Should().HaveCount(1);
        Directory.Exists(Path.Combine(_folder, LiveRunner.DevicesFolder)).Should().BeFalse("device folders are deleted after the merge");
    }

    /// <summary>The scenario of <see cref="LiveScenarios.Small(int, long, long, FaultSpec[])"/> as a file, for shard
    /// processes, which read their scenario from a file. The runner's spec sets the seed and fleet size.</summary>
    private static readonly string ShardScenario = LiveScenarios.ScenarioFile(7, 20, "live-test",
        "The short live test scenario, running for ten hours.", "10h",
        "{ reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: inconclusive }");

    private static bool ProcessExists(int id)
    {
        try
        {
            using var process = Process.GetProcessById(id);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>Starts shards with an inner launcher and records the process id of each: the child process of this
    /// test process that the start added.</summary>
    private sealed class RecordingLauncher(IShardLauncher inner, List<int> shardIds) : IShardLauncher
    {
        public async Task<IShardHandle> StartAsync(DeviceHostOptions options, ILoggerFactory loggers, CancellationToken token)
        {
            var before = ShardChildren();
            var handle = await inner.StartAsync(options, loggers, token);
            shardIds.Add(ShardChildren().Except(before).Single());
            return handle;
        }

        private static List<int> ShardChildren() =>
            Directory.EnumerateDirectories("/proc")
                .Select(Path.GetFileName)
                .Where(name => int.TryParse(name, out _))
                .Where(name =>
                {
                    try
                    {
                        var status = File.ReadAllLines($"/proc/{name}/status");
                        var parent = status.FirstOrDefault(line => line.StartsWith("PPid:", StringComparison.Ordinal));
                        return parent is not null && parent[5..].Trim() == Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)
                               && File.ReadAllText($"/proc/{name}/cmdline").Contains("--shard", StringComparison.Ordinal);
                    }
                    catch (IOException)
                    {
                        return false;
                    }
                })
                .Select(name => int.Parse(name!, System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
    }
}
