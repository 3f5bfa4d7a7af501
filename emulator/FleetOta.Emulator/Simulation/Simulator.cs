using System.Globalization;
using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Emulator.Simulation;

/// <summary>Progress of a running simulation, reported every few hundred thousand events, at every hundredth of the
/// virtual time and at the end.</summary>
public sealed record SimulationProgress(long VirtualTimeMs, long EndMs, long Events, int DevicesUpdated, int Devices, string Phase);

/// <summary>What a finished simulation returns besides its journal.</summary>
public sealed record SimulationResult(long Events, long JournalEntries, int DevicesUpdated, int Devices, long EndMs);

/// <summary>The simulation host: a single-threaded discrete-event loop over virtual time that runs the agent core on
/// every device and the rollout controller on the server side, and writes the journal.</summary>
public sealed partial class Simulator
{
    private const int ProgressEveryEvents = 250_000;

    private readonly SimulationSpec _spec;
    private readonly IReadOnlyList<DeviceProfile> _fleet;
    private readonly SqliteJournalWriter _journal;
    private readonly SimDevice[] _devices;
    private readonly EventQueue _queue = new();
    private readonly List<AgentOutput> _agentOutputs = [];
    private readonly List<ControllerOutput> _controllerOutputs = [];
    private readonly RolloutController _controller;
    private readonly ReleaseSet _releases;
    private readonly IManifestVerifier _verifier;

    private long _now;
    private long _events;
    private int _devicesUpdated;

    public Simulator(SimulationSpec spec, IReadOnlyList<DeviceProfile> fleet, SqliteJournalWriter journal)
    {
        _spec = spec;
        _fleet = fleet;
        _journal = journal;
        _devices = fleet.Select(profile => new SimDevice(profile, spec.Seed)).ToArray();
        _controller = new RolloutController(spec.Rollout with { Seed = spec.Seed }, fleet.Count);
        _releases = ReleaseSet.Create(spec, fleet);
        _verifier = new CachingManifestVerifier(_releases.Verifier);
        _serverWakeAt = long.MaxValue;
    }

    public SimulationResult Run(Action<SimulationProgress>? progress = null)
    {
        WriteRunMetadata();
        AssignFaults();
        ScheduleStart();

        var end = _spec.EndMs;
        var progressStepMs = Math.Max(end / 100, 1);
        var nextProgressMs = progressStepMs;
        while (_queue.TryDequeue(out var time, out var next))
        {
            if (time > end)
            {
                break;
            }

            _now = time;
            _events++;
            Dispatch(next);
            if (progress is not null && (_events % ProgressEveryEvents == 0 || _now >= nextProgressMs))
            {
                nextProgressMs = (_now / progressStepMs + 1) * progressStepMs;
                progress(new SimulationProgress(_now, end, _events, _devicesUpdated, _devices.Length, _controller.Phase.ToString()));
            }
        }

        _now = end;
        _journal.SetRunValue("end_ms", end.ToString(CultureInfo.InvariantCulture));
        _journal.SetRunValue("events", _events.ToString(CultureInfo.InvariantCulture));
        _journal.Flush();
        progress?.Invoke(new SimulationProgress(end, end, _events, _devicesUpdated, _devices.Length, _controller.Phase.ToString()));
        return new SimulationResult(_events, _journal.Count, _devicesUpdated, _devices.Length, end);
    }

    private void WriteRunMetadata()
    {
        _journal.SetRunValue("host", "simulation");
        _journal.SetRunValue("scenario", _spec.Name);
        _journal.SetRunValue("seed", _spec.Seed.ToString(CultureInfo.InvariantCulture));
        _journal.SetRunValue("release", _spec.Release.Id);
        _journal.SetRunValue("release_version", _spec.Release.Version);
        _journal.SetRunValue("previous_version", _spec.Fleet.InitialVersion);
        _journal.SetRunValue("release_at_ms", _spec.ReleaseAtMs.ToString(CultureInfo.InvariantCulture));
        _journal.SetRunValue("devices", _devices.Length.ToString(CultureInfo.InvariantCulture));
        _journal.SetRunValue("release_hardware", string.Join(";",
            _releases.Release.Manifest.CompatibleHardware.Select(target => $"{target.Model}/{target.Revision}")));
        _journal.AddDevices(_fleet.Select(device => new JournalDevice(
            device.Id, device.Name, device.Hardware.Model, device.Hardware.Revision, device.Network.Name,
            device.Connectivity.Name, device.Site, device.TimeZone, _spec.Fleet.InitialVersion)));
        _journal.AddRelease(_releases.ToJournal(_spec));
    }

