using System.Text.Json;
using FleetOta.Protocol;
using FleetOta.Server.Persistence;
using Microsoft.Data.Sqlite;

namespace FleetOta.Server.Host.State;

/// <summary>Keeps the server's state in its data folder, so that a restarted server continues the current deployment
/// with no device state lost and no decision taken twice.</summary>
/// <remarks>
/// <c>controller.sqlite</c> is the server core's <see cref="SqliteControllerStore"/>: the controller of the current
/// deployment, its outbox and the signed manifests. Images are files <c>artifacts/{releaseId}.img</c>, checked against
/// their manifest digest on load. <c>deployments.json</c> lists the deployments with their rollout options, which
/// the controller needs to be restored. <c>stopped.json</c> contains the virtual and real time of the last clean stop.
/// </remarks>
public sealed partial class SqliteServerStateStore : IServerStateStore
{
    public const string ControllerFileName = "controller.sqlite";
    public const string DeploymentsFileName = "deployments.json";
    public const string ArtifactsFolderName = "artifacts";
    public const string StopTimeFileName = "stopped.json";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    private readonly SqliteControllerStore _store;
    private readonly string _directory;
    private readonly List<StoredRelease> _releases = [];
    private readonly Dictionary<string, StoredRelease> _releasesById = new(StringComparer.Ordinal);
    private readonly List<DeploymentRecord> _deployments;

    private SqliteServerStateStore(SqliteControllerStore store, string directory, List<DeploymentRecord> deployments)
    {
        _store = store;
        _directory = directory;
        _deployments = deployments;
    }

    /// <summary>Opens the state in <paramref name="directory"/>, creating the files on first use, and checks that the
    /// files agree with each other.</summary>
    /// <exception cref="InvalidDataException">A file is unreadable or corrupt, an image does not match its manifest, or
    /// one file lists state that another lacks. The message names the files and what to do.</exception>
    public static SqliteServerStateStore Open(string directory)
    {
        var controllerPath = Path.Combine(directory, ControllerFileName);
        var controllerExisted = File.Exists(controllerPath) && new FileInfo(controllerPath).Length > 0;
        Directory.CreateDirectory(Path.Combine(directory, ArtifactsFolderName));
        SqliteControllerStore store;
        try
        {
            // A crash loses at most the operating system's unwritten cache, not a committed step of a live process.
            store = SqliteControllerStore.Open(controllerPath, flushEveryCommit: false);
        }
        catch (SqliteException error)
        {
            throw CorruptController(controllerPath, error);
        }

        try
        {
            var state = new SqliteServerStateStore(store, directory, ReadDeployments(directory));
            foreach (var entry in store.LoadReleases())
            {
                var release = state.ReadRelease(entry.Release);
                state._releases.Add(release);
                state._releasesById[release.ReleaseId] = release;
            }

            state.CheckFilesAgree(controllerExisted);
            return state;
        }
        catch (Exception error) when (error is SqliteException or JsonException)
        {
            store.Dispose();
            throw CorruptController(controllerPath, error);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    public bool TryAddRelease(StoredRelease release, string artifactUrl)
    {
        if (_releasesById.ContainsKey(release.ReleaseId))
        {
            return false;
        }

        var path = ImagePath(release.ReleaseId);
        File.WriteAllBytes(path + ".tmp", release.Image);
        File.Move(path + ".tmp", path, overwrite: true);
        _store.SaveRelease(new CatalogueEntry(release.Manifest, artifactUrl));
        _releases.Add(release);
        _releasesById[release.ReleaseId] = release;
        return true;
    }

    public StoredRelease? FindRelease(string releaseId) => _releasesById.GetValueOrDefault(releaseId);

    public IReadOnlyList<StoredRelease> Releases() => _releases.ToArray();

    public void AddDeployment(DeploymentRecord deployment, ControllerSnapshot initial)
    {
        _deployments.Add(deployment);
        var path = Path.Combine(_directory, DeploymentsFileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(_deployments, Json));
        File.Move(path + ".tmp", path, overwrite: true);
        _store.SaveSnapshot(initial);
    }

    public IReadOnlyList<DeploymentRecord> Deployments() => _deployments.ToArray();

    public ControllerSnapshot? LoadController() => _deployments.Count == 0 ? null : _store.Load();

    public IReadOnlyList<long> Commit(ControllerChanges changes, IReadOnlyList<ControllerOutput> outputs) =>
        _store.Commit(changes, outputs).Select(item => item.Id).ToArray();

    public void MarkDone(IReadOnlyList<long> outboxIds)
    {
        if (outboxIds.Count > 0)
        {
            _store.MarkDone(outboxIds);
        }
    }

    public IReadOnlyList<OutboxItem> PendingOutputs() => _store.PendingOutputs();

    public void SaveStopTime(long virtualMs, DateTimeOffset realUtc)
    {
        var path = Path.Combine(_directory, StopTimeFileName);
        File.WriteAllText(path + ".tmp", JsonSerializer.Serialize(new StopTime(virtualMs, realUtc), Json));
        File.Move(path + ".tmp", path, overwrite: true);
    }

    public (long VirtualMs, DateTimeOffset RealUtc)? LoadStopTime()
    {
        var path = Path.Combine(_directory, StopTimeFileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            var stop = JsonSerializer.Deserialize<StopTime>(File.ReadAllText(path), Json);
            return stop is null ? null : (stop.VirtualMs, stop.RealUtc);
        }
        catch (JsonException error)
        {
            throw new InvalidDataException($"The stop time file {path} is not valid JSON ({error.Message}); delete it to resume from the controller's last step.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"The stop time file {path} cannot be read ({error.Message}); fix its permissions, or delete it to resume from the controller's last step.", error);
        }
    }

    public void Dispose() => _store.Dispose();

    private sealed record StopTime(long VirtualMs, DateTimeOffset RealUtc);

    private StoredRelease ReadRelease(SignedManifest manifest)
    {
        var path = ImagePath(manifest.Manifest.ReleaseId);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"The image of release {manifest.Manifest.ReleaseId} is missing at {path}; restore the file or start with an empty data folder.");
        }

        byte[] image;
        try
        {
            image = File.ReadAllBytes(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException(
                $"The image of release {manifest.Manifest.ReleaseId} at {path} cannot be read ({error.Message}); fix its permissions or restore the file.", error);
        }

        var digest = Digests.Sha256Hex(image);
        if (digest != manifest.Manifest.ImageDigest)
        {
            throw new InvalidDataException(
                $"The image {path} has SHA-256 {digest}, but release {manifest.Manifest.ReleaseId} was signed with {manifest.Manifest.ImageDigest}; restore the original file.");
        }

        // NOTE: the store keeps no registration time, so a restored release reports 0.
        return new StoredRelease(manifest, image, 0);
    }

    private string ImagePath(string releaseId) => Path.Combine(_directory, ArtifactsFolderName, releaseId + ".img");

    private static List<DeploymentRecord> ReadDeployments(string directory)
    {
        var path = Path.Combine(directory, DeploymentsFileName);
        if (!File.Exists(path))
        {
            return [];
        }

        List<DeploymentRecord> deployments;
        try
        {
            deployments = JsonSerializer.Deserialize<List<DeploymentRecord>>(File.ReadAllText(path), Json) ?? [];
        }
        catch (JsonException error)
        {
            throw new InvalidDataException(
                $"The deployment list {path} is not valid JSON ({error.Message}); restore it from a backup, or start with an empty data folder.", error);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"The deployment list {path} cannot be read ({error.Message}); fix its permissions or restore it from a backup.", error);
        }

        CheckDeploymentRecords(path, deployments);
        return deployments;
    }
}
