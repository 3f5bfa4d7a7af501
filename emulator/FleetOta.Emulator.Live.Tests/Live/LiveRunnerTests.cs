using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using FleetOta.Scenarios.Oracles;

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
}