    private void ScheduleStart()
    {
        var initial = new SlotContent(_spec.Fleet.InitialVersion, _spec.Fleet.InitialSecurityVersion, _releases.InitialDigest, Valid: true);
        for (var i = 0; i < _devices.Length; i++)
        {
            var device = _devices[i];
            device.SlotA = initial;
            device.SlotB = SlotContent.Empty;
            device.Environment = BootEnvironment.Initial(Slot.A, _spec.Fleet.BootLimit);
            StartConnectivity(device);
            StartPower(device);
        }

        Schedule(_spec.ReleaseAtMs, EventKind.StartDeployment, -1);
        foreach (var step in _spec.Operator)
        {
            Schedule(step.AtMs, EventKind.Operator, -1, payload: step);
        }
    }

    private void Dispatch(in SimEvent e)
    {
        switch (e.Kind)
        {
            case EventKind.PowerOn:
                PowerOn(_devices[e.Device]);
                break;
            case EventKind.Boot when e.Token == _devices[e.Device].Epoch:
                Boot(_devices[e.Device]);
                break;
            case EventKind.AgentUp when e.Token == _devices[e.Device].Epoch:
                AgentUp(_devices[e.Device]);
                break;
            case EventKind.AgentTimer:
                OnAgentTimer(_devices[e.Device], e);
                break;
            case EventKind.AgentInput when e.Token == _devices[e.Device].Epoch:
                DeliverToAgent(_devices[e.Device], (AgentInput)e.Payload!);
                break;
            case EventKind.TransferCheckpoint:
                OnTransferCheckpoint(_devices[e.Device], e);
                break;
            case EventKind.SlotWriteDone when e.Token == _devices[e.Device].Epoch:
                OnSlotWriteDone(_devices[e.Device]);
                break;
            case EventKind.Crash when e.Token == _devices[e.Device].Epoch:
                Crash(_devices[e.Device]);
                break;
            case EventKind.SlowBurnFault:
                OnSlowBurn(_devices[e.Device], e);
                break;
            case EventKind.PowerCut when e.Payload is FaultSpec timed:
                OnTimedPowerFault(_devices[e.Device], timed, e.Data);
                break;
            case EventKind.PowerCut when e.Token == 0 || e.Token == _devices[e.Device].Epoch:
                PowerCut(_devices[e.Device], e.Data, (string?)e.Payload);
                break;
            case EventKind.PowerPattern:
                OnPowerPattern(_devices[e.Device]);
                break;
            case EventKind.FaultWindow:
                OnFaultWindow(_devices[e.Device], (FaultSpec)e.Payload!, e.Data != 0);
                break;
            case EventKind.LinkChange:
                OnLinkChange(_devices[e.Device], e.Data != 0, scheduleNext: true);
                break;
            case EventKind.Partition:
                OnPartition(_devices[e.Device], e.Data != 0, (FaultSpec)e.Payload!);
                break;
            case EventKind.DeliverToServer:
                DeliverToServer((DeviceMessage)e.Payload!);
                break;
            case EventKind.DeliverToDevice:
                DeliverToDevice((ServerMessage)e.Payload!);
                break;
            case EventKind.ServerWake:
                ServerWake();
                break;
            case EventKind.StartDeployment:
                StartDeployment();
                break;
            case EventKind.Operator:
                var step = (OperatorStep)e.Payload!;
                RunController(new OperatorAction(step.Action, step.Device));
                break;
            case EventKind.ServerOutage:
                OnServerOutage((FaultSpec)e.Payload!, e.Data != 0);
                break;
            case EventKind.AlertSink:
                OnAlertSink((FaultSpec)e.Payload!, e.Data != 0);
                break;
            case EventKind.AlertDelivery:
                OnAlertDelivery((PendingAlert)e.Payload!);
                break;
        }
    }

    /// <summary>Queues an event; a time in the past means now. Events at equal times run in scheduling order.</summary>
    private void Schedule(long atMs, EventKind kind, int device, int token = 0, long data = 0, object? payload = null) =>
        _queue.Enqueue(Math.Max(atMs, _now), new SimEvent(kind, device, token, data, payload));

    private void Journal(in JournalEntry entry) => _journal.Append(entry);

    private void JournalDevice(SimDevice device, JournalKind kind, string? status = null, string? detail = null, string? version = null,
        long value = 0, string? release = null) =>
        _journal.Append(new JournalEntry(_now, kind, device.Profile.Id, release, version, status, detail, value, "emulator"));
}

internal enum EventKind : byte
{
    PowerOn,
    Boot,
    AgentUp,
    AgentTimer,
    AgentInput,
    TransferCheckpoint,
    SlotWriteDone,
    Crash,
    SlowBurnFault,
    PowerCut,
    PowerPattern,
    FaultWindow,
    LinkChange,
    Partition,
    DeliverToServer,
    DeliverToDevice,
    ServerWake,
    StartDeployment,
    Operator,
    ServerOutage,
    AlertSink,
    AlertDelivery,
}

internal readonly record struct SimEvent(EventKind Kind, int Device, int Token, long Data, object? Payload);
