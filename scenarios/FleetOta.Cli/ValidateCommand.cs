using System.CommandLine;
using FleetOta.Scenarios.Running;

namespace FleetOta.Cli;

/// <summary><c>fleetota validate</c>: checks a scenario file without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = CommonOptions.ScenarioFile();
        var mode = new Option<string>("--mode")
        {
            Description = "Host to check the file for: simulation, or live, which also lists the settings live mode cannot run " +
                          "(such as latency faults). Default: simulation.",
            DefaultValueFactory = _ => "simulation",
        };
        mode.AcceptOnlyFromAmong("simulation", "live");
        var command = new Command("validate", "Check a scenario file and list every problem with file, line, column, key and what is allowed. Runs nothing.")
        {
            file, mode,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            var error = result.InvocationConfiguration.Error;
            if (!ScenarioSelection.TryLoad(path, [], error, out var scenarios))
            {
                return ExitCodes.Usage;
            }

            if (result.GetValue(mode) == "live" && !LiveMode.CheckSupported(scenarios, new RunSettings(""), error))
            {
                return ExitCodes.Usage;
            }

            var host = result.GetValue(mode) == "live" ? " for live mode" : "";
            result.InvocationConfiguration.Output.WriteLine($"{path} is valid{host}: {scenarios.Count} scenario{(scenarios.Count == 1 ? "" : "s")}.");
            return ExitCodes.Passed;
        });
        return command;
    }
}
