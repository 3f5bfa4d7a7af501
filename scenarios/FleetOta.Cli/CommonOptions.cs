using System.CommandLine;

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
}
