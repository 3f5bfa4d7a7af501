using System.CommandLine;
using FleetOta.Cli;

var root = new RootCommand(
    "FleetOta.Harness: runs release-gate scenarios for fleet over-the-air updates against an emulated fleet and " +
    "writes per-release compliance reports. Exit codes: 0 every expectation met, 1 a gate failed, 2 invalid input or usage.")
{
    RunCommand.Create(),
    ListCommand.Create(),
    ValidateCommand.Create(),
    ServerCommand.Create(),
};

return ExitCodes.Invoke(root, args);
