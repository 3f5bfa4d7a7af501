using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Scenarios.Replay;

/// <summary>A recording to replay: the controller inputs in time order and the controller decisions that were
/// recorded with them. Times are milliseconds since the recording started.</summary>
/// <param name="Source">The file the recording came from.</param>
/// <param name="Devices">Fleet size: device numbers run from 0 to Devices - 1.</param>
/// <param name="Options">The recorded controller options, or null when the recording has none.</param>
/// <param name="Events">Controller inputs in time order.</param>
/// <param name="Recorded">Controller decisions of the recording, in time order; empty when it has none.</param>
/// <param name="EndMs">Time the recording ends; ticks after it are not replayed.</param>
/// <param name="RecordedCategories">Decision categories (see <see cref="DecisionComparison.Categories"/>) that the
/// recording records, or null when it records all of them, as a journal does. The replay is compared with the
/// recording only in these categories.</param>
public sealed record ReplayInput(
    string Source,
    int Devices,
    RolloutOptions? Options,
    IReadOnlyList<ReplayEvent> Events,
    IReadOnlyList<JournalEntry> Recorded,
    long EndMs,
    IReadOnlySet<string>? RecordedCategories = null);

/// <summary>One controller input of a recording.</summary>
public abstract record ReplayEvent(long TimeMs);

/// <summary>The deployment starts.</summary>
public sealed record ReplayStart(long TimeMs, StartDeployment Deployment) : ReplayEvent(TimeMs);

/// <summary>A device message as delivered to the server.</summary>
public sealed record ReplayMessage(long TimeMs, DeviceMessage Message) : ReplayEvent(TimeMs);

/// <summary>An operator action.</summary>
public sealed record ReplayOperator(long TimeMs, OperatorAction Action) : ReplayEvent(TimeMs);

/// <summary>The server goes down (no input reaches the controller) or comes back up.</summary>
public sealed record ReplayServer(long TimeMs, bool Up) : ReplayEvent(TimeMs);

/// <summary>Raised when a recording cannot be read; carries every problem with its place.</summary>
public sealed class ReplayInputException(IReadOnlyList<string> problems)
    : Exception(string.Join(Environment.NewLine, problems))
{
    public IReadOnlyList<string> Problems { get; } = problems;
}

/// <summary>Builds the unsigned manifests a replayed deployment needs. The controller only passes manifests on to
/// devices, so a replay needs no signature.</summary>
internal static class ReplayManifests
{
    public const string ArtifactUrl = "sim://artifacts/";

    public static StartDeployment Deployment(
        string releaseId, string version, int securityVersion, string digest, long size, string previousVersion,
        IReadOnlyList<HardwareTarget> hardware, IReadOnlyList<int> targets)
    {
        var release = new ReleaseManifest(releaseId, version, securityVersion, digest, size, hardware);
        var previousId = "previous-" + previousVersion;
        var previous = new ReleaseManifest(previousId, previousVersion, securityVersion, "", size, hardware);
        return new StartDeployment(new SignedManifest(release, [], ""), ArtifactUrl + releaseId, targets,
            new SignedManifest(previous, [], ""), ArtifactUrl + previousId);
    }
}
