using System.CommandLine;

namespace FleetOta.Cli;

/// <summary>The exit codes of every command, and the parse step that maps usage errors to <see cref="Usage"/>.</summary>
public static class ExitCodes
{
    /// <summary>Every expectation of every scenario was met.</summary>
    public const int Passed = 0;

    /// <summary>At least one scenario's expectation was not met: the gate failed.</summary>
    public const int GateFailed = 1;

    /// <summary>Invalid input (scenario file, journal) or invalid usage of the command line.</summary>
    public const int Usage = 2;

    /// <summary>The run did not complete, so no gate verdict exists: it was interrupted (Ctrl+C, SIGTERM), or a part of
    /// it (a shard process, the broker, the server) failed.</summary>
    public const int RunFailed = 3;

    public static int Invoke(RootCommand root, string[] args, TextWriter? output = null, TextWriter? error = null)
    {
        var result = root.Parse(args);
        error ??= Console.Error;
        if (result.Errors.Count > 0)
        {
            foreach (var problem in result.Errors)
            {
                error.WriteLine($"error: {problem.Message}");
            }

            error.WriteLine("Run 'fleetota --help' or 'fleetota <command> --help' for the commands and their options.");
            return Usage;
        }

        var configuration = new InvocationConfiguration { Output = output ?? Console.Out, Error = error };
        return result.Invoke(configuration);
    }
}
