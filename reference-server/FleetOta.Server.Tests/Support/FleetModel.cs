using FleetOta.Protocol;

namespace FleetOta.Server.Tests.Support;

/// <summary>How a modelled device behaves during the update.</summary>
internal enum DeviceBehaviour
{
    Good,
    FailFirstDownload,
    SilentAfterReboot,
    FaultAfterUpdate,
    Offline,
}

/// <summary>A scripted fleet that answers the controller as the reference agent does, on a virtual clock. It models the
/// server's view only: status reports, heartbeats and faults with fixed delays. The agent core is not used because these
/// tests are about the controller, and a script makes every delay and outcome exact.</summary>
internal sealed class FleetModel
{
    private const long ReportDelayMs = 1_000;
    private const long InstallMs = 20_000;
    private const long RebootMs = 40_000;
    private const long FaultAfterMs = 5 * 60_000;

    private readonly PriorityQueue<DeviceMessage, (long TimeMs, long Sequence)> _events = new();
    private readonly Func<int, DeviceBehaviour> _behaviour;
    private readonly int[] _sequence;
    private readonly string[] _version;
    private readonly bool[] _busy;
    private readonly bool[] _dead;
    private readonly bool[] _failedOnce;
    private readonly long[] _downloadStartMs;
    private readonly List<ServerMessage>[] _pending;
    private readonly long? _pollIntervalMs;
    private long _order;

    /// <param name="pollIntervalMs">With a value, devices heartbeat every interval and receive server messages only with
    /// the reply to a heartbeat (polling); without one, messages arrive at once and devices heartbeat only after boot.</param>
    /// <param name="firstPollMs">Time of each device's first heartbeat when polling.</param>
    public FleetModel(int devices, Func<int, DeviceBehaviour> behaviour, long? pollIntervalMs = null, Func<int, long>? firstPollMs = null)
    {
        _behaviour = behaviour;
        _sequence = new int[devices];
        _version = Enumerable.Repeat(TestReleases.Previous.Manifest.Version, devices).ToArray();
        _busy = new bool[devices];
        _dead = new bool[devices];
        _failedOnce = new bool[devices];
        _downloadStartMs = new long[devices];
        _pending = Enumerable.Range(0, devices).Select(_ => new List<ServerMessage>()).ToArray();
        _pollIntervalMs = pollIntervalMs;
        for (var device = 0; device < devices && pollIntervalMs is not null; device++)
        {
            if (behaviour(device) != DeviceBehaviour.Offline)
            {
                Send(firstPollMs?.Invoke(device) ?? 0, Heartbeat(device));
            }
        }
    }

    public long NowMs { get; private set; }

    public int Steps { get; private set; }

    /// <summary>Download intervals: device, start and end time.</summary>
    public List<(int Device, long FromMs, long ToMs)> Downloads { get; } = [];

    /// <summary>Time of each device's first heartbeat delivered to the server.</summary>
    public Dictionary<int, long> FirstHeartbeatMs { get; } = [];

    public static DeviceBehaviour AllGood(int device) => DeviceBehaviour.Good;

    /// <summary>Runs one controller step: the next device message, or a tick at the controller's wake-up time, whichever
    /// comes first. Returns false, without a step, when that time is after <paramref name="untilMs"/>.</summary>
    public bool Step(RolloutController controller, long untilMs, List<ControllerOutput> outputs)
    {
        var wake = controller.NextWakeUpMs;
        var hasEvent = _events.TryPeek(out _, out var key);
        var timeMs = hasEvent && key.TimeMs <= wake ? key.TimeMs : wake;
        if (timeMs > untilMs)
        {
            return false;
        }

        ControllerInput input = Tick.Instance;
        if (hasEvent && key.TimeMs <= wake)
        {
            input = new Delivered(_events.Dequeue());
        }

        NowMs = timeMs;
        Steps++;
        outputs.Clear();
        controller.Handle(input, timeMs, outputs);
        React(outputs);
        if (input is Delivered { Message: Heartbeat heartbeat })
        {
            OnHeartbeatDelivered(heartbeat.DeviceId);
        }

        return true;
    }

    /// <summary>Runs steps until <paramref name="untilMs"/>, calling <paramref name="afterStep"/> after each.</summary>
    public void Run(RolloutController controller, long untilMs, Action<List<ControllerOutput>>? afterStep = null)
    {
        var outputs = new List<ControllerOutput>();
        while (Step(controller, untilMs, outputs))
        {
            afterStep?.Invoke(outputs);
        }
    }

