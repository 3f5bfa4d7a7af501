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
}
