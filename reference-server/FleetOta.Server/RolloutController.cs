using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

/// <summary>The reference rollout controller: a deterministic state machine over a device registry and one deployment
/// at a time. Each call takes one input and the current time and appends outputs. It reads no clock and does no I/O;
/// the host calls <see cref="Handle"/> with <see cref="Tick"/> at <see cref="NextWakeUpMs"/> at the latest, and saves
/// <see cref="TakeChanges"/> to its store after each call (or batch of calls).</summary>
public sealed partial class RolloutController
{
    private const string Actor = "server";

    private readonly RolloutOptions _options;
    private readonly DeviceAction[] _devices;

    // One live deadline per device, ordered by (time, device) so that equal times run in a fixed order.
    private readonly SortedSet<(long AtMs, int Device)> _deadlines = new();

    // Devices whose offer is due and waits for a free download slot, ordered by (due time, device).
    private readonly SortedSet<(long DueMs, int Device)> _waitingForSlot = new();

    private readonly HashSet<int> _dirty = [];
    private readonly List<FaultRecord> _newFaults = [];

    private FaultRateMonitor _monitor;
    private StartDeployment? _deployment;
    private bool _deploymentChanged;
    private int[] _waveOrder = [];
    private int _wave = -1;
    private long _waveStartedMs;
    private long _gateMetMs = -1;
    private bool _gateReported;
    private long _nextTickMs;
    private long _lastNowMs = long.MinValue;
    private bool _breachActive;
    private long _breachMs = -1;
    private int _alerts;
    private int _successes;
    private int _downloadCap = int.MaxValue;
    private int _downloadSlotsInUse;
    private int _pacingCursor;
    private long _nextPacedOfferMs = long.MaxValue;

    /// <summary>Creates a controller for devices numbered 0 to <paramref name="fleetSize"/> - 1.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and the fix.</exception>
    public RolloutController(RolloutOptions options, int fleetSize)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfNegative(fleetSize);
        options.Validate();
        _options = options;
        _devices = new DeviceAction[fleetSize];
        for (var i = 0; i < fleetSize; i++)
        {
            _devices[i] = new DeviceAction();
        }

