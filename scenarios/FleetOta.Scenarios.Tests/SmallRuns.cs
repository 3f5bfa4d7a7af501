using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;
using FleetOta.Scenarios.Running;

namespace FleetOta.Scenarios.Tests;

/// <summary>Runs small scenarios (a few hundred devices) in the real simulation host with a real SQLite journal,
/// and judges them with the real oracles.</summary>
internal static class SmallRuns
{
    /// <summary>A scenario file header with one release and a 300-device fleet; scenarios are appended.</summary>
    public const string Header = """
        defaults:
          seed: 11
          fleet: { devices: 300, initial-version: 1.0.0 }
        releases:
          r2: { version: 2.0.0, security-version: 1, image-size: 16MiB }
        scenarios:
        """;

    public static Scenario Load(string scenarioYaml) =>
        ScenarioLoader.Parse(Header + "\n" + scenarioYaml, "test.yaml").Scenarios.Single();

    /// <summary>Simulates the scenario into a journal file under <paramref name="folder"/> and evaluates it.</summary>
    public static (GateEvaluation Evaluation, JournalData Journal, string JournalFile) Run(Scenario scenario, string folder)
    {
        var file = Path.Combine(folder, scenario.Name + ".sqlite");
        var spec = scenario.Simulation;
        using (var journal = new SqliteJournalWriter(file))
        {
            RunMetadata.Write(journal, spec);
            new Simulator(spec, FleetGenerator.Generate(spec.Fleet, spec.Seed), journal).Run();
        }

        var data = JournalReader.Read(file);
        return (GateEvaluation.Evaluate(data, scenario.Criteria), data, file);
    }

    public static CriterionResult Release(this GateEvaluation evaluation, string id) =>
        evaluation.Results.Single(result => result.Id == id && result.Scope == "release");
}

/// <summary>A temporary folder deleted after the test.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "fleetota-scenarios-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A file still open on a slow file system: the temp folder is cleaned later.
        }
    }
}
