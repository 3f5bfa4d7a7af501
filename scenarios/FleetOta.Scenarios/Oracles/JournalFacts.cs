using FleetOta.Journal;

namespace FleetOta.Scenarios.Oracles;

/// <summary>What the oracles need from a journal, gathered in one pass over its entries. Built from the journal
/// alone: nothing here reads the controller's own state.</summary>
public sealed class JournalFacts
{
    private JournalFacts(JournalData journal)
    {
        Journal = journal;
        Devices = journal.Devices.Count;
        ReleaseId = journal.RunValue("release");
        NewVersion = journal.RunValue("release_version");
        PreviousVersion = journal.RunValue("previous_version");
        EndMs = journal.RunNumber("end_ms");
        Targeted = new bool[Devices];
        var hardware = journal.RunValue("release_hardware").Split(';', StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        foreach (var device in journal.Devices)
        {
            Targeted[device.Id] = hardware.Count == 0 || hardware.Contains($"{device.Hardware}/{device.Revision}");
        }

        Wave = new int[Devices];
        OperatorTouched = new bool[Devices];
        CrashedAfterCommit = new bool[Devices];
        FirstCommitMs = Fill(-1);
        LastBootVersion = new string[Devices];
        ActivatedMs = Fill(-1);
        GroundActivatedMs = Fill(-1);
    }

    public JournalData Journal { get; }
    public int Devices { get; }
    public string ReleaseId { get; }
    public string NewVersion { get; }
    public string PreviousVersion { get; }
    public long EndMs { get; }

    /// <summary>Time of the deployment start; -1 if the journal has none.</summary>
    public long ReleaseStartMs { get; private set; } = -1;

    public bool[] Targeted { get; }

    /// <summary>Wave of the device's first offer (1-based), 0 if never offered.</summary>
    public int[] Wave { get; }

    public bool[] OperatorTouched { get; }

    public long[] FirstCommitMs { get; }

    /// <summary>True when the new image crashed (ground truth) after the device committed it: the device keeps
    /// rebooting on a committed image, so it counts as stuck, not as updated.</summary>
    public bool[] CrashedAfterCommit { get; }

    public string[] LastBootVersion { get; }

    /// <summary>First delivery to the server of a message that shows the new version running (transport view).</summary>
    public long[] ActivatedMs { get; }

    /// <summary>First boot into the new version (ground truth).</summary>
    public long[] GroundActivatedMs { get; }

    public int WaveCount { get; private set; }

    public static JournalFacts Build(JournalData journal)
    {
        var facts = new JournalFacts(journal);
        facts.Scan();
        return facts;
    }

    private long[] Fill(long value)
    {
        var array = new long[Devices];
        Array.Fill(array, value);
        return array;
    }

    private void Scan()
    {
        var committedNew = new bool[Devices];
        foreach (var entry in Journal.Entries)
        {
            var device = entry.Device;
            switch (entry.Kind)
            {
                case JournalKind.DeploymentStarted when ReleaseStartMs < 0:
                    ReleaseStartMs = entry.TimeMs;
                    break;
                case JournalKind.WaveStarted:
                    WaveCount = Math.Max(WaveCount, (int)entry.Value);
                    break;
                case JournalKind.DeviceOffered when device >= 0 && Wave[device] == 0:
                    Wave[device] = (int)entry.Value;
                    break;
                case JournalKind.RecoveryAction when device >= 0 && entry.Actor == "operator":
                    OperatorTouched[device] = true;
                    break;
                case JournalKind.Committed when device >= 0:
                    committedNew[device] = entry.Version == NewVersion;
                    if (committedNew[device] && FirstCommitMs[device] < 0)
                    {
                        FirstCommitMs[device] = entry.TimeMs;
                    }

                    break;
                case JournalKind.DeviceFault when device >= 0 && entry.Status == "crash" && entry.Version == NewVersion && committedNew[device]:
                    CrashedAfterCommit[device] = true;
                    break;
                case JournalKind.Boot when device >= 0 && entry.Status is "A" or "B":
                    LastBootVersion[device] = entry.Version ?? "";
                    if (entry.Version == NewVersion && GroundActivatedMs[device] < 0)
                    {
                        GroundActivatedMs[device] = entry.TimeMs;
                    }

                    break;
                case JournalKind.MessageDelivered when device >= 0 && entry.Actor == "server" && entry.Version == NewVersion
                                                       && ActivatedMs[device] < 0:
                    ActivatedMs[device] = entry.TimeMs;
                    break;
            }
        }
    }

    /// <summary>Returns timelines for several devices in one pass over the journal: every entry about the device
    /// except acknowledgements and periodic heartbeats delivered to the server, which would crowd out the steps that
    /// show what happened. Heartbeats the device sent stay, because the rollback criterion ends at one.</summary>
    /// A timeline longer than <paramref name="limit"/> keeps its first and last halves around a line "...".
    /// <paramref name="windows"/> limits a device's timeline to a time range, inclusive.
    public Dictionary<int, List<string>> Timelines(
        IReadOnlyCollection<int> devices, int limit = 80, IReadOnlyDictionary<int, (long FromMs, long ToMs)>? windows = null)
    {
        var result = devices.ToDictionary(device => device, _ => new List<string>());
        foreach (var entry in Journal.Entries)
        {
            if (entry.Device >= 0 && result.TryGetValue(entry.Device, out var lines) && !IsNoise(entry)
                && (windows is null || !windows.TryGetValue(entry.Device, out var window) || (entry.TimeMs >= window.FromMs && entry.TimeMs <= window.ToMs)))
            {
                lines.Add(FormatLine(entry));
            }
        }

        foreach (var lines in result.Values.Where(lines => lines.Count > limit))
        {
            var skipped = lines.Count - limit;
            lines.RemoveRange(limit / 2, skipped);
            lines.Insert(limit / 2, $"... {skipped} more entries ...");
        }

        return result;
    }

    private static bool IsNoise(in JournalEntry entry) => entry.Kind switch
    {
        JournalKind.MessageSent or JournalKind.MessageDelivered or JournalKind.MessageLost when entry.Status == "ack" => true,
        JournalKind.MessageDelivered or JournalKind.MessageLost when entry.Status == "heartbeat" => true,
        JournalKind.MessageSent when entry.Status is "status" or "fault" or "offer" or "command" => true,
        _ => false,
    };

    public static string FormatLine(in JournalEntry entry)
    {
        var parts = new List<string> { $"{entry.TimeMs / 60_000.0,9:0.000} min", entry.Kind.Name() };
        if (entry.Status is { } status)
        {
            parts.Add(status);
        }

        if (entry.Version is { } version)
        {
            parts.Add("v" + version);
        }

        if (entry.Detail is { } detail)
        {
            parts.Add("(" + detail + ")");
        }

        if (entry.Actor is { } actor)
        {
            parts.Add("by " + actor);
        }

        return string.Join(' ', parts);
    }

    public string DeviceName(int device) => Journal.Devices[device].Name;
}
