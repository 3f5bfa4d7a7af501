using System.Globalization;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;
using FleetOta.Server.Host.Http;
using FleetOta.Server.Host.State;

namespace FleetOta.Server.Host.Control;

internal sealed partial class RolloutEngine
{
    /// <summary>Signs and stores a release; 409 if the id is taken.</summary>
    public ReleaseView RegisterRelease(ReleaseRegistration registration)
    {
        var manifest = new ReleaseManifest(registration.ReleaseId, registration.Version, registration.SecurityVersion,
            Digests.Sha256Hex(registration.Image), registration.Image.Length, registration.Hardware);
        var signed = _signer.Sign(manifest);
        lock (_gate)
        {
            var release = new StoredRelease(signed, registration.Image, _clock.NowMs);
            if (!_store.TryAddRelease(release, ArtifactUrl(registration.ReleaseId)))
            {
                throw ApiException.Conflict("releaseId",
                    $"Release '{registration.ReleaseId}' is already registered; register the new image under another release id.");
            }

            _journal.AddRelease(new JournalRelease(manifest.ReleaseId, manifest.Version, manifest.SecurityVersion, manifest.ImageDigest,
                manifest.ImageSize, ""));
            Log.ReleaseRegistered(_logger, manifest.ReleaseId, manifest.Version, manifest.ImageSize, manifest.ImageDigest);
            return View(release);
        }
    }

    public IReadOnlyList<ReleaseView> ListReleases()
    {
        lock (_gate)
        {
            return _store.Releases().Select(View).ToArray();
        }
    }

    public ReleaseView GetRelease(string releaseId)
    {
        lock (_gate)
        {
            return View(FindRelease(releaseId, "releaseId"));
        }
    }

    /// <summary>Returns the stored release for artifact download, or null.</summary>
    public StoredRelease? FindArtifact(string releaseId)
    {
        lock (_gate)
        {
            return _store.FindRelease(releaseId);
        }
    }

    public DeploymentView StartDeployment(DeploymentRequest request)
    {
        lock (_gate)
        {
            var release = FindRelease(request.ReleaseId, "releaseId");
            var previous = request.PreviousReleaseId is { } previousId ? FindRelease(previousId, "previousReleaseId") : null;
            if (Current is { IsActive: true } active)
            {
                throw ApiException.Conflict(null,
                    $"Deployment {active.Id} of release {active.Release.ReleaseId} is still {Phase(active)}; abort it first (POST {HttpPaths.Abort(active.Id)}) or wait until it completes.");
            }

            var now = _clock.NowMs;
            CommitPending();
            _deploymentsStarted++;
            var id = "dep-" + _deploymentsStarted.ToString(CultureInfo.InvariantCulture);
            var record = new DeploymentRecord(id, release.ReleaseId, previous?.ReleaseId, request.Targets, request.Options, now);
            var controller = new RolloutController(request.Options, DeploymentRun.FleetSizeOf(request.Targets));
            var run = new DeploymentRun(record, release, previous, controller);
            _store.AddDeployment(record, controller.Snapshot());
            controller.TakeChanges();
            _deployments.Add(run);
            WriteRunValues(run);
            Run(run, new StartDeployment(release.Manifest, ArtifactUrl(release.ReleaseId), request.Targets, previous?.Manifest,
                previous is null ? null : ArtifactUrl(previous.ReleaseId)), now);
            CommitPending();
            Log.DeploymentStarted(_logger, id, release.ReleaseId, request.Targets.Length);
            return View(run, now);
        }
    }

    public IReadOnlyList<DeploymentView> ListDeployments()
    {
        lock (_gate)
        {
            var now = _clock.NowMs;
            return _deployments.Select(run => View(run, now)).ToArray();
        }
    }

    public DeploymentView GetDeployment(string deploymentId)
    {
        lock (_gate)
        {
            return View(FindDeployment(deploymentId), _clock.NowMs);
        }
    }

    /// <summary>Applies pause, resume or abort; 409 when the rollout is not in a phase the action applies to.</summary>
    public DeploymentView Control(string deploymentId, OperatorActionKind kind)
    {
        lock (_gate)
        {
            var run = FindCurrent(deploymentId);
            if (ControlConflict(run, kind) is { } conflict)
            {
                throw ApiException.Conflict(null, conflict);
            }

            var now = _clock.NowMs;
            Apply(run, new OperatorAction(kind), now);
            return View(run, now);
        }
    }

