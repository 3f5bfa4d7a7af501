namespace FleetOta.Cli;

/// <summary>Checks the --out folder before any scenario runs, so that a long run never ends in "cannot write".</summary>
internal static class OutputFolder
{
    /// <summary>Creates the folder if needed and writes and deletes a probe file in it. Prints what is wrong and returns
    /// false when the path is a file or the folder cannot be created or written.</summary>
    public static bool TryPrepare(string path, TextWriter error)
    {
        if (File.Exists(path))
        {
            error.WriteLine($"error: --out '{path}' is a file; give a folder for the reports, such as out.");
            return false;
        }

        try
        {
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, $".fleetota-write-check-{Environment.ProcessId}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return true;
        }
        catch (Exception failure) when (failure is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error.WriteLine($"error: cannot write the reports to --out '{path}': {failure.Message} Give a writable folder with --out.");
            return false;
        }
    }
}
