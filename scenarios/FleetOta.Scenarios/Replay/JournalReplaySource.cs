using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Scenarios.Running;
using FleetOta.Server;

namespace FleetOta.Scenarios.Replay;

/// <summary>Reads a recorded journal (journal.sqlite) as a replay input: the messages delivered to the server, the
/// deployment start, the operator steps and the server outages, with the controller decisions of the run.</summary>
public static class JournalReplaySource
{
    /// <summary>Kinds that only the controller writes: its decisions.</summary>
    public static readonly IReadOnlySet<JournalKind> DecisionKinds = new HashSet<JournalKind>
    {
        JournalKind.DeploymentStarted, JournalKind.WaveStarted, JournalKind.WaveGate, JournalKind.DeviceOffered,
        JournalKind.ActionState, JournalKind.RolloutPaused, JournalKind.RolloutResumed, JournalKind.RolloutAborted,
        JournalKind.AlertRaised, JournalKind.RecoveryAction,
    };

    public static ReplayInput Read(string path)
    {
        JournalData journal;
        try
        {
            journal = JournalReader.Read(path);
        }
        catch (Exception error) when (error is Microsoft.Data.Sqlite.SqliteException or FormatException or InvalidCastException)
        {
            throw new ReplayInputException([$"{path}: is not a journal written by fleetota run ({error.Message}). " +
                                            "Give a journal.sqlite from a run folder, or a JSON-lines file of device events."]);
        }

        return FromJournal(journal, path);
    }

    public static ReplayInput FromJournal(JournalData journal, string source)
    {
        var problems = new List<string>();
        var events = new List<ReplayEvent>();
        var recorded = new List<JournalEntry>();
        var start = BuildStart(journal, source, problems);
        var operatorSteps = RunMetadata.ReadOperatorSteps(journal);
        if (operatorSteps is not null)
        {
            events.AddRange(operatorSteps.Select(step => new ReplayOperator(step.AtMs, new OperatorAction(step.Action, step.Device))));
        }

        foreach (var entry in journal.Entries)
        {
            if (DecisionKinds.Contains(entry.Kind))
            {
                recorded.Add(entry);
                if (entry.Kind == JournalKind.DeploymentStarted && start is not null)
                {
                    events.Add(new ReplayStart(entry.TimeMs, start));
                }

                if (operatorSteps is null && OperatorActionOf(entry) is { } action)
                {
                    events.Add(new ReplayOperator(entry.TimeMs, action));
                }

                continue;
            }

            switch (entry.Kind)
            {
                case JournalKind.MessageDelivered when entry.Actor == "server" && entry.Device >= 0:
                    if (ToMessage(entry) is { } message)
                    {
                        events.Add(new ReplayMessage(entry.TimeMs, message));
                    }
                    else
                    {
                        problems.Add($"{source}: event {entry.Sequence} at {entry.TimeMs} ms: cannot read the delivered {entry.Status} message '{entry.Detail}'.");
                    }

                    break;
                case JournalKind.ServerRestart:
                    events.Add(new ReplayServer(entry.TimeMs, entry.Status == "up"));
                    break;
            }
        }

        if (problems.Count > 0)
        {
            throw new ReplayInputException(problems);
        }

        // A stable sort keeps the journal order of inputs with equal times.
        var ordered = events.Select((e, i) => (e, i)).OrderBy(p => p.e.TimeMs).ThenBy(p => p.i).Select(p => p.e).ToList();
        return new ReplayInput(source, journal.Devices.Count, RunMetadata.ReadRolloutOptions(journal), ordered, recorded,
            journal.RunNumber("end_ms", journal.Entries.Count == 0 ? 0 : journal.Entries[^1].TimeMs));
    }

    private static StartDeployment? BuildStart(JournalData journal, string source, List<string> problems)
    {
        var releaseId = journal.RunValue("release");
        var release = journal.Releases.FirstOrDefault(r => r.Id == releaseId);
        if (release is null)
        {
            if (journal.Entries.Any(entry => entry.Kind == JournalKind.DeploymentStarted))
            {
                problems.Add($"{source}: the journal starts a deployment but has no release '{releaseId}' in its releases table.");
            }

            return null;
        }

        var hardware = journal.RunValue("release_hardware").Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(text => text.Split('/'))
            .Where(parts => parts.Length == 2)
            .Select(parts => new HardwareTarget(parts[0], parts[1]))
            .ToList();
        var targets = journal.Devices
            .Where(device => hardware.Count == 0 || hardware.Any(h => h.Model == device.Hardware && h.Revision == device.Revision))
            .Select(device => device.Id)
            .ToList();
        return ReplayManifests.Deployment(release.Id, release.Version, release.SecurityVersion, release.Digest, release.Size,
            release.PreviousVersion, hardware, targets);
    }

    /// <summary>Rebuilds a device message from its message.delivered entry, or returns null when the entry cannot be
    /// read.</summary>
    public static DeviceMessage? ToMessage(in JournalEntry entry)
    {
        var device = entry.Device;
        var version = entry.Version ?? "";
        var detail = entry.Detail ?? "";
        switch (entry.Status)
        {
            case MessageTypes.Heartbeat:
                return new Heartbeat(device, version, entry.Value == 1 ? Slot.B : Slot.A, Healthy: detail == "healthy", Degraded: detail == "degraded");
            case MessageTypes.Fault:
                var critical = detail.StartsWith("critical:", StringComparison.Ordinal);
                return new FaultReport(device, version, critical ? detail["critical:".Length..] : detail, critical);
            case MessageTypes.Status:
                var separator = detail.IndexOf(": ", StringComparison.Ordinal);
                var statusText = separator < 0 ? detail : detail[..separator];
                var reasonText = separator < 0 ? "" : detail[(separator + 2)..];
                if (!MessageText.TryParseStatus(statusText, out var status) || !MessageText.TryParseReason(reasonText, out var reason))
                {
                    return null;
                }

                return new StatusReport(device, (int)entry.Value, entry.Release ?? "", status, reason, version);
            default:
                return null;
        }
    }

    /// <summary>Derives an operator input from its recorded effect, for journals that do not store the operator steps.</summary>
    private static OperatorAction? OperatorActionOf(in JournalEntry entry)
    {
        if (entry.Actor != "operator")
        {
            return null;
        }

        return entry.Kind switch
        {
            JournalKind.RolloutPaused => new OperatorAction(OperatorActionKind.Pause),
            JournalKind.RolloutResumed => new OperatorAction(OperatorActionKind.Resume),
            JournalKind.RolloutAborted => new OperatorAction(OperatorActionKind.Abort),
            JournalKind.RecoveryAction => entry.Detail switch
            {
                "retry" => new OperatorAction(OperatorActionKind.RetryFailed, entry.Device),
                "force-rollback" => new OperatorAction(OperatorActionKind.ForceRollback, entry.Device),
                "redeploy-previous" => new OperatorAction(OperatorActionKind.RedeployPrevious, entry.Device),
                _ => null,
            },
            _ => null,
        };
    }
}