    /// <summary>Applies a recovery action to one device or to every eligible device of the current deployment.</summary>
    public RecoveryResult Recover(string deploymentId, OperatorActionKind kind, int? device)
    {
        lock (_gate)
        {
            var run = FindCurrent(deploymentId);
            if (device is { } one && !run.Record.Targets.Contains(one))
            {
                throw ApiException.NotFound("device", $"Device {one} is not a target of deployment {deploymentId}; pick a targeted device or omit device.");
            }

            if (kind == OperatorActionKind.RedeployPrevious && run.Previous is null)
            {
                throw ApiException.Conflict(null,
                    $"Deployment {deploymentId} has no previous release; start the deployment with previousReleaseId to re-deploy it.");
            }

            if (kind == OperatorActionKind.RetryFailed && run.Controller.Phase == RolloutPhase.Aborted)
            {
                throw ApiException.Conflict(null,
                    $"Deployment {deploymentId} is aborted, so its failed devices are not retried; start a new deployment to offer the release again, " +
                    "or use force-rollback or redeploy-previous to undo it.");
            }

            var now = _clock.NowMs;
            // Timers that are due (offers, time-outs) fire first, so that the action's outputs name only the devices it
            // acted on, and the states it is judged against are those it saw.
            Run(run, Tick.Instance, now);
            IReadOnlyList<int> considered = device is { } selected ? [selected] : run.Record.Targets;
            var statesBefore = considered.Select(run.Controller.StateOf).ToArray();
            var devices = Apply(run, new OperatorAction(kind, device), now);
            var acted = devices.ToHashSet();
            var skipped = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < considered.Count; i++)
            {
                if (!acted.Contains(considered[i]))
                {
                    Count(skipped, statesBefore[i].ToWire());
                }
            }

            return new RecoveryResult(deploymentId, WireName(kind), devices, skipped, SkipReason(kind, skipped), View(run, now));
        }
    }

    public FleetView Fleet()
    {
        lock (_gate)
        {
            var now = _clock.NowMs;
            var run = Current;
            var ids = new SortedSet<int>(_devices.Keys);
            if (run is not null)
            {
                ids.UnionWith(run.Record.Targets);
            }

            var devices = new List<DeviceView>(ids.Count);
            var states = new SortedDictionary<string, int>(StringComparer.Ordinal);
            var versions = new SortedDictionary<string, int>(StringComparer.Ordinal);
            foreach (var id in ids)
            {
                var state = StateOf(run, id).ToWire();
                var seen = _devices.GetValueOrDefault(id);
                var version = seen?.RunningVersion;
                devices.Add(new DeviceView(id, state, version, seen?.ActiveSlot?.ToWire(), seen?.Healthy, seen?.Degraded, seen?.LastSeenMs));
                Count(states, state);
                Count(versions, version ?? "unknown");
            }

            return new FleetView(run?.Id, now, devices.Count, states, versions, devices);
        }
    }

    private List<int> Apply(DeploymentRun run, OperatorAction action, long now)
    {
        _outputs.Clear();
        var devices = new SortedSet<int>();
        string? rejection = null;
        try
        {
            run.Controller.Handle(action, now, _outputs);
            foreach (var output in _outputs)
            {
                switch (output)
                {
                    case SendToDevice send:
                        devices.Add(send.Message.DeviceId);
                        break;
                    case ActionRejected rejected:
                        rejection = rejected.Reason;
                        break;
                }
            }
        }
        catch (Exception error) when (error is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
        {
            Log.OperatorActionFailed(_logger, WireName(action.Kind), run.Id, error);
            throw;
        }
        finally
        {
            Stage(run, now);
            CommitPending();
        }

        if (rejection is not null)
        {
            throw ApiException.Conflict(null, $"The controller rejected {WireName(action.Kind)} on deployment {run.Id}: {rejection}.");
        }

        Log.OperatorActionApplied(_logger, WireName(action.Kind), run.Id, action.Device?.ToString(CultureInfo.InvariantCulture) ?? "all", devices.Count);
        return [.. devices];
    }

    private void WriteRunValues(DeploymentRun run)
    {
        var manifest = run.Release.Manifest.Manifest;
        _journal.SetRunValue("host", "live");
        _journal.SetRunValue("deployment", run.Id);
        _journal.SetRunValue("release", manifest.ReleaseId);
        _journal.SetRunValue("release_version", manifest.Version);
        _journal.SetRunValue("previous_version", run.Previous?.Manifest.Manifest.Version ?? "");
        _journal.SetRunValue("release_at_ms", run.Record.StartedAtMs.ToString(CultureInfo.InvariantCulture));
        _journal.SetRunValue("release_hardware", string.Join(";", manifest.CompatibleHardware.Select(target => $"{target.Model}/{target.Revision}")));
        _journal.SetRunValue("time_factor", _clock.Factor.ToString(CultureInfo.InvariantCulture));
        if (run.Previous is { } previous)
        {
            _journal.AddRelease(new JournalRelease(manifest.ReleaseId, manifest.Version, manifest.SecurityVersion, manifest.ImageDigest,
                manifest.ImageSize, previous.Manifest.Manifest.Version));
        }
    }

    private StoredRelease FindRelease(string releaseId, string field) =>
        _store.FindRelease(releaseId)
        ?? throw ApiException.NotFound(field, $"Release '{releaseId}' is not registered; register it with POST {HttpPaths.Releases} first.");

    private DeploymentRun FindDeployment(string deploymentId) =>
        _deployments.Find(run => run.Id == deploymentId)
        ?? throw ApiException.NotFound("deploymentId", $"Deployment '{deploymentId}' does not exist; list deployments with GET {HttpPaths.Deployments}.");

    private DeploymentRun FindCurrent(string deploymentId)
    {
        var run = FindDeployment(deploymentId);
        return ReferenceEquals(run, Current)
            ? run
            : throw ApiException.Conflict("deploymentId",
                $"Deployment {deploymentId} was replaced by deployment {Current!.Id}; act on the current deployment instead.");
    }

    private string ArtifactUrl(string releaseId) => HttpBaseUrl + HttpPaths.Artifact(releaseId);

    private ReleaseView View(StoredRelease release)
    {
        var manifest = release.Manifest.Manifest;
        return new ReleaseView(manifest.ReleaseId, manifest.Version, manifest.SecurityVersion, manifest.ImageDigest, manifest.ImageSize,
            manifest.CompatibleHardware.Select(target => new HardwareModel(target.Model, target.Revision)).ToArray(),
            release.Manifest.KeyId, Convert.ToBase64String(release.Manifest.Signature), ArtifactUrl(manifest.ReleaseId), release.RegisteredAtMs);
    }

    private static DeploymentView View(DeploymentRun run, long now)
    {
        var states = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (var device in run.Record.Targets)
        {
            Count(states, run.Controller.StateOf(device).ToWire());
        }

        return new DeploymentView(run.Id, run.Release.ReleaseId, run.Release.Manifest.Manifest.Version, run.Previous?.ReleaseId, Phase(run),
            run.Controller.CurrentWave + 1, run.Record.Options.Waves.Count, run.Record.Targets.Count, states, run.Record.StartedAtMs, now);
    }

    private static ActionState StateOf(DeploymentRun? run, int device) =>
        run is not null && device < run.FleetSize ? run.Controller.StateOf(device) : ActionState.NotTargeted;

    private static string Phase(DeploymentRun run) => run.Controller.Phase.ToString().ToLowerInvariant();

    private static void Count(SortedDictionary<string, int> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;

    /// <summary>Returns why <paramref name="kind"/> does not fit the rollout's phase, or null when it does.</summary>
    private static string? ControlConflict(DeploymentRun run, OperatorActionKind kind)
    {
        var phase = run.Controller.Phase;
        var id = run.Id;
        return (kind, phase) switch
        {
            (OperatorActionKind.Pause, RolloutPhase.Running) => null,
            (OperatorActionKind.Resume, RolloutPhase.Paused) => null,
            (OperatorActionKind.Abort, RolloutPhase.Running or RolloutPhase.Paused) => null,
            (OperatorActionKind.Pause, RolloutPhase.Paused) => $"Deployment {id} is already paused; resume it with POST {HttpPaths.Resume(id)}.",
            (OperatorActionKind.Resume, RolloutPhase.Running) => $"Deployment {id} is already running, so there is nothing to resume.",
            (OperatorActionKind.Abort, RolloutPhase.Aborted) => $"Deployment {id} is already aborted.",
            (_, RolloutPhase.Aborted or RolloutPhase.Completed) =>
                $"Deployment {id} is {Phase(run)}, so it can no longer be {Describe(kind)}; start a new deployment instead.",
            _ => $"Deployment {id} is {Phase(run)}, so it cannot be {Describe(kind)}; only a {(kind == OperatorActionKind.Resume ? "paused" : "running")} rollout can be.",
        };
    }

    private static string Describe(OperatorActionKind kind) => kind switch
    {
        OperatorActionKind.Pause => "paused",
        OperatorActionKind.Resume => "resumed",
        _ => "aborted",
    };

    /// <summary>Returns why a recovery action skipped devices, or null when it skipped none.</summary>
    private static string? SkipReason(OperatorActionKind kind, SortedDictionary<string, int> skipped)
    {
        if (skipped.Count == 0)
        {
            return null;
        }

        var eligible = kind switch
        {
            OperatorActionKind.RetryFailed => "failed or rolled-back",
            OperatorActionKind.ForceRollback => "failed, rolled-back, timed-out, degraded or succeeded",
            _ => "failed, rolled-back, timed-out or degraded",
        };
        var states = string.Join(", ", skipped.Select(pair => $"{pair.Value.ToString(CultureInfo.InvariantCulture)} {pair.Key}"));
        return $"{WireName(kind)} applies only to {eligible} devices, so it skipped {skipped.Values.Sum().ToString(CultureInfo.InvariantCulture)} devices: {states}.";
    }

    private static string WireName(OperatorActionKind kind) => kind switch
    {
        OperatorActionKind.Pause => "pause",
        OperatorActionKind.Resume => "resume",
        OperatorActionKind.Abort => "abort",
        OperatorActionKind.RetryFailed => "retry-failed",
        OperatorActionKind.ForceRollback => "force-rollback",
        OperatorActionKind.RedeployPrevious => "redeploy-previous",
        _ => kind.ToString(),
    };
}
