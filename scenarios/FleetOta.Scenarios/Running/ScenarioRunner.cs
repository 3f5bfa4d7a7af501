using System.Diagnostics;
using System.Globalization;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;

namespace FleetOta.Scenarios.Running;

/// <summary>Settings of one run that are not part of the scenario file.</summary>
/// <param name="OutputDirectory">Run folder; each scenario writes to OutputDirectory/&lt;release&gt;/&lt;scenario&gt;/.</param>
/// <param name="Seed">Overrides the scenario's seed when set.</param>
/// <param name="Devices">Overrides the scenario's fleet size when set; fault counts stay as written.</param>
/// <param name="Commit">Commit of the harness, printed in the report.</param>
/// <param name="Command">Command that reproduces the run, printed in the report.</param>
/// <param name="GeneratedAt">Report timestamp (ISO 8601); supplied by the caller so that nothing here reads the clock.</param>
public sealed record RunSettings(
    string OutputDirectory,
    long? Seed = null,
    int? Devices = null,
    string Commit = "unknown",
    string Command = "",
    string GeneratedAt = "");

/// <summary>The outcome of one scenario.</summary>
public sealed record ScenarioRunResult(Scenario Scenario, ScenarioReport Report, string Folder, string JournalFile, bool Passed, SimulationResult Simulation);

/// <summary>Runs scenarios in the simulation host: generates the fleet, simulates, writes the journal next to the
/// report, judges the five criteria from the journal alone, and writes the report files.</summary>
public static class ScenarioRunner
{
    public const string JournalFileName = "journal.sqlite";

    public static SimulationSpec Resolve(Scenario scenario, RunSettings settings)
    {
        var spec = scenario.Simulation;
        if (settings.Seed is { } seed)
        {
            spec = spec with { Seed = seed };
        }

        if (settings.Devices is { } devices)
        {
            spec = spec with { Fleet = spec.Fleet with { Devices = devices } };
        }

        return spec;
    }

    /// <summary>Runs one scenario and writes its journal and report files.</summary>
    /// <param name="progress">Called on the simulation thread every few hundred thousand events and at the end. While
    /// a progress callback is given, the journal is also kept in memory so that the callback can judge the run so far.</param>
    public static ScenarioRunResult Run(Scenario scenario, RunSettings settings, Action<ScenarioProgress>? progress = null, TextWriter? warnings = null)
    {
        var spec = Resolve(scenario, settings);
        var folder = Path.Combine(settings.OutputDirectory, ReportWriter.FolderName(spec.Release.Id), ReportWriter.FolderName(scenario.Name));
        Directory.CreateDirectory(folder);
        var journalFile = Path.Combine(folder, JournalFileName);

        var clock = Stopwatch.StartNew();
        SimulationResult simulation;
        using (var journal = new SqliteJournalWriter(journalFile, retainInMemory: progress is not null))
        {
            RunMetadata.Write(journal, spec);
            var fleet = FleetGenerator.Generate(spec.Fleet, spec.Seed);
            Action<SimulationProgress>? onStep = progress is null
                ? null
                : step => progress(new ScenarioProgress(
                    step, journal.Count, () => ScenarioProgress.Judge(journal, step.VirtualTimeMs, scenario.Criteria)));
            simulation = new Simulator(spec, fleet, journal).Run(onStep);
        }

        // The verdicts come from the file as written, never from the in-memory copy used for progress.
        var data = JournalReader.Read(journalFile);
        var evaluation = GateEvaluation.Evaluate(data, scenario.Criteria);
        var report = BuildReport(scenario, spec, settings, evaluation, clock.ElapsedMilliseconds, journalFile, "simulation");
        var written = ReportWriter.WriteScenario(settings.OutputDirectory, report, warnings);
        return new ScenarioRunResult(scenario, report, written, journalFile, ScenarioOutcome.Passed(report), simulation);
    }

    public static ScenarioReport BuildReport(
        Scenario scenario, SimulationSpec spec, RunSettings settings, GateEvaluation evaluation, long wallMs, string journalFile, string host)
    {
        var criteria = scenario.Criteria;
        var run = new RunInfo(scenario.Name, scenario.Description, spec.Release.Id, spec.Release.Version, spec.Fleet.InitialVersion,
            spec.Seed, settings.Commit, settings.Command.Length > 0 ? settings.Command : ReproduceCommand(scenario, spec), host,
            spec.Fleet.Devices, wallMs, settings.GeneratedAt);
        var thresholds = new Thresholds(criteria.Reach, criteria.ReachWindowMs / 3_600_000.0, criteria.Success, criteria.Rollback,
            criteria.RollbackWithinMs / 1000.0, criteria.RollbackMinimumDevices, criteria.Recovery, criteria.RecoveryWithinMs / 3_600_000.0,
            criteria.FaultRateLimit, criteria.FaultWindowMs / 60_000.0, criteria.PauseWithinMs / 60_000.0, criteria.AlertWithinMs / 60_000.0);
        return new ScenarioReport(run, thresholds, evaluation.Results, scenario.Expected, evaluation.Waves, evaluation.Series,
            evaluation.Marks, Path.GetFileName(journalFile));
    }

    private static string ReproduceCommand(Scenario scenario, SimulationSpec spec) =>
        string.Create(CultureInfo.InvariantCulture,
            $"fleetota run --scenario {scenario.Name} --seed {spec.Seed} --devices {spec.Fleet.Devices}");
}
