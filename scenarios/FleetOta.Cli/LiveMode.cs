using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Live.Running;
using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;
using FleetOta.Scenarios.Running;
using Microsoft.Extensions.Logging;

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

    /// <summary>Adds the live-mode options to the run command.</summary>
    public static void AddOptions(Command run)
    {
        run.Options.Add(TimeFactor);
        run.Options.Add(Shards);
        run.Options.Add(Broker);
    }

    public static int Execute(ParseResult result)
    {
        var run = result.CommandResult.Command;
        var file = result.GetValue((Argument<string>)run.Arguments.Single(argument => argument.Name == "file"))!;
        var names = result.GetValue<string[]>("--scenario") ?? [];
        var error = result.InvocationConfiguration.Error;
        var output = result.InvocationConfiguration.Output;
        var outputFolder = result.GetValue<string>("--out")!;
        if (result.GetValue<int?>("--devices") is <= 0)
        {
            error.WriteLine($"error: --devices must be at least 1, but is {result.GetValue<int?>("--devices")}.");
            return ExitCodes.Usage;
        }

        if (result.GetValue(Shards) < 1 || !(result.GetValue(TimeFactor) > 0))
        {
            error.WriteLine($"error: --shards must be at least 1 and --time-factor above 0, but they are {result.GetValue(Shards)} and {result.GetValue(TimeFactor)}.");
            return ExitCodes.Usage;
        }

        if (!ScenarioSelection.TryLoad(file, names, error, out var scenarios) || !OutputFolder.TryPrepare(outputFolder, error))
        {
            return ExitCodes.Usage;
        }

        var settings = new RunSettings(outputFolder, result.GetValue<long?>("--seed"), result.GetValue<int?>("--devices"), GitCommit.Read(), "",
            TimeProvider.System.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        var problems = scenarios.SelectMany(scenario => LiveSupport.Problems(ScenarioRunner.Resolve(scenario, settings))
            .Select(problem => $"scenario {scenario.Name}: {problem}")).ToList();
        if (problems.Count > 0)
        {
            problems.ForEach(problem => error.WriteLine("error: " + problem));
            return ExitCodes.Usage;
        }

        // ASP.NET Core logs every request at Information, which for a fleet is every download.
        using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information)
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true));
        var reports = new List<ScenarioReport>();
        var failed = new List<string>();
        foreach (var scenario in scenarios)
        {
            var report = RunScenario(scenario, settings, file, result, loggers);
            reports.Add(report);
            var passed = ScenarioOutcome.Passed(report);
            output.WriteLine($"{scenario.Name}: {(passed ? "expectations met" : "expectations not met")}");
            foreach (var criterion in report.Results)
            {
                output.WriteLine($"  {criterion.Id,-16} {criterion.Scope,-8} {criterion.Verdict.ToString().ToLowerInvariant(),-13} {criterion.Summary}");
            }

            if (!passed)
            {
                failed.Add(scenario.Name);
            }
        }

        output.WriteLine($"Reports: {ReportWriter.WriteIndex(outputFolder, reports)}");
        output.WriteLine($"JUnit:   {ReportWriter.WriteJUnitAll(outputFolder, reports)}");
        if (failed.Count > 0)
        {
            output.WriteLine($"Gate failed: {failed.Count} of {reports.Count} scenarios did not meet their expectations: {string.Join(", ", failed)}.");
            return ExitCodes.GateFailed;
        }

        output.WriteLine($"Gate passed: all {reports.Count} scenarios met their expectations.");
        return ExitCodes.Passed;
    }

    private static ScenarioReport RunScenario(Scenario scenario, RunSettings settings, string file, ParseResult result, ILoggerFactory loggers)
    {
        var spec = ScenarioRunner.Resolve(scenario, settings);
        var folder = Path.GetFullPath(Path.Combine(settings.OutputDirectory, ReportWriter.FolderName(spec.Release.Id), ReportWriter.FolderName(scenario.Name)));
        var factor = result.GetValue(TimeFactor);
        var shards = result.GetValue(Shards);
        var broker = result.GetValue(Broker)!;
        var command = string.Create(CultureInfo.InvariantCulture,
            $"fleetota run {file} --mode live --scenario {scenario.Name} --seed {spec.Seed} --devices {spec.Fleet.Devices} --time-factor {factor} --shards {shards} --broker {broker}");
        var clock = Stopwatch.StartNew();
        var options = new LiveRunOptions
        {
            Spec = spec,
            OutputDirectory = folder,
            TimeFactor = factor,
            Shards = shards,
            Broker = broker,
            Launcher = new ProcessShardLauncher(shard => ShardProcess(shard, file, scenario.Name)),
        };
        var run = LiveRunner.RunAsync(options, loggers).GetAwaiter().GetResult();
        var journal = JournalReader.Read(run.JournalPath);
        var evaluation = GateEvaluation.Evaluate(journal, scenario.Criteria);
        var report = ScenarioRunner.BuildReport(scenario, spec, settings with { Command = command }, evaluation, clock.ElapsedMilliseconds, run.JournalPath, "live");
        ReportWriter.WriteScenario(settings.OutputDirectory, report, result.InvocationConfiguration.Error);
        return report;
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
