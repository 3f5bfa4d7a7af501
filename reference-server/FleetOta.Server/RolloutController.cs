using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

/// <summary>The reference rollout controller: a deterministic state machine over one deployment. Each call takes
/// one input and the current time and appends outputs. It reads no clock and does no I/O; the host calls
/// <see cref="Handle"/> with <see cref="Tick"/> at <see cref="NextWakeUpMs"/> at the latest.</summary>
public sealed partial class RolloutController
{
    private const string Actor = "server";

    private readonly RolloutOptions _options;
    private readonly DeviceAction[] _devices;
    private readonly PriorityQueue<(int Device, int Generation), long> _deadlines = new();
    private readonly FaultRateMonitor _monitor;

    private StartDeployment? _deployment;
    private int[] _waveOrder = [];
    private int _wave = -1;
    private long _waveStartedMs;
    private long _gateMetMs = -1;
    private bool _gateReported;
    private long _nextTickMs;
    private long _breachMs = -1;
    private int _alerts;

    public RolloutController(RolloutOptions options, int fleetSize)
    {
        _options = options;
        _devices = new DeviceAction[fleetSize];
        for (var i = 0; i < fleetSize; i++)
        {
            _devices[i] = new DeviceAction();
        }

        _monitor = new FaultRateMonitor(options.FaultMonitor.WindowMs);
    }

    public RolloutPhase Phase { get; private set; } = RolloutPhase.Idle;

    public int CurrentWave => _wave;

    /// <summary>Time of the next tick or deadline the controller needs; the host calls <see cref="Handle"/> then.</summary>
    public long NextWakeUpMs
    {
        get
        {
            var next = _nextTickMs;
            if (_deadlines.TryPeek(out _, out var deadline) && deadline < next)
            {
                next = deadline;
            }

            return next;
        }
    }

    public ActionState StateOf(int device) => _devices[device].State;

    public string RunningVersionOf(int device) => _devices[device].RunningVersion;

    public void Handle(ControllerInput input, long nowMs, List<ControllerOutput> outputs)
    {
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
            default:
                throw new ArgumentException($"The controller has no handler for input {input.GetType().Name}.", nameof(input));
        }
    }

    private void Start(StartDeployment start, long nowMs, List<ControllerOutput> outputs)
    {
        if (_deployment is not null)
        {
            throw new InvalidOperationException($"Deployment of {_deployment.Release.Manifest.ReleaseId} is already running.");
        }

        _deployment = start;
        _waveOrder = start.Targets.OrderBy(device => Mix(_options.Seed, device)).ThenBy(device => device).ToArray();
        foreach (var device in _waveOrder)
        {
            _devices[device].State = ActionState.Waiting;
        }

        Phase = RolloutPhase.Running;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.DeploymentStarted, Release: ReleaseId, Version: start.Release.Manifest.Version,
            Value: _waveOrder.Length, Detail: $"{_options.Waves.Count} waves", Actor: Actor));
        StartWave(0, nowMs, outputs);
        _nextTickMs = nowMs + _options.TickMs;
    }

    private string ReleaseId => _deployment?.Release.Manifest.ReleaseId ?? "";

    private void StartWave(int wave, long nowMs, List<ControllerOutput> outputs)
    {
        var from = _wave < 0 ? 0 : _options.Waves[_wave].CumulativeSize(_waveOrder.Length);
        var to = _options.Waves[wave].CumulativeSize(_waveOrder.Length);
        _wave = wave;
        _waveStartedMs = nowMs;
        _gateMetMs = -1;
        _gateReported = false;
        Journal(outputs, new JournalEntry(nowMs, JournalKind.WaveStarted, Release: ReleaseId, Value: wave + 1,
            Detail: $"{to - from} devices", Actor: Actor));
        for (var i = from; i < to; i++)
        {
            var device = _waveOrder[i];
            var action = _devices[device];
            action.Wave = wave + 1;
            var jitter = _options.OfferSpreadMs == 0 ? 0 : (long)(Mix(_options.Seed ^ 0x5EED, device) % (ulong)_options.OfferSpreadMs);
            SetState(device, ActionState.Scheduled, nowMs, outputs, journal: false);
            Schedule(device, nowMs + jitter);
        }
    }

    private void Schedule(int device, long atMs)
    {
        var action = _devices[device];
        action.Generation++;
        _deadlines.Enqueue((device, action.Generation), atMs);
    }

    private void SetState(int device, ActionState state, long nowMs, List<ControllerOutput> outputs, bool journal = true, string? detail = null)
    {
        var action = _devices[device];
        if (action.State == state)
        {
            return;
        }

        action.State = state;
        action.StateSinceMs = nowMs;
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
