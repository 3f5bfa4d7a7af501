using FleetOta.Protocol;

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

/// <summary>Where the host keeps releases and deployments. Implementations are called under the host's lock, one
/// call at a time.</summary>
/// <remarks>TODO: the controller's per-device state lives only in memory, so a server restart loses the running
/// rollout; the SQLite store of the server core is meant to replace <see cref="InMemoryServerStateStore"/> here.</remarks>
public interface IServerStateStore
{
    /// <summary>Adds a release; false if one with the same id exists.</summary>
    bool TryAddRelease(StoredRelease release);

    StoredRelease? FindRelease(string releaseId);

    /// <summary>Returns the releases in registration order.</summary>
    IReadOnlyList<StoredRelease> Releases();

    void AddDeployment(DeploymentRecord deployment);

    /// <summary>Returns the deployments in start order.</summary>
    IReadOnlyList<DeploymentRecord> Deployments();
}

/// <summary>Keeps releases and deployments in memory for the life of the process.</summary>
public sealed class InMemoryServerStateStore : IServerStateStore
{
    private readonly List<StoredRelease> _releases = [];
    private readonly Dictionary<string, StoredRelease> _releasesById = new(StringComparer.Ordinal);
    private readonly List<DeploymentRecord> _deployments = [];

    public bool TryAddRelease(StoredRelease release)
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

    public void AddDeployment(DeploymentRecord deployment) => _deployments.Add(deployment);

    public IReadOnlyList<DeploymentRecord> Deployments() => _deployments.ToArray();
}
