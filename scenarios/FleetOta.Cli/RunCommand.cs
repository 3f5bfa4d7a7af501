using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using FleetOta.Reports;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Running;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary><c>fleetota run</c>: runs scenarios and writes their reports.</summary>
internal static class RunCommand
{
    public static Command Create()
    {
        var file = CommonOptions.ScenarioFile();
        var names = CommonOptions.ScenarioNames();
        var seed = CommonOptions.Seed("Seed of every selected scenario, a whole number, overriding the file. Default: the scenario's seed.");
        var devices = CommonOptions.Devices(
            $"Fleet size in devices (1 to {CommonOptions.MaxDevices:N0}), scaling every selected scenario; fault shares scale with it, " +
            "fault counts stay as written. The expected verdicts were written for the file's fleet size, so at another size a " +
            "scenario may miss them. Default: the scenario's fleet size.");
        var output = new Option<string>("--out", "-o")
        {
            Description = "Output folder; reports go to OUT/<release>/<scenario>/. Default: out.",
            DefaultValueFactory = _ => "out",
        };
        var format = new Option<string>("--format")
        {
            Description = "Format of the summary on standard output: text (tables), json (one array of summary.json documents) or markdown. " +
                          "The report files are written in every format regardless. Default: text.",
            DefaultValueFactory = _ => "text",
        };
        format.AcceptOnlyFromAmong("text", "json", "markdown");
        var mode = new Option<string>("--mode")
        {
            Description = "Host that runs the scenarios: simulation (virtual time, one thread) or live (real sockets). Default: simulation.",
            DefaultValueFactory = _ => "simulation",
        };
        mode.AcceptOnlyFromAmong("simulation", "live");

        var command = new Command("run", "Run release-gate scenarios and write report.html, summary.json, junit.xml and summary.md for each.")
        {
            file, names, seed, devices, output, format, mode,
        };
        LiveMode.AddOptions(command);
        command.SetAction(result => result.GetValue(mode) == "live" ? LiveMode.Execute(result) : Execute(new RunRequest(
            result.GetValue(file)!,
            result.GetValue(names) ?? [],
            result.GetValue(seed),
            result.GetValue(devices),
            result.GetValue(output)!,
            result.GetValue(format)!,
            result.GetValue(mode)!,
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error)));
        return command;
    }

    private sealed record RunRequest(
        string File, string[] Names, long? Seed, int? Devices, string Output, string Format, string Mode, TextWriter Out, TextWriter Error);

    private static int Execute(RunRequest request)
    {
        if (request.Mode == "live")
        {
            request.Error.WriteLine("error: --mode live is not available in this build; run without --mode to use the simulation host.");
            return ExitCodes.Usage;
        }

        if (!ScenarioSelection.TryLoad(request.File, request.Names, request.Error, out var scenarios)
            || !OutputFolder.TryPrepare(request.Output, request.Error))
        {
            return ExitCodes.Usage;
        }

        var settings = new RunSettings(
            request.Output,
            request.Seed,
            request.Devices,
            GitCommit.Read(),
            "",
            DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture));
        // With json or markdown, standard output carries only that document; progress goes to standard error.
        var console = request.Format == "text" ? ConsoleFor(request.Out) : ConsoleFor(request.Error);
        var results = new List<ScenarioRunResult>();
        try
        {
            foreach (var scenario in scenarios)
            {
                var spec = ScenarioRunner.Resolve(scenario, settings);
                var command = $"fleetota run {request.File} --scenario {scenario.Name} --seed {spec.Seed} --devices {spec.Fleet.Devices}";
                console.MarkupLineInterpolated(
                    $"[bold]{scenario.Name}[/]: release {spec.Release.Id} ({spec.Release.Version}) on {spec.Fleet.Devices} devices, seed {spec.Seed}");
                var clock = Stopwatch.StartNew();
                var tally = Tally(results, scenarios.Count);
                var result = ProgressDisplay.Run(console, scenario.Name, tally, progress =>
                    ScenarioRunner.Run(scenario, settings with { Command = command }, progress, request.Error));
                results.Add(result);
                VerdictOutput.Write(console, request.Format, result, clock.Elapsed);
            }
        }
        catch (ArgumentException invalid)
        {
            // The loader checks every value it reads; this catches a combination the simulator or controller rejects.
            request.Error.WriteLine($"error: a scenario has an invalid setting: {invalid.Message} Fix it in {request.File} and run again.");
            return ExitCodes.Usage;
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException or Microsoft.Data.Sqlite.SqliteException)
        {
            request.Error.WriteLine($"error: cannot write the run's files under '{request.Output}': {error.Message} " +
                                    "Give a writable folder with --out.");
            return ExitCodes.Usage;
        }

        var reports = results.Select(result => result.Report).ToList();
        VerdictOutput.WriteDocument(request.Out, request.Format, results);
        var index = ReportWriter.WriteIndex(request.Output, reports);
        var junit = ReportWriter.WriteJUnitAll(request.Output, reports);
        var failed = results.Where(result => !result.Passed).Select(result => result.Scenario.Name).ToList();
        console.MarkupLineInterpolated($"Reports: {index}");
        console.MarkupLineInterpolated($"JUnit:   {junit}");
        if (failed.Count > 0)
        {
            console.MarkupLineInterpolated($"[red]Gate failed[/]: {failed.Count} of {results.Count} scenarios did not meet their expectations: {string.Join(", ", failed)}.");
            return ExitCodes.GateFailed;
        }

        var passed = results.Count == 1 ? "the scenario met its expectations" : $"all {results.Count} scenarios met their expectations";
        console.MarkupLineInterpolated($"[green]Gate passed[/]: {passed}.");
        return ExitCodes.Passed;
    }

    /// <summary>Returns the verdicts so far, such as "scenario 3 of 12; 2 met their expectations, 0 did not".</summary>
    private static string Tally(List<ScenarioRunResult> results, int total)
    {
        var met = results.Count(result => result.Passed);
        return $"scenario {results.Count + 1} of {total}; so far {met} met their expectations, {results.Count - met} did not";
    }

    /// <summary>Width of output written to a file or a pipe (as in CI logs), in characters; a terminal uses its own width.
    /// Log viewers wrap long lines themselves, so the width only has to keep Spectre.Console from breaking lines.</summary>
    private const int RedirectedWidth = 1000;

    internal static IAnsiConsole ConsoleFor(TextWriter output)
    {
        var terminal = (output == Console.Out && !Console.IsOutputRedirected) || (output == Console.Error && !Console.IsErrorRedirected);
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(output),
            Interactive = terminal ? InteractionSupport.Yes : InteractionSupport.No,
            Ansi = terminal ? AnsiSupport.Detect : AnsiSupport.No,
        });
        if (!terminal)
        {
            console.Profile.Width = RedirectedWidth;
        }

        return console;
    }
}
