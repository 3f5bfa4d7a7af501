using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Live.Running;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;
using FleetOta.Scenarios.Running;
using FleetOta.Server.Host;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Console;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary><c>fleetota run --mode live</c>: runs each scenario with the reference server in this process, the fleet
/// split into shard processes (<c>fleetota emulator --shard I/N</c>), real sockets on 127.0.0.1 and time compressed by
/// a factor, then judges the merged journal with the same oracles and writes the same reports as simulation mode.</summary>
internal static class LiveMode
{
    private static readonly Option<double> TimeFactor = new("--time-factor")
    {
        Description = "Live mode: virtual seconds per real second; 60 runs one virtual hour per real minute. Default: 60.",
        DefaultValueFactory = _ => 60,
    };

    private static readonly Option<int> Shards = new("--shards")
    {
        Description = "Live mode: number of shard processes the fleet is split into. Default: 1.",
        DefaultValueFactory = _ => 1,
    };

    private static readonly Option<string> Broker = new("--broker")
    {
        Description = "Live mode: 'embedded' for the server's MQTTnet broker, or the URL of a running broker such as mqtt://127.0.0.1:1883. Default: embedded.",
        DefaultValueFactory = _ => "embedded",
    };

    private static readonly Option<bool> KeepDevices = new("--keep-devices")
    {
        Description = "Live mode: keep each device's folder (slot images, boot environments, agent state) under " +
                      "OUT/<release>/<scenario>/devices after the run. Default: deleted once the journals are merged.",
    };

    /// <summary>Adds the live-mode options to the run command.</summary>
    public static void AddOptions(Command run)
    {
        run.Options.Add(TimeFactor);
        run.Options.Add(Shards);
        run.Options.Add(Broker);
        run.Options.Add(KeepDevices);
    }

    /// <summary>Prints every setting of the scenarios that live mode cannot run, one line each, and returns true when
    /// there is none.</summary>
    internal static bool CheckSupported(IReadOnlyList<Scenario> scenarios, RunSettings settings, TextWriter error)
    {
        var problems = scenarios.SelectMany(scenario => LiveSupport.Problems(ScenarioRunner.Resolve(scenario, settings))
            .Select(problem => $"scenario {scenario.Name}: {problem}")).ToList();
        foreach (var problem in problems)
        {
            error.WriteLine("error: " + problem);
        }

        return problems.Count == 0;
    }

    public static int Execute(ParseResult result)
    {
        var run = result.CommandResult.Command;
        var file = result.GetValue((Argument<string>)run.Arguments.Single(argument => argument.Name == "file"))!;
        var names = result.GetValue<string[]>("--scenario") ?? [];
        var error = result.InvocationConfiguration.Error;
        var output = result.InvocationConfiguration.Output;
        var outputFolder = result.GetValue<string>("--out")!;
        var format = result.GetValue<string>("--format")!;
        if (result.GetValue(Shards) < 1 || !(result.GetValue(TimeFactor) > 0))
        {
            error.WriteLine($"error: --shards must be at least 1 and --time-factor above 0, but they are {result.GetValue(Shards)} and {result.GetValue(TimeFactor)}.");
            return ExitCodes.Usage;
        }

        try
        {
            new ServerHostOptions { Broker = result.GetValue(Broker)!, TimeFactor = result.GetValue(TimeFactor) }.Validate();
        }
        catch (ArgumentException invalid)
        {
            error.WriteLine($"error: --broker or --time-factor is invalid: {invalid.Message}");
            return ExitCodes.Usage;
        }

        if (!ScenarioSelection.TryLoad(file, names, error, out var scenarios))
        {
            return ExitCodes.Usage;
        }

        var settings = new RunSettings(outputFolder, result.GetValue<long?>("--seed"), result.GetValue<int?>("--devices"), GitCommit.Read(), "",
            TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        // Unsupported settings are reported before the output folder is created, so a rejected run leaves nothing behind.
        if (!CheckSupported(scenarios, settings, error) || !OutputFolder.TryPrepare(outputFolder, error))
        {
            return ExitCodes.Usage;
        }

        // Logs go to standard error, so that standard output carries only the summary (with --format json, only the
        // JSON document). ASP.NET Core logs every request at Information, which for a fleet is every download.
        using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        // With json or markdown, standard output carries only that document; progress goes to standard error.
        var console = format == "text" ? RunCommand.ConsoleFor(output) : RunCommand.ConsoleFor(error);
        using var interrupt = new CancellationTokenSource();
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, context => Interrupt(context, interrupt));
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => Interrupt(context, interrupt));

