using System.Threading.Channels;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server.Host.Alerts;
using FleetOta.Server.Host.State;
using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Control;

/// <summary>Runs the rollout controller for the live host. Device messages, operator requests and timer wake-ups
/// arrive on many threads. Each is handled under one lock with the virtual time read inside it, so the controller
/// receives one input at a time in time order.</summary>
/// <remarks>
/// Saving is a group commit: a background task saves the controller's changes with the pending messages and alerts in
/// one store transaction, then hands the messages to the outbound queue that the MQTT gateway publishes in order.
/// Inputs that arrive while a transaction runs are saved together in the next one, so one commit per message does not
/// limit throughput. Operator requests commit before they return. Decision records go to the journal when they are
/// taken, so a crash before the commit can leave a record of a decision that the restored controller takes again.
/// </remarks>
internal sealed partial class RolloutEngine : IDisposable
{
    private readonly Lock _gate = new();
    private readonly CompressedTimeProvider _clock;
    private readonly IServerStateStore _store;
    private readonly HostJournal _journal;
    private readonly HostAlerts _alerts;
    private readonly ManifestSigner _signer;
    private readonly ILogger _logger;
    private readonly Channel<ServerMessage> _outbound = Channel.CreateUnbounded<ServerMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ITimer _wakeTimer;
    private readonly List<ControllerOutput> _outputs = [];
    private readonly List<ControllerOutput> _uncommitted = [];
    private readonly SemaphoreSlim _commitSignal = new(0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _committer;
    private readonly List<DeploymentRun> _deployments = [];
    private readonly SortedDictionary<int, DeviceSighting> _devices = [];
    private long _received;
    private long _sent;
    private int _deploymentsStarted;

    public RolloutEngine(
        CompressedTimeProvider clock,
        IServerStateStore store,
        HostJournal journal,
        HostAlerts alerts,
        ManifestSigner signer,
        ILogger logger)
    {
        _clock = clock;
        _store = store;
        _journal = journal;
        _alerts = alerts;
        _signer = signer;
        _logger = logger;
        _wakeTimer = clock.CreateTimer(_ => OnWake(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _committer = Task.Run(() => CommitLoopAsync(_stopping.Token));
    }

    /// <summary>Base of artifact URLs in offers, such as "http://127.0.0.1:5080"; set once the HTTP port is bound.</summary>
    public string HttpBaseUrl { get; set; } = "http://127.0.0.1";

    /// <summary>Messages for devices in the order the controller decided them.</summary>
    public ChannelReader<ServerMessage> Outbound => _outbound.Reader;

    public long Received => Interlocked.Read(ref _received);

    public long Sent => Interlocked.Read(ref _sent);

    public ManifestSigner Signer => _signer;

    /// <summary>Hands a device message to the controller of the current deployment and journals its arrival.</summary>
    public void Deliver(DeviceMessage message)
    {
        Interlocked.Increment(ref _received);
        lock (_gate)
        {
            var now = _clock.NowMs;
            var (release, status, value) = MessageJournal.Describe(message);
            _journal.Append(new JournalEntry(now, JournalKind.MessageDelivered, message.DeviceId, release, MessageJournal.RunningVersionOf(message),
                message.Type, status, value, "server"));
            Remember(message, now);
            if (Current is not { } run)
            {
                return;
            }

            try
            {
                Run(run, new Delivered(message), now);
            }
            catch (Exception error) when (error is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                Log.ControllerFailed(_logger, message.DeviceId, error);
            }
        }
    }

    /// <summary>Journals a server message that could not be handed to the broker.</summary>
    public void JournalLost(ServerMessage message, string reason) =>
        _journal.AppendNow(new JournalEntry(0, JournalKind.MessageLost, message.DeviceId, null, null, message.Type, reason, 0, "server"));

    /// <summary>Stops the timer and the committer. Changes not yet committed are dropped with their messages, as a
    /// crash would drop them, so a restart continues from the last commit.</summary>
    public void Dispose()
    {
        _wakeTimer.Dispose();
        _stopping.Cancel();
        _committer.GetAwaiter().GetResult();
        _outbound.Writer.TryComplete();
        _stopping.Dispose();
    }

    private DeploymentRun? Current => _deployments.Count == 0 ? null : _deployments[^1];

    private void Remember(DeviceMessage message, long now)
    {
        if (!_devices.TryGetValue(message.DeviceId, out var device))
        {
            device = new DeviceSighting();
            _devices[message.DeviceId] = device;
        }

        device.LastSeenMs = now;
        device.RunningVersion = MessageJournal.RunningVersionOf(message) ?? device.RunningVersion;
        if (message is Heartbeat heartbeat)
        {
            device.ActiveSlot = heartbeat.ActiveSlot;
            device.Healthy = heartbeat.Healthy;
            device.Degraded = heartbeat.Degraded;
        }
    }

    /// <summary>Runs one controller input, journals its decision records and stages its messages and alerts for the
    /// next commit. Call under the lock.</summary>
    private void Run(DeploymentRun run, ControllerInput input, long now)
    {
        _outputs.Clear();
        try
        {
            run.Controller.Handle(input, now, _outputs);
        }
        finally
        {
            // Outputs appended before a failure are still staged, so the journal matches what is sent.
            Stage(run, now);
        }
    }

    private void Stage(DeploymentRun run, long now)
    {
        foreach (var output in _outputs)
        {
            if (output is Record record)
            {
                _journal.Append(record.Entry);
            }
            else
            {
                _uncommitted.Add(output);
            }
        }

        _outputs.Clear();
        ScheduleWake(run, now);
        if (_commitSignal.CurrentCount == 0)
        {
            _commitSignal.Release();
        }
    }

    /// <summary>Saves the current controller's changes with the staged outputs, carries the outputs out and marks them
    /// done. Call under the lock.</summary>
    private void CommitPending()
    {
        if (Current is not { } run)
        {
            return;
        }

        var changes = run.Controller.TakeChanges();
        if (_uncommitted.Count == 0 && changes.Devices.Count == 0 && changes.NewFaults.Count == 0 && !changes.DeploymentChanged)
        {
            return;
        }

        var outboxIds = _store.Commit(changes, _uncommitted);
        var now = _clock.NowMs;
        foreach (var output in _uncommitted)
        {
            CarryOne(output, now);
        }

        _uncommitted.Clear();
        _store.MarkDone(outboxIds);
    }

    private async Task CommitLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _commitSignal.WaitAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    CommitPending();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: what is not committed is dropped, see Dispose.
        }
    }

    private void CarryOne(ControllerOutput output, long now)
    {
        switch (output)
        {
            case SendToDevice send:
                var (release, detail) = MessageJournal.Describe(send.Message);
                _journal.Append(new JournalEntry(now, JournalKind.MessageSent, send.Message.DeviceId, release, null, send.Message.Type, detail, 0,
                    "server"));
                Interlocked.Increment(ref _sent);
                _outbound.Writer.TryWrite(send.Message);
                break;
            case Record record:
                _journal.Append(record.Entry);
                break;
            case RaiseAlert raise:
                _alerts.Dispatch(raise.Alert);
                break;
        }
    }

    /// <summary>Restores the last deployment's controller from the store after a restart and carries out the outputs
    /// it had committed but not marked done. Call once, before any input.</summary>
    /// <remarks>NOTE: the store keeps the controller of the last deployment only, so earlier deployments are not listed
    /// by the API after a restart, although their numbers stay taken.</remarks>
    public void Restore()
    {
        lock (_gate)
        {
            var records = _store.Deployments();
            if (records.Count == 0 || _store.LoadController() is not { } snapshot)
            {
                return;
            }

            var now = _clock.NowMs;
            var record = records[^1];
            var release = _store.FindRelease(record.ReleaseId)
                          ?? throw new InvalidDataException($"Deployment {record.Id} names release {record.ReleaseId}, which the store does not hold.");
            var previous = record.PreviousReleaseId is { } previousId ? _store.FindRelease(previousId) : null;
            RolloutController controller;
            try
            {
                controller = RolloutController.Restore(record.Options, snapshot);
            }
            catch (ArgumentException error)
            {
                throw new InvalidDataException(
                    $"The saved controller state does not fit deployment {record.Id} as the deployment list records it ({error.Message}); restore " +
                    $"{SqliteServerStateStore.ControllerFileName} and {SqliteServerStateStore.DeploymentsFileName} from the same backup, or start with an empty data folder.",
                    error);
            }

            var run = new DeploymentRun(record, release, previous, controller);
            _deploymentsStarted = records.Count;
            _deployments.Add(run);
            _journal.Append(new JournalEntry(now, JournalKind.ServerRestart, Release: release.ReleaseId, Status: "up",
                Detail: $"restored deployment {record.Id}", Actor: "server"));
            var pending = _store.PendingOutputs();
            foreach (var item in pending)
            {
                CarryOne(item.Output, now);
            }

            _store.MarkDone(pending.Select(item => item.Id).ToArray());
            ScheduleWake(run, now);
            Log.DeploymentRestored(_logger, record.Id, release.ReleaseId, pending.Count, now);
        }
    }

    private void ScheduleWake(DeploymentRun run, long now)
    {
        var wake = run.Controller.NextWakeUpMs;
        if (wake == long.MaxValue)
        {
            _wakeTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            return;
        }

        _wakeTimer.Change(TimeSpan.FromMilliseconds(Math.Max(wake - now, 0)), Timeout.InfiniteTimeSpan);
    }

    private void OnWake()
    {
        lock (_gate)
        {
            var now = _clock.NowMs;
            if (Current is not { } run)
            {
                return;
            }

            try
            {
                Run(run, Tick.Instance, now);
            }
            catch (Exception error) when (error is InvalidOperationException or ArgumentException or IndexOutOfRangeException)
            {
                Log.TickFailed(_logger, now, error);
            }
        }
    }
}
