using System.Diagnostics;
using System.Reflection;

namespace FleetOta.Cli;

/// <summary>Reads the commit of the harness for the report: FLEETOTA_COMMIT if set; else the commit the build embedded
/// in the assembly's informational version ("1.0.0+&lt;sha&gt;", which the .NET SDK writes when it builds from a git
/// checkout); else <c>git rev-parse HEAD</c> in the program's folder; else "unknown".</summary>
internal static class GitCommit
{
    private const int ShortLength = 12;

    public static string Read()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("FLEETOTA_COMMIT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment.Trim();
        }

        if (FromBuild(typeof(GitCommit).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion) is { } built)
        {
            return built;
        }

        return FromGit();
    }

    /// <summary>Returns the commit after the '+' of an informational version such as "1.0.0+be1d5f14c0ffee", shortened to
    /// 12 characters, or null when the version carries none.</summary>
    internal static string? FromBuild(string? informationalVersion)
    {
        var plus = informationalVersion?.IndexOf('+', StringComparison.Ordinal) ?? -1;
        if (plus < 0)
        {
            return null;
        }

        var commit = informationalVersion![(plus + 1)..];
        return commit.Length > 0 && commit.All(char.IsAsciiHexDigit) ? commit[..Math.Min(commit.Length, ShortLength)] : null;
    }

    private static string FromGit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", $"rev-parse --short={ShortLength} HEAD")
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
