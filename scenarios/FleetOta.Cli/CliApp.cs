using System.CommandLine;

namespace FleetOta.Cli;

/// <summary>The <c>fleetota</c> command tree: run, list, validate, replay, server and emulator.</summary>
public static class CliApp
{
    public static RootCommand CreateRoot() => new(
        "FleetOta.Harness: runs release-gate scenarios for fleet over-the-air updates against an emulated fleet and " +
        "writes per-release compliance reports. Exit codes: 0 every expectation met, 1 a gate failed (or a replay differs " +
        "from its recording), 2 invalid input or usage.")
    {
        RunCommand.Create(),
        ListCommand.Create(),
        ValidateCommand.Create(),
        ReplayCommand.Create(),
        ServerCommand.Create(),
        EmulatorCommand.Create(),
    };

    /// <summary>Parses and runs one command line, writing to the given writers; returns the exit code.</summary>
    public static int Invoke(string[] args, TextWriter? output = null, TextWriter? error = null) =>
        ExitCodes.Invoke(CreateRoot(), args, output, error);
}
