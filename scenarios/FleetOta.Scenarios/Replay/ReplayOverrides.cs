using System.Globalization;
using FleetOta.Server;

namespace FleetOta.Scenarios.Replay;

/// <summary>Controller options to change for a replay; null keeps the recorded value (or the controller's default
/// when the recording has no options).</summary>
public sealed record ReplayOverrides
{
    public bool? AutoPause { get; init; }
    public bool? Alert { get; init; }
    public double? FaultLimit { get; init; }
    public long? FaultWindowMs { get; init; }
    public int? MinimumSample { get; init; }
    public bool? Recovery { get; init; }
    public long? RetryDelayMs { get; init; }
    public int? MaxAttempts { get; init; }
    public long? SilentTimeoutMs { get; init; }

    public RolloutOptions Apply(RolloutOptions options)
    {
        var monitor = options.FaultMonitor;
        var recovery = options.Recovery;
        return options with
        {
            FaultMonitor = monitor with
            {
                AutoPause = AutoPause ?? monitor.AutoPause,
                Alert = Alert ?? monitor.Alert,
                Limit = FaultLimit ?? monitor.Limit,
                WindowMs = FaultWindowMs ?? monitor.WindowMs,
                MinimumSample = MinimumSample ?? monitor.MinimumSample,
            },
            Recovery = recovery with
            {
                Enabled = Recovery ?? recovery.Enabled,
                RetryDelayMs = RetryDelayMs ?? recovery.RetryDelayMs,
            },
            MaxAttempts = MaxAttempts ?? options.MaxAttempts,
            SilentAfterUpdateMs = SilentTimeoutMs ?? options.SilentAfterUpdateMs,
        };
    }

    /// <summary>Describes the options a replay ran with, such as "auto-pause off, fault limit 0.50%".</summary>
    public static string Describe(RolloutOptions options) => string.Create(CultureInfo.InvariantCulture,
        $"auto-pause {OnOff(options.FaultMonitor.AutoPause)}, alert {OnOff(options.FaultMonitor.Alert)}, " +
        $"fault limit {options.FaultMonitor.Limit:P2} over {options.FaultMonitor.WindowMs / 60_000.0:0.#} min " +
        $"(min sample {options.FaultMonitor.MinimumSample}), recovery {OnOff(options.Recovery.Enabled)} " +
        $"(retry delay {options.Recovery.RetryDelayMs / 60_000.0:0.#} min, max attempts {options.MaxAttempts}), " +
        $"silent timeout {options.SilentAfterUpdateMs / 60_000.0:0.#} min");

    private static string OnOff(bool value) => value ? "on" : "off";
}

/// <summary>Reads a recording, replays it against the current controller and compares the decisions.</summary>
public static class IncidentReplay
{
    private const string InputHint = "Give a journal.sqlite from a run folder or a JSON-lines file of device events.";

    /// <summary>Reads a journal.sqlite (detected by its SQLite header) or a JSON-lines file of device events. Throws
    /// <see cref="ReplayInputException"/> for a missing, empty or unreadable input and for an invalid recording.</summary>
    public static ReplayInput Load(string path)
    {
        if (Directory.Exists(path))
        {
            throw new ReplayInputException([$"{path}: is a folder, not a file. {FolderHint(path)}"]);
        }

        if (!File.Exists(path))
        {
            throw new ReplayInputException([$"{path}: the file does not exist. {InputHint}"]);
        }

        try
        {
            if (new FileInfo(path).Length == 0)
            {
                throw new ReplayInputException([$"{path}: is an empty file, so neither a journal nor a file of device events. {InputHint}"]);
            }

            if (IsSqlite(path))
            {
                return JournalReplaySource.Read(path);
            }

            if (Path.GetExtension(path).ToLowerInvariant() is ".sqlite" or ".sqlite3" or ".db")
            {
                throw new ReplayInputException([$"{path}: is not a journal, because it does not start with the SQLite header. {InputHint}"]);
            }

            return JsonLinesReplaySource.Read(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new ReplayInputException([$"{path}: cannot be read: {error.Message}"]);
        }
    }

    public static ReplayReport Run(ReplayInput input, ReplayOverrides overrides)
    {
        var options = overrides.Apply(input.Options ?? new RolloutOptions());
        var decisions = ReplayRunner.Run(input, options);
        return DecisionComparison.Compare(input, decisions, ReplayOverrides.Describe(options));
    }

    /// <summary>Suggests the journal of a run folder, or of the first run folders below the given folder.</summary>
    private static string FolderHint(string folder)
    {
        var options = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 3, IgnoreInaccessible = true };
        var journals = Directory.EnumerateFiles(folder, "journal.sqlite", options).Take(3).ToList();
        return journals.Count switch
        {
            0 => InputHint + " This folder has no journal.sqlite within three levels.",
            1 => $"Give the journal inside it: {journals[0]}",
            _ => $"Give the journal.sqlite of one run, such as {journals[0]} or {journals[1]}.",
        };
    }

    private static bool IsSqlite(string path)
    {
        var header = "SQLite format 3\0"u8;
        using var stream = File.OpenRead(path);
        var buffer = new byte[header.Length];
        return stream.Read(buffer, 0, buffer.Length) == buffer.Length && header.SequenceEqual(buffer);
    }
}
