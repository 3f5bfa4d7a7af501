using System.CommandLine;

namespace FleetOta.Cli;

/// <summary><c>fleetota validate</c>: checks a scenario file without running anything.</summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var file = CommonOptions.ScenarioFile();
        var command = new Command("validate", "Check a scenario file and list every problem with file, line, column, key and what is allowed. Runs nothing.")
        {
            file,
        };
        command.SetAction(result =>
        {
            var path = result.GetValue(file)!;
            if (!ScenarioSelection.TryLoad(path, [], result.InvocationConfiguration.Error, out var scenarios))
            {
                return ExitCodes.Usage;
            }

            result.InvocationConfiguration.Output.WriteLine($"{path} is valid: {scenarios.Count} scenario{(scenarios.Count == 1 ? "" : "s")}.");
            return ExitCodes.Passed;
        });
        return command;
    }
}
