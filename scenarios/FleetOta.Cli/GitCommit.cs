using System.Diagnostics;

namespace FleetOta.Cli;

/// <summary>Reads the commit of the harness for the report: FLEETOTA_COMMIT if set, else <c>git rev-parse HEAD</c>.</summary>
internal static class GitCommit
{
    public static string Read()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FLEETOTA_COMMIT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short=12 HEAD")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = AppContext.BaseDirectory,
            });
            if (git is null)
            {
                return "unknown";
            }

            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit(5_000);
            return git.ExitCode == 0 && output.Length > 0 ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // git is not installed: the report says the commit is unknown.
            return "unknown";
        }
    }
}