        var results = new List<ScenarioRunResult>();
        foreach (var scenario in scenarios)
        {
            try
            {
                results.Add(RunScenario(scenario, settings, file, result, console, loggers, interrupt.Token));
            }
            catch (LiveRunInterruptedException interrupted)
            {
                console.MarkupLineInterpolated(
                    $"[red]Interrupted[/]: scenario {scenario.Name} stopped at virtual time {Hours(interrupted.VirtualMs)} of {Hours(interrupted.EndMs)}; the shards and the server were stopped.");
                console.MarkupLineInterpolated($"No verdict: the reports of {scenario.Name} were not written, and index.html and junit.xml were not updated.");
                return ExitCodes.RunFailed;
            }
            catch (LiveRunFailedException failed)
            {
                error.WriteLine($"error: scenario {scenario.Name} did not complete at virtual time {Hours(failed.VirtualMs)}: {failed.Message}");
                error.WriteLine($"No verdict: the reports of {scenario.Name} were not written, and index.html and junit.xml were not updated.");
                return ExitCodes.RunFailed;
            }
            catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
            {
                error.WriteLine($"error: cannot write the run's files under '{outputFolder}': {failure.Message} Give a writable folder with --out.");
                return ExitCodes.Usage;
            }
        }

        var reports = results.Select(scenarioResult => scenarioResult.Report).ToList();
        VerdictOutput.WriteDocument(output, format, results);
        console.MarkupLineInterpolated($"Reports: {ReportWriter.WriteIndex(outputFolder, reports)}");
        console.MarkupLineInterpolated($"JUnit:   {ReportWriter.WriteJUnitAll(outputFolder, reports)}");
        var failedNames = results.Where(scenarioResult => !scenarioResult.Passed).Select(scenarioResult => scenarioResult.Scenario.Name).ToList();
        if (failedNames.Count > 0)
        {
            console.MarkupLineInterpolated(
                $"[red]Gate failed[/]: {failedNames.Count} of {results.Count} scenarios did not meet their expectations: {string.Join(", ", failedNames)}.");
            return ExitCodes.GateFailed;
        }

