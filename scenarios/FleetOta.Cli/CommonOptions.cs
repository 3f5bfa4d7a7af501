using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace FleetOta.Cli;

/// <summary>Arguments and options shared by several commands.</summary>
internal static class CommonOptions
{
    public const string DefaultFile = "scenarios.yaml";

    public static Argument<string> ScenarioFile() => new("file")
    {
        Description = $"Scenario file (YAML). Default: {DefaultFile} in the current folder.",
        Arity = ArgumentArity.ZeroOrOne,
        DefaultValueFactory = _ => DefaultFile,
    };

    public static Option<string[]> ScenarioNames() => new("--scenario", "-s")
    {
        Description = "Run only the named scenario; repeat the option for several. Default: every scenario in the file.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Largest fleet a scenario may have, in the scenario file and with --devices.</summary>
    public const int MaxDevices = 10_000_000;

    public static Option<long?> Seed(string description) => new("--seed")
    {
        Description = description,
        CustomParser = result => ParseWhole(result, long.MinValue, long.MaxValue),
    };

    public static Option<int?> Devices(string description) => new("--devices")
    {
        Description = description,
        CustomParser = result => (int?)ParseWhole(result, 1, MaxDevices),
    };

    /// <summary>Parses a whole number written with digits and optional '_' separators (as in 10_000), as the scenario
    /// file accepts them, and checks its range. A problem becomes a parse error that names the option and the value.</summary>
    private static long? ParseWhole(ArgumentResult result, long min, long max)
    {
        var option = (result.Parent as OptionResult)?.Option.Name ?? "the option";
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "";
        if (!long.TryParse(text.Replace("_", "", StringComparison.Ordinal), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{option} must be a whole number from {min:N0} to {max:N0}, such as 10000 or 10_000, but is '{text}'.");
            return null;
        }

        if (value < min || value > max)
        {
            result.AddError($"{option} must be from {min:N0} to {max:N0}, but is {value:N0}.");
            return null;
        }

        return value;
    }
}
