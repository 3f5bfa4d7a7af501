using FleetOta.Scenarios.Model;

namespace FleetOta.Cli;

/// <summary>Loads a scenario file and picks the scenarios named on the command line, printing every problem.</summary>
internal static class ScenarioSelection
{
    public static bool TryLoad(string file, IReadOnlyList<string> names, TextWriter error, out IReadOnlyList<Scenario> scenarios)
    {
        scenarios = [];
        if (!File.Exists(file))
        {
            error.WriteLine(Directory.Exists(file)
                ? $"error: '{file}' is a folder; give the path of a scenario file (YAML), such as {Path.Combine(file, CommonOptions.DefaultFile)}."
                : $"error: the scenario file '{file}' does not exist. Give the path of a scenario file (YAML), or run in the folder that has {CommonOptions.DefaultFile}.");
            return false;
        }

        ScenarioCatalog catalog;
        try
        {
            catalog = ScenarioLoader.Load(file);
        }
        catch (ScenarioValidationException invalid)
        {
            PrintProblems(invalid, error);
            return false;
        }

        if (names.Count == 0)
        {
            scenarios = catalog.Scenarios;
            return true;
        }

        var selected = new List<Scenario>();
        // A scenario named twice runs once: its second run would overwrite the first one's folder.
        foreach (var name in names.Distinct(StringComparer.Ordinal))
        {
            if (catalog.Find(name) is { } scenario)
            {
                selected.Add(scenario);
                continue;
            }

            var suggestion = Suggestions.Closest(name, catalog.Scenarios.Select(s => s.Name));
            error.WriteLine($"error: {file} has no scenario named '{name}'." + (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
            error.WriteLine($"The scenarios are: {string.Join(", ", catalog.Scenarios.Select(s => s.Name))}.");
            return false;
        }

        scenarios = selected;
        return true;
    }

    public static void PrintProblems(ScenarioValidationException invalid, TextWriter error)
    {
        error.WriteLine($"error: the scenario file is invalid ({invalid.Problems.Count} problem{(invalid.Problems.Count == 1 ? "" : "s")}); nothing was run.");
        foreach (var problem in invalid.Problems)
        {
            error.WriteLine("  " + problem);
        }
    }
}