        _monitor = new FaultRateMonitor(options.FaultMonitor.WindowMs);
    }

    public RolloutOptions Options => _options;

    public int FleetSize => _devices.Length;

    public RolloutPhase Phase { get; private set; } = RolloutPhase.Idle;

    /// <summary>Index of the current wave from 0, or -1 before the first deployment.</summary>
    public int CurrentWave => _wave;

    /// <summary>The running or last deployment, or null before the first one.</summary>
    public StartDeployment? Deployment => _deployment;

    /// <summary>Time of the first breach of the current breach episode, or of the last one; -1 if none.</summary>
    public long BreachAtMs => _breachMs;

    /// <summary>Devices counted as activated on the new version: the denominator of the critical-fault rate.</summary>
    public int ActivatedDevices => _monitor.Activated;

    /// <summary>Distinct devices with a critical fault in the window as of the last evaluation: the numerator of the rate.</summary>
    public int FaultyDevicesInWindow => _monitor.FaultyDevices;

    /// <summary>Devices that hold a download slot now (offered and not yet answered, or downloading).</summary>
    public int DownloadSlotsInUse => _downloadSlotsInUse;

    /// <summary>Time of the next tick, deadline or paced offer the controller needs; the host calls <see cref="Handle"/>
    /// with <see cref="Tick"/> then.</summary>
    public long NextWakeUpMs
    {
        get
        {
            var next = _nextTickMs;
            if (_deadlines.Count > 0 && _deadlines.Min.AtMs < next)
            {
                next = _deadlines.Min.AtMs;
            }

            if (PacingWaits() && _nextPacedOfferMs < next)
            {
                next = _nextPacedOfferMs;
            }

            return next;
        }
    }

    public ActionState StateOf(int device) => _devices[device].State;

    public string RunningVersionOf(int device) => _devices[device].RunningVersion;

    /// <summary>Handles one input at <paramref name="nowMs"/>. A time earlier than a previous call's is taken as that
    /// earlier call's time, so that a host with several threads cannot move the controller back in time.</summary>
    public void Handle(ControllerInput input, long nowMs, List<ControllerOutput> outputs)
    {
        ArgumentNullException.ThrowIfNull(input);
        nowMs = Math.Max(nowMs, _lastNowMs);
        _lastNowMs = nowMs;
        RunDueDeadlines(nowMs, outputs);
        switch (input)
        {
            case StartDeployment start:
                Start(start, nowMs, outputs);
                break;
            case Delivered { Message: var message }:
                OnMessage(message, nowMs, outputs);
                break;
            case Tick:
                OnTick(nowMs, outputs);
                break;
            case OperatorAction action:
                OnOperator(action, nowMs, outputs);
                break;
            case RegisterDevice registration:
                Register(registration);
                break;
            default:
                throw new ArgumentException($"The controller has no handler for input {input.GetType().Name}.", nameof(input));
        }

        PumpOffers(nowMs, outputs);
    }

    private void Start(StartDeployment start, long nowMs, List<ControllerOutput> outputs)
    {
        if (_deployment is not null && Phase is RolloutPhase.Running or RolloutPhase.Paused)
        {
            throw new InvalidOperationException(
                $"Deployment of {_deployment.Release.Manifest.ReleaseId} is {Phase.ToString().ToLowerInvariant()}; abort it before starting " +
                $"{start.Release.Manifest.ReleaseId}.");
        }

        CheckTargets(start.Targets);
        ResetDeployment();
        _deployment = start;
        _deploymentChanged = true;
        _waveOrder = start.Targets.OrderBy(device => Mix(_options.Seed, device)).ThenBy(device => device).ToArray();
        foreach (var device in _waveOrder)
        {
            Mutable(device).State = ActionState.Waiting;
        }

        _downloadCap = _options.MaxConcurrentDownloads?.Resolve(_waveOrder.Length) ?? int.MaxValue;
        Phase = RolloutPhase.Running;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.DeploymentStarted, Release: ReleaseId, Version: start.Release.Manifest.Version,
            Value: _waveOrder.Length, Detail: $"{_options.Waves.Count} waves", Actor: Actor));
        StartWave(0, nowMs, outputs);
        _nextTickMs = nowMs + _options.TickMs;
    }

    private void CheckTargets(IReadOnlyList<int> targets)
    {
        var seen = new HashSet<int>();
        foreach (var device in targets)
        {
            if ((uint)device >= (uint)_devices.Length)
            {
                throw new ArgumentException(
                    $"Target device {device} is outside the fleet of {_devices.Length} devices (0 to {_devices.Length - 1}).", nameof(targets));
            }

            if (!seen.Add(device))
            {
                throw new ArgumentException($"Target device {device} is listed twice; list each device once.", nameof(targets));
            }
        }
    }

    /// <summary>Clears the per-deployment state of every device before a new deployment; the registry part stays.</summary>
    private void ResetDeployment()
    {
        if (_deployment is null)
        {
            return;
        }

        for (var device = 0; device < _devices.Length; device++)
        {
            var action = Mutable(device);
            action.State = ActionState.NotTargeted;
            action.Wave = -1;
            action.Attempts = 0;
            action.LastOfferMs = -1;
            action.ActivatedMs = -1;
            action.DeadlineMs = -1;
            action.WaitingSinceMs = -1;
            action.HoldsDownloadSlot = false;
            action.RecoveryPending = false;
            action.RecoveryActions = 0;
        }

        _deadlines.Clear();
        _waitingForSlot.Clear();
        _monitor = new FaultRateMonitor(_options.FaultMonitor.WindowMs);
        _wave = -1;
        _gateMetMs = -1;
        _gateReported = false;
        _breachActive = false;
        _breachMs = -1;
        _successes = 0;
        _downloadSlotsInUse = 0;
        _pacingCursor = 0;
        _nextPacedOfferMs = long.MaxValue;
    }

    private string ReleaseId => _deployment?.Release.Manifest.ReleaseId ?? "";

    private (int From, int To) WaveRange(int wave) =>
        (wave <= 0 ? 0 : _options.Waves[wave - 1].CumulativeSize(_waveOrder.Length), _options.Waves[wave].CumulativeSize(_waveOrder.Length));

    private void StartWave(int wave, long nowMs, List<ControllerOutput> outputs)
    {
        var (from, to) = WaveRange(wave);
        _wave = wave;
        _waveStartedMs = nowMs;
        _gateMetMs = -1;
        _gateReported = false;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.WaveStarted, Release: ReleaseId, Value: wave + 1,
            Detail: $"{to - from} devices", Actor: Actor));
        for (var i = from; i < to; i++)
        {
            var device = _waveOrder[i];
            Mutable(device).Wave = wave + 1;
            SetState(device, ActionState.Scheduled, nowMs, outputs, journal: false);
            if (_options.OfferRate is null)
            {
                Schedule(device, nowMs + Jitter(device));
            }
        }

        if (_options.OfferRate is not null)
        {
            _pacingCursor = Math.Max(_pacingCursor, from);
            _nextPacedOfferMs = nowMs;
        }
    }

    private long Jitter(int device) =>
        _options.OfferSpreadMs == 0 ? 0 : (long)(Mix(_options.Seed ^ 0x5EED, device) % (ulong)_options.OfferSpreadMs);

    /// <summary>Returns the device's record for writing and marks it changed for the store.</summary>
    private DeviceAction Mutable(int device)
    {
        _dirty.Add(device);
        return _devices[device];
    }

    /// <summary>Sets the one live deadline of a device, replacing any earlier one.</summary>
    private void Schedule(int device, long atMs)
    {
        ClearDeadline(device);
        Mutable(device).DeadlineMs = atMs;
        _deadlines.Add((atMs, device));
    }

    private void ClearDeadline(int device)
    {
        var action = _devices[device];
        if (action.DeadlineMs >= 0)
        {
            _deadlines.Remove((action.DeadlineMs, device));
            Mutable(device).DeadlineMs = -1;
        }
    }

    private void RunDueDeadlines(long nowMs, List<ControllerOutput> outputs)
    {
        while (_deadlines.Count > 0 && _deadlines.Min.AtMs <= nowMs)
        {
            var (atMs, device) = _deadlines.Min;
            _deadlines.Remove(_deadlines.Min);
            Mutable(device).DeadlineMs = -1;
            OnDeadline(device, atMs, nowMs, outputs);
        }
    }

    private void SetState(int device, ActionState state, long nowMs, List<ControllerOutput> outputs, bool journal = true, string? detail = null)
    {
        var action = _devices[device];
        if (action.State == state)
        {
            return;
        }

        action = Mutable(device);
        action.State = state;
        action.StateSinceMs = nowMs;
        if (state is ActionState.Offered or ActionState.Downloading)
        {
            TakeDownloadSlot(device);
        }
        else
        {
            ReleaseDownloadSlot(device);
        }

        if (state == ActionState.Succeeded)
        {
            _successes++;
        }

        if (journal)
        {
            Journal(outputs, new JournalEntry(nowMs, JournalKind.ActionState, device, ReleaseId, Status: state.ToWire(), Detail: detail,
                Value: action.Attempts, Actor: Actor));
        }
    }

    private static void Journal(List<ControllerOutput> outputs, JournalEntry entry) => outputs.Add(new Record(entry));

    /// <summary>A fixed 64-bit mix (SplitMix64 finaliser) of a seed and a device number, for jitter without a
    /// random source.</summary>
    internal static ulong Mix(long seed, int device)
    {
        var z = unchecked((ulong)seed + ((ulong)device + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}

public enum RolloutPhase
{
    Idle,
    Running,
    Paused,
    Aborted,
    Completed,
}
