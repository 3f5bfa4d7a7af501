using FleetOta.Protocol;
using FleetOta.Server.Persistence;

namespace FleetOta.Server.Host.State;

/// <summary>A registered release: its signed manifest and image bytes.</summary>
/// <param name="RegisteredAtMs">Virtual time of the registration.</param>
public sealed record StoredRelease(SignedManifest Manifest, byte[] Image, long RegisteredAtMs)
{
    public string ReleaseId => Manifest.Manifest.ReleaseId;
}

/// <summary>A started deployment as the operator requested it.</summary>
/// <param name="StartedAtMs">Virtual time of the start.</param>
public sealed record DeploymentRecord(
    string Id,
    string ReleaseId,
    string? PreviousReleaseId,
    IReadOnlyList<int> Targets,
    RolloutOptions Options,
    long StartedAtMs);

/// <summary>Where the host keeps releases, deployments and the state of the current deployment's controller.
/// Implementations are called under the host's lock, one call at a time.</summary>
public interface IServerStateStore : IDisposable
{
    /// <summary>Adds a release; false if one with the same id exists.</summary>
    bool TryAddRelease(StoredRelease release, string artifactUrl);

    StoredRelease? FindRelease(string releaseId);

    /// <summary>Returns the releases in registration order.</summary>
    IReadOnlyList<StoredRelease> Releases();

    /// <summary>Records a new deployment and replaces the saved controller with <paramref name="initial"/>, the state of
    /// the new deployment's controller before its first input.</summary>
    void AddDeployment(DeploymentRecord deployment, ControllerSnapshot initial);

    /// <summary>Returns the deployments in start order.</summary>
    IReadOnlyList<DeploymentRecord> Deployments();

    /// <summary>Returns the saved state of the last deployment's controller, or null.</summary>
    ControllerSnapshot? LoadController();

    /// <summary>Saves the controller's changes with the outputs of the same calls in one step and returns their
    /// outbox ids, which <see cref="MarkDone"/> takes once the outputs are carried out.</summary>
    IReadOnlyList<long> Commit(ControllerChanges changes, IReadOnlyList<ControllerOutput> outputs);

    void MarkDone(IReadOnlyList<long> outboxIds);

    /// <summary>Returns outputs committed before a restart but never marked done, oldest first.</summary>
    IReadOnlyList<OutboxItem> PendingOutputs();

    /// <summary>Records the virtual and the real time at which the server stopped.</summary>
    void SaveStopTime(long virtualMs, DateTimeOffset realUtc);

    /// <summary>Returns the times saved by the last clean stop, or null.</summary>
    (long VirtualMs, DateTimeOffset RealUtc)? LoadStopTime();
}

/// <summary>Keeps releases and deployments in memory for the life of the process; nothing survives a restart.</summary>
public sealed class InMemoryServerStateStore : IServerStateStore
{
    private readonly List<StoredRelease> _releases = [];
    private readonly Dictionary<string, StoredRelease> _releasesById = new(StringComparer.Ordinal);
    private readonly List<DeploymentRecord> _deployments = [];

    public bool TryAddRelease(StoredRelease release, string artifactUrl)
    {
        if (!_releasesById.TryAdd(release.ReleaseId, release))
        {
            return false;
        }

        _releases.Add(release);
        return true;
    }

    public StoredRelease? FindRelease(string releaseId) => _releasesById.GetValueOrDefault(releaseId);

    public IReadOnlyList<StoredRelease> Releases() => _releases.ToArray();

    public void AddDeployment(DeploymentRecord deployment, ControllerSnapshot initial) => _deployments.Add(deployment);

    public IReadOnlyList<DeploymentRecord> Deployments() => _deployments.ToArray();

    public ControllerSnapshot? LoadController() => null;

    public IReadOnlyList<long> Commit(ControllerChanges changes, IReadOnlyList<ControllerOutput> outputs) => [];

    public void MarkDone(IReadOnlyList<long> outboxIds)
    {
    }

    public IReadOnlyList<OutboxItem> PendingOutputs() => [];

    public void SaveStopTime(long virtualMs, DateTimeOffset realUtc)
    {
    }

    public (long VirtualMs, DateTimeOffset RealUtc)? LoadStopTime() => null;

    public void Dispose()
    {
    }
}
