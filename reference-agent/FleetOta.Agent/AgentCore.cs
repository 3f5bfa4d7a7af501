using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>The reference update agent: a deterministic state machine. Each call takes one input and the
/// current time and appends outputs for the host to carry out in order. It reads no clock, creates no
/// randomness and does no I/O; everything that must survive a power cut goes out as <see cref="PersistState"/>.</summary>
/// <remarks>Safety rules the transitions keep, so that no power cut leaves the device without a bootable slot:
/// the agent writes only the slot it is not running; the boot environment points at a slot only after that slot
/// was written and read back; a new image boots only on trial and is made permanent only after its health check
/// passed; and a status report is persisted together with the state it reports, before it is sent.</remarks>
public sealed partial class AgentCore
{
    private readonly AgentOptions _options;
    private readonly DeviceIdentity _device;
    private readonly IManifestVerifier _verifier;
    private readonly SlotContent[] _slots = new SlotContent[2];

    private AgentState _state;
    private Slot _running;
    private SlotContent _runningContent;
    private BootEnvironment _environment;
    private bool _booted;
    private bool _online = true;
    private long _reportRetryDelay;
    private int _downloadResumes;
    private bool _healthCheckPending;

    public AgentCore(AgentOptions options, DeviceIdentity device, IManifestVerifier verifier)
    {
        options.Validate();
        _options = options;
        _device = device;
        _verifier = verifier;
        _state = AgentState.Initial(0);
        _reportRetryDelay = options.ReportRetryInitialMs;
    }

    public AgentState State => _state;

    public Slot RunningSlot => _running;

    public string RunningVersion => _runningContent.Version;

    public bool IsDegraded => _state.Degraded;

    public void Handle(AgentInput input, long nowMs, List<AgentOutput> outputs)
    {
        if (!_booted && input is not Booted)
        {
            return;
        }

        switch (input)
        {
            case Booted booted:
                OnBooted(booted, nowMs, outputs);
                break;
            case MessageReceived { Message: var message }:
                OnMessage(message, nowMs, outputs);
                break;
            case TimerFired { Timer: var timer }:
                OnTimer(timer, nowMs, outputs);
                break;
            case ConnectivityChanged { Online: var online }:
                OnConnectivity(online, nowMs, outputs);
                break;
            case DownloadProgressed progressed:
                OnDownloadProgressed(progressed, outputs);
                break;
            case DownloadCompleted completed:
                OnDownloadCompleted(completed, nowMs, outputs);
                break;
            case DownloadFailed failed:
                OnDownloadFailed(failed, nowMs, outputs);
                break;
            case DigestComputed digest:
                OnDigest(digest, nowMs, outputs);
                break;
            case SlotWriteCompleted written:
                OnSlotWritten(written, outputs);
                break;
            case SlotWriteFailed writeFailed:
                OnSlotWriteFailed(writeFailed, nowMs, outputs);
                break;
            case HealthCheckCompleted health:
                OnHealthCheck(health.Healthy, nowMs, outputs);
                break;
            default:
                throw new ArgumentException($"The agent core has no handler for input {input.GetType().Name}.", nameof(input));
        }
    }

    private void OnConnectivity(bool online, long nowMs, List<AgentOutput> outputs)
    {
        var cameBack = online && !_online;
        _online = online;
        if (!cameBack)
        {
            return;
        }

        SendHeartbeat(outputs);
        _reportRetryDelay = _options.ReportRetryInitialMs;
        ResendPendingReports(nowMs, outputs);
        if (_state.Phase == AgentPhase.Downloading)
        {
            outputs.Add(new SetTimer(AgentTimer.DownloadRetry, nowMs));
        }
    }

    private void OnTimer(AgentTimer timer, long nowMs, List<AgentOutput> outputs)
    {
        switch (timer)
        {
            case AgentTimer.Heartbeat:
                SendHeartbeat(outputs);
                outputs.Add(new SetTimer(AgentTimer.Heartbeat, nowMs + _options.HeartbeatIntervalMs));
                break;
            case AgentTimer.ReportRetry:
                _reportRetryDelay = Math.Min(_reportRetryDelay * 2, _options.ReportRetryMaxMs);
                ResendPendingReports(nowMs, outputs);
                break;
            case AgentTimer.HealthCheckTimeout:
                if (_healthCheckPending)
                {
                    OnHealthCheck(false, nowMs, outputs);
                }

                break;
            case AgentTimer.DownloadRetry:
                if (_state.Phase == AgentPhase.Downloading)
                {
                    RequestDownload(outputs);
                }

                break;
        }
    }

    private void SendHeartbeat(List<AgentOutput> outputs) =>
        outputs.Add(new SendMessage(new Heartbeat(
            _device.Id, _runningContent.Version, _running, Healthy: !_state.Degraded, Degraded: _state.Degraded)));

    private void Persist(AgentState state, List<AgentOutput> outputs)
    {
        _state = state;
        outputs.Add(new PersistState(state));
    }

    /// <summary>Writes the boot environment and remembers it as the one the bootloader will read.</summary>
    private void WriteEnvironment(BootEnvironment environment, List<AgentOutput> outputs)
    {
        _environment = environment;
        outputs.Add(new WriteBootEnvironment(environment));
    }

    /// <summary>Makes the running slot the permanent boot slot, unless the environment already boots it that way.</summary>
    private void SettleOnRunningSlot(List<AgentOutput> outputs)
    {
        if (!_environment.IsSettledOn(_running))
        {
            WriteEnvironment(_environment.SettleOn(_running), outputs);
        }
    }

    private SlotContent Content(Slot slot) => _slots[(int)slot];

    private void Log(List<AgentOutput> outputs, JournalKind kind, string? status = null, string? detail = null, string? version = null) =>
        outputs.Add(new LogEvent(kind, version ?? _runningContent.Version, status, detail));
}
