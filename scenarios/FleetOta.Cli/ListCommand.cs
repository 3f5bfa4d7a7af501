using System.CommandLine;
using FleetOta.Scenarios.Model;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary><c>fleetota list</c>: lists the scenarios of a file with their release, fleet size and expectations.</summary>
internal static class ListCommand
{
    public static Command Create()
    {
        var file = CommonOptions.ScenarioFile();
        var command = new Command("list", "List the scenarios of a scenario file with their release, fleet size, faults and expected verdicts.") { file };
        command.SetAction(result =>
        {
            var output = result.InvocationConfiguration.Output;
            if (!ScenarioSelection.TryLoad(result.GetValue(file)!, [], result.InvocationConfiguration.Error, out var scenarios))
            {
                return ExitCodes.Usage;
            }

            var table = new Table().AddColumns("scenario", "release", "devices", "seed", "faults", "expected");
            foreach (var scenario in scenarios)
            {
                var spec = scenario.Simulation;
                table.AddRow(
                    Markup.Escape(scenario.Name),
                    Markup.Escape($"{spec.Release.Id} ({spec.Release.Version})"),
                    spec.Fleet.Devices.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    spec.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Markup.Escape(spec.Faults.Count == 0 ? "-" : string.Join(", ", spec.Faults.Select(f => FleetOta.Emulator.Faults.FaultKinds.ToName(f.Kind)))),
                    Markup.Escape(string.Join(", ", CriterionIds.All.Select(id => $"{id}={scenario.Expected.GetValueOrDefault(id).ToString().ToLowerInvariant()}"))));
            }

            RunCommand.ConsoleFor(output).Write(table);
            return ExitCodes.Passed;
        });
        return command;
    }
}