        var passed = results.Count == 1 ? "the scenario met its expectations" : $"all {results.Count} scenarios met their expectations";
        console.MarkupLineInterpolated($"[green]Gate passed[/]: {passed}.");
        return ExitCodes.Passed;
    }

    /// <summary>Stops the run on the first SIGINT or SIGTERM instead of ending the process, so that the shards and the
    /// server stop cleanly and the run exits with <see cref="ExitCodes.RunFailed"/>.</summary>
    private static void Interrupt(PosixSignalContext context, CancellationTokenSource interrupt)
    {
        context.Cancel = true;
        interrupt.Cancel();
    }

    private static string Hours(long virtualMs) => (virtualMs / 3_600_000.0).ToString("0.00 h", CultureInfo.InvariantCulture);

    private static ScenarioRunResult RunScenario(
        Scenario scenario, RunSettings settings, string file, ParseResult result, IAnsiConsole console, ILoggerFactory loggers, CancellationToken token)
    {
        var spec = ScenarioRunner.Resolve(scenario, settings);
        var folder = Path.GetFullPath(Path.Combine(settings.OutputDirectory, ReportWriter.FolderName(spec.Release.Id), ReportWriter.FolderName(scenario.Name)));
        var factor = result.GetValue(TimeFactor);
        var shards = result.GetValue(Shards);
        var broker = result.GetValue(Broker)!;
        var command = string.Create(CultureInfo.InvariantCulture,
            $"fleetota run {file} --mode live --scenario {scenario.Name} --seed {spec.Seed} --devices {spec.Fleet.Devices} --time-factor {factor} --shards {shards} --broker {broker}");
        console.MarkupLineInterpolated(
            $"[bold]{scenario.Name}[/]: release {spec.Release.Id} ({spec.Release.Version}) on {spec.Fleet.Devices} devices, seed {spec.Seed}; live, {shards} shards, time factor {factor}, broker {broker}");
        // Reports of an earlier run must not outlive a run of the same scenario that stops without a verdict.
        if (Directory.Exists(folder))
        {
            foreach (var report in new[] { ReportWriter.HtmlFile, ReportWriter.JsonFile, ReportWriter.JUnitFile, ReportWriter.MarkdownFile })
            {
                File.Delete(Path.Combine(folder, report));
            }
        }

        var clock = Stopwatch.StartNew();
        var options = new LiveRunOptions
        {
            Spec = spec,
            OutputDirectory = folder,
            TimeFactor = factor,
            Shards = shards,
            Broker = broker,
            KeepDevices = result.GetValue(KeepDevices),
            Launcher = new ProcessShardLauncher(shard => ShardProcess(shard, file, scenario.Name)),
            Progress = progress => console.WriteLine(Describe(progress)),
        };
        var run = LiveRunner.RunAsync(options, loggers, token).GetAwaiter().GetResult();
        var journal = JournalReader.Read(run.JournalPath);
        var evaluation = GateEvaluation.Evaluate(journal, scenario.Criteria);
        var built = ScenarioRunner.BuildReport(scenario, spec, settings with { Command = command }, evaluation, clock.ElapsedMilliseconds, run.JournalPath, "live");
        var written = ReportWriter.WriteScenario(settings.OutputDirectory, built, result.InvocationConfiguration.Error);
        var updated = journal.Entries.Where(entry => entry.Kind == JournalKind.Committed && entry.Version == spec.Release.Version)
            .Select(entry => entry.Device).Distinct().Count();
        var simulation = new SimulationResult(0, run.JournalEntries, updated, run.Devices, run.EndMs);
        var scenarioResult = new ScenarioRunResult(scenario, built, written, run.JournalPath, ScenarioOutcome.Passed(built), simulation);
        VerdictOutput.Write(console, result.GetValue<string>("--format")!, scenarioResult, clock.Elapsed);
        return scenarioResult;
    }

    /// <summary>Returns one progress line, such as "virtual time 12.0 h of 48.0 h, 150 of 200 devices updated, rollout
    /// running".</summary>
    internal static string Describe(LiveProgress progress)
    {
        var time = $"virtual time {progress.VirtualMs / 3_600_000.0:0.0} h of {progress.EndMs / 3_600_000.0:0.0} h";
        if (progress.DevicesUpdated is not { } updated)
        {
            return $"{time}, devices updated and rollout phase unknown (the server did not respond)";
        }

        var phase = progress.Phase is { } name ? $"rollout {name.ToLowerInvariant()}" : "rollout not started";
        return $"{time}, {updated} of {progress.Devices} devices updated, {phase}";
    }

    /// <summary>Returns the command line of one shard process: this same program with the emulator command. Under a
    /// host other than the fleetota executable (dotnet, a test host), the shard runs as <c>dotnet fleetota.dll</c>.</summary>
    internal static ProcessStartInfo ShardProcess(DeviceHostOptions shard, string file, string scenario)
    {
        var program = Environment.ProcessPath;
        if (program is not null && Path.GetFileNameWithoutExtension(program) == "fleetota")
        {
            return ShardCommandLine.StartInfo(shard, program, null, file, scenario);
        }

        var dotnet = program is not null && Path.GetFileNameWithoutExtension(program) == "dotnet" ? program : "dotnet";
        return ShardCommandLine.StartInfo(shard, dotnet, typeof(LiveMode).Assembly.Location, file, scenario);
    }
}
