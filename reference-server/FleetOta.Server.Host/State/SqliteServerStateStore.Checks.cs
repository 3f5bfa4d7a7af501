using System.Globalization;

namespace FleetOta.Server.Host.State;

// Checks that the files of a data folder agree, so that a file deleted, emptied or restored from another backup
// stops the start instead of losing the state that the other files still describe.
public sealed partial class SqliteServerStateStore
{
    private const string StartEmpty = "or start with an empty data folder";

    private static InvalidDataException CorruptController(string path, Exception error) => new(
        $"The controller state {path} is not a readable SQLite store ({error.Message}); restore it from a backup, {StartEmpty}.", error);

    private static void CheckDeploymentRecords(string path, List<DeploymentRecord> deployments)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < deployments.Count; i++)
        {
            var record = deployments[i];
            var number = (i + 1).ToString(CultureInfo.InvariantCulture);
            if (record is null || string.IsNullOrEmpty(record.Id) || string.IsNullOrEmpty(record.ReleaseId) || record.Targets is null || record.Options is null)
            {
                throw new InvalidDataException(
                    $"Entry {number} of the deployment list {path} lacks its id, release id, targets or options; restore the file from a backup, {StartEmpty}.");
            }

            if (!ids.Add(record.Id))
            {
                throw new InvalidDataException(
                    $"The deployment list {path} lists deployment {record.Id} twice; restore the file from a backup, {StartEmpty}.");
            }
        }
    }

    /// <param name="controllerExisted">False when controller.sqlite was missing or empty before this start.</param>
    private void CheckFilesAgree(bool controllerExisted)
    {
        var controllerPath = Path.Combine(_directory, ControllerFileName);
        var deploymentsPath = Path.Combine(_directory, DeploymentsFileName);
        var controllerState = _store.HasState;
        if (_deployments.Count > 0 && !controllerState)
        {
            var what = controllerExisted ? "contains no controller state" : "was missing or empty";
            throw new InvalidDataException(
                $"The deployment list {deploymentsPath} lists deployments up to {_deployments[^1].Id}, but the controller state " +
                $"{controllerPath} {what}, so the releases and the device states of the rollout are lost. Restore {ControllerFileName} from a " +
                $"backup, {StartEmpty}.");
        }

        if (_deployments.Count == 0 && controllerState)
        {
            throw new InvalidDataException(
                $"The controller state {controllerPath} contains a deployment, but the deployment list {deploymentsPath} is missing or empty, so the " +
                $"deployment's targets and rollout options are lost. Restore {DeploymentsFileName} from a backup, {StartEmpty}.");
        }

        foreach (var record in _deployments)
        {
            foreach (var releaseId in new[] { record.ReleaseId, record.PreviousReleaseId })
            {
                if (releaseId is not null && !_releasesById.ContainsKey(releaseId))
                {
                    throw new InvalidDataException(
                        $"Deployment {record.Id} in {deploymentsPath} names release {releaseId}, which the controller state {controllerPath} does not " +
                        $"contain. Restore both files from the same backup, {StartEmpty}.");
                }
            }
        }

        if (_deployments.Count > 0 && _store.Load()?.Deployment is { } started && started.Release.Manifest.ReleaseId != _deployments[^1].ReleaseId)
        {
            throw new InvalidDataException(
                $"The controller state {controllerPath} runs a deployment of release {started.Release.Manifest.ReleaseId}, but the last deployment " +
                $"{_deployments[^1].Id} in {deploymentsPath} is of release {_deployments[^1].ReleaseId}. Restore both files from the same backup, {StartEmpty}.");
        }

        foreach (var image in Directory.GetFiles(Path.Combine(_directory, ArtifactsFolderName), "*.img").Order(StringComparer.Ordinal))
        {
            var releaseId = Path.GetFileNameWithoutExtension(image);
            if (!_releasesById.ContainsKey(releaseId))
            {
                // NOTE: a crash between writing the image and saving the manifest also leaves an image without a release.
                throw new InvalidDataException(
                    $"The image {image} belongs to release {releaseId}, which the controller state {controllerPath} does not contain, so registering " +
                    $"{releaseId} again would replace it. Restore {ControllerFileName} from a backup, delete the image if its registration never " +
                    $"returned 201, {StartEmpty}.");
            }
        }
    }
}
