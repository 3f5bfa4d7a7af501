using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Live.Running;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Scenarios.Oracles;
using Xunit.Abstractions;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>The simulation host and the live host judged by the same oracles on the same scenario: 200 devices, the
/// same seed, and faults that both hosts inject the same way (torn slot writes, corrupted transfers).</summary>
[Collection(LiveCollection.Name)]
public sealed class HostParityTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-parity-" + Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task Verdicts_SameScenarioOnBothHosts_Agree()
    {
        var spec = LiveScenarios.Small(200, seed: 23, durationAfterReleaseMs: 30 * 60_000,
            new FaultSpec(FaultKind.PowerCut, new FaultTarget(Share: 0.05), Step: PowerCutStep.WriteSlot, DurationMs: 30_000),
            new FaultSpec(FaultKind.CorruptInTransit, new FaultTarget(Share: 0.05)));
        Directory.CreateDirectory(_folder);

        var simulationJournal = Path.Combine(_folder, "simulation.sqlite");
        using (var writer = new SqliteJournalWriter(simulationJournal))
        {
            new Simulator(spec, FleetGenerator.Generate(spec.Fleet, spec.Seed), writer).Run();
        }

        using var loggers = LiveScenarios.Loggers();
        var live = await LiveRunner.RunAsync(new LiveRunOptions { Spec = spec, OutputDirectory = Path.Combine(_folder, "live"), TimeFactor = 60 }, loggers);

        var simulated = Verdicts(simulationJournal);
        var measured = Verdicts(live.JournalPath);
        foreach (var (criterion, verdict) in simulated)
        {
            output.WriteLine($"{criterion}: simulation {verdict}, live {measured.GetValueOrDefault(criterion)}");
        }

        measured.Should().Equal(simulated);
    }

    private static Dictionary<string, Verdict> Verdicts(string journal) =>
        GateEvaluation.Evaluate(JournalReader.Read(journal), LiveScenarios.Criteria).Results
            .ToDictionary(result => $"{result.Id} {result.Scope}", result => result.Verdict);
}