    /// <summary>Carries out the controller's outputs on the modelled devices.</summary>
    public void React(IReadOnlyList<ControllerOutput> outputs)
    {
        foreach (var output in outputs)
        {
            if (output is SendToDevice { Message: var message } && message is not StatusAck)
            {
                if (_pollIntervalMs is null)
                {
                    Receive(message);
                }
                else
                {
                    _pending[message.DeviceId].Add(message);
                }
            }
        }
    }

    private void OnHeartbeatDelivered(int device)
    {
        FirstHeartbeatMs.TryAdd(device, NowMs);
        var pending = _pending[device].ToArray();
        _pending[device].Clear();
        foreach (var message in pending)
        {
            Receive(message);
        }

        if (_pollIntervalMs is { } interval && !_dead[device])
        {
            Send(NowMs + interval, Heartbeat(device));
        }
    }

    private void Receive(ServerMessage message)
    {
        var device = message.DeviceId;
        if (_dead[device] || _behaviour(device) == DeviceBehaviour.Offline)
        {
            return;
        }

        switch (message)
        {
            case UpdateOffer or DeviceCommand { Kind: CommandKind.Retry } when !_busy[device] && _version[device] != TestReleases.Next.Manifest.Version:
                StartUpdate(device);
                break;
            case DeviceCommand { Kind: CommandKind.Rollback } when !_busy[device]:
                _version[device] = TestReleases.Previous.Manifest.Version;
                Send(NowMs + RebootMs, Status(device, "r2", UpdateStatus.RolledBack, FailureReason.RollbackRequested));
                break;
            case DeviceCommand { Kind: CommandKind.Install, Manifest: { } manifest } when !_busy[device]:
                _version[device] = manifest.Manifest.Version;
                Send(NowMs + RebootMs, Status(device, manifest.Manifest.ReleaseId, UpdateStatus.Succeeded, FailureReason.None));
                break;
        }
    }

    private void StartUpdate(int device)
    {
        _busy[device] = true;
        var start = NowMs + ReportDelayMs;
        _downloadStartMs[device] = start;
        Send(start, Status(device, "r2", UpdateStatus.Downloading, FailureReason.None));
        var end = start + DownloadMs(device);
        Downloads.Add((device, start, end));
        if (_behaviour(device) == DeviceBehaviour.FailFirstDownload && !_failedOnce[device])
        {
            _failedOnce[device] = true;
            _busy[device] = false;
            Send(end, Status(device, "r2", UpdateStatus.Failed, FailureReason.DownloadFailed));
            return;
        }

        Send(end, Status(device, "r2", UpdateStatus.Installing, FailureReason.None));
        Send(end + InstallMs, Status(device, "r2", UpdateStatus.Rebooting, FailureReason.None));
        if (_behaviour(device) == DeviceBehaviour.SilentAfterReboot)
        {
            _dead[device] = true;
            return;
        }

        var booted = end + InstallMs + RebootMs;
        _version[device] = TestReleases.Next.Manifest.Version;
        Send(booted, new Heartbeat(device, TestReleases.Next.Manifest.Version, Slot.B, Healthy: true, Degraded: false));
        Send(booted, Status(device, "r2", UpdateStatus.Succeeded, FailureReason.None));
        if (_behaviour(device) == DeviceBehaviour.FaultAfterUpdate)
        {
            Send(booted + FaultAfterMs, new FaultReport(device, TestReleases.Next.Manifest.Version, "app-crash", Critical: true));
        }

        _busy[device] = false;
    }

    /// <summary>Returns a download time of 30 to 119 s, fixed per device.</summary>
    public static long DownloadMs(int device) => 30_000 + (int)((uint)(device * 7919) % 90) * 1_000L;

    private StatusReport Status(int device, string releaseId, UpdateStatus status, FailureReason reason) =>
        new(device, ++_sequence[device], releaseId, status, reason, _version[device]);

    private Heartbeat Heartbeat(int device) => new(device, _version[device], Slot.A, Healthy: true, Degraded: false);

    private void Send(long atMs, DeviceMessage message) => _events.Enqueue(message, (atMs, _order++));
}
