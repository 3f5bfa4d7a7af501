namespace FleetOta.Server;

public sealed partial class RolloutController
{
    /// <summary>Returns what changed since the last call and starts collecting again. Call it after each
    /// <see cref="Handle"/> (or batch of calls) and save the result with the outputs of those calls in one transaction,
    /// so that a restart restores exactly the state those outputs came from.</summary>
    public ControllerChanges TakeChanges()
    {
        var devices = _dirty.Order().Select(DeviceSnapshotOf).ToList();
        _dirty.Clear();
        var faults = _newFaults.ToList();
        _newFaults.Clear();
        var deployment = _deploymentChanged ? _deployment : null;
        if (_deploymentChanged && deployment is null)
        {
            throw new InvalidOperationException("A deployment change was recorded without a deployment.");
        }

        _deploymentChanged = false;
        return new ControllerChanges(deployment, Globals(), devices, faults);
    }

    /// <summary>Returns the whole state, for a first save or a copy.</summary>
    public ControllerSnapshot Snapshot() =>
        new(_deployment, Globals(), Enumerable.Range(0, _devices.Length).Select(DeviceSnapshotOf).ToList(),
            _monitor.Faults.Select(fault => new FaultRecord(fault.TimeMs, fault.Device)).ToList());

    /// <summary>Rebuilds a controller from a stored snapshot. Handling the same inputs afterwards gives the same outputs as
    /// the controller that was saved.</summary>
    /// <exception cref="ArgumentException">The snapshot does not fit the options: another seed or fleet size.</exception>
    public static RolloutController Restore(RolloutOptions options, ControllerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var globals = snapshot.Globals;
        if (globals.Seed != options.Seed)
        {
            throw new ArgumentException(
                $"The stored controller state was drawn with seed {globals.Seed}, but the options have seed {options.Seed}; " +
                "restore with the options the deployment started with.", nameof(options));
        }

        var controller = new RolloutController(options, globals.FleetSize);
        if (snapshot.Devices.Count != globals.FleetSize)
        {
            throw new ArgumentException(
                $"The stored state lists {snapshot.Devices.Count} devices but a fleet of {globals.FleetSize}; the store is incomplete.", nameof(snapshot));
        }

        foreach (var device in snapshot.Devices)
        {
            controller.RestoreDevice(device);
        }

        controller.RestoreGlobals(snapshot.Deployment, globals, snapshot.Faults);
        return controller;
    }

    private void RestoreDevice(DeviceSnapshot stored)
    {
        var action = _devices[stored.Device];
        action.Name = stored.Name;
        action.HardwareModel = stored.HardwareModel;
        action.HardwareRevision = stored.HardwareRevision;
        action.RunningVersion = stored.RunningVersion;
        action.LastSeenMs = stored.LastSeenMs;
        action.LastSequence = stored.LastSequence;
        action.State = stored.State;
        action.Wave = stored.Wave;
        action.Attempts = stored.Attempts;
        action.LastOfferMs = stored.LastOfferMs;
        action.ActivatedMs = stored.ActivatedMs;
        action.StateSinceMs = stored.StateSinceMs;
        action.DeadlineMs = stored.DeadlineMs;
        action.WaitingSinceMs = stored.WaitingSinceMs;
        action.HoldsDownloadSlot = stored.HoldsDownloadSlot;
        action.RecoveryPending = stored.RecoveryPending;
        action.RecoveryActions = stored.RecoveryActions;
        if (action.DeadlineMs >= 0)
        {
            _deadlines.Add((action.DeadlineMs, stored.Device));
        }

        if (action.WaitingSinceMs >= 0)
        {
            _waitingForSlot.Add((action.WaitingSinceMs, stored.Device));
        }

        if (action.HoldsDownloadSlot)
        {
            _downloadSlotsInUse++;
        }
    }

    private void RestoreGlobals(StartDeployment? deployment, ControllerGlobals globals, IReadOnlyList<FaultRecord> faults)
    {
        _deployment = deployment;
        if (deployment is not null)
        {
            _waveOrder = deployment.Targets.OrderBy(device => Mix(_options.Seed, device)).ThenBy(device => device).ToArray();
            _downloadCap = _options.MaxConcurrentDownloads?.Resolve(_waveOrder.Length) ?? int.MaxValue;
        }

        Phase = globals.Phase;
        _wave = globals.Wave;
        _waveStartedMs = globals.WaveStartedMs;
        _gateMetMs = globals.GateMetMs;
        _gateReported = globals.GateReported;
        _nextTickMs = globals.NextTickMs;
        _lastNowMs = globals.LastNowMs;
        _breachActive = globals.BreachActive;
        _breachMs = globals.BreachMs;
        _alerts = globals.Alerts;
        _successes = globals.Successes;
        _pacingCursor = globals.PacingCursor;
        _nextPacedOfferMs = globals.NextPacedOfferMs;
        foreach (var fault in faults)
        {
            if (fault.TimeMs > globals.FaultHorizonMs)
            {
                _monitor.RecordFault(fault.TimeMs, fault.Device);
            }
        }

        _monitor.RestoreActivated(_devices.Count(action => action.ActivatedMs >= 0));
    }

    private ControllerGlobals Globals() =>
        new(_options.Seed, _devices.Length, Phase, _wave, _waveStartedMs, _gateMetMs, _gateReported, _nextTickMs, _lastNowMs, _breachActive,
            _breachMs, _alerts, _successes, _pacingCursor, _nextPacedOfferMs, _lastNowMs == long.MinValue ? long.MinValue : _lastNowMs - _monitor.WindowMs);

    private DeviceSnapshot DeviceSnapshotOf(int device)
    {
        var action = _devices[device];
        return new DeviceSnapshot(device, action.Name, action.HardwareModel, action.HardwareRevision, action.RunningVersion, action.LastSeenMs,
            action.LastSequence, action.State, action.Wave, action.Attempts, action.LastOfferMs, action.ActivatedMs, action.StateSinceMs,
            action.DeadlineMs, action.WaitingSinceMs, action.HoldsDownloadSlot, action.RecoveryPending, action.RecoveryActions);
    }
}
