using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Live.Storage;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Devices;

/// <summary>One live device: the agent core with its MQTT link, real downloads, real digests and files for its
/// slots, bootloader environment and persisted state. Everything the device does runs under one asynchronous
/// gate, so the agent core sees one input at a time; long operations (download, slot write, digest) run outside
/// it and post their results back. A power cut drops the agent core, its link, its timers and every operation in
/// flight at once, and bumps <see cref="_epoch"/> so that results of the old life are ignored.</summary>
internal sealed partial class LiveDevice : IAsyncDisposable
{
    private readonly DeviceContext _context;
    private readonly DeviceStorage _storage;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<AgentOutput> _outputs = [];
    private readonly ITimer?[] _agentTimers = new ITimer?[4];
    private readonly List<ITimer> _deviceTimers = [];
    private SimRandom _random;

    // Volatile state: lost at every power cut and reboot.
    private int _epoch;
    private bool _powered;
    private bool _stopped;
    private AgentCore? _agent;
    private MqttLink? _link;
    private CancellationTokenSource _life = new();
    private Slot _runningSlot;
    private bool _bricked;
    private bool _partitioned;

    public LiveDevice(DeviceProfile profile, DeviceFaults faults, DeviceContext context, string folder)
    {
        Profile = profile;
        Faults = faults;
        _context = context;
        _storage = new DeviceStorage(folder, context.Spec.Fleet.RedundantBootEnvironment);
        _random = new SimRandom(context.Spec.Seed, profile.Id + 1);
    }

    public DeviceProfile Profile { get; }

    public DeviceFaults Faults { get; }

    public int Id => Profile.Id;

    public bool IsPowered => _powered;

    public bool IsConnected => _link?.IsConnected == true;

    public string RunningVersion => _powered && !_bricked ? _storage.ReadSlot(_runningSlot).Version : "";

    private SimulationSpec Spec => _context.Spec;

    private long Now => _context.NowMs;

    /// <summary>Writes the initial slots and environment to the device folder.</summary>
    public Task InitializeStorageAsync(CancellationToken token)
    {
        var initial = new SlotContent(Spec.Fleet.InitialVersion, Spec.Fleet.InitialSecurityVersion, _context.InitialDigest, Valid: true);
        return _storage.InitializeAsync(initial, _context.InitialImage, BootEnvironment.Initial(Slot.A, Spec.Fleet.BootLimit), token);
    }

    /// <summary>Stops the device for good at the end of the run: no journal entries, no reconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            _stopped = true;
            foreach (var timer in _deviceTimers)
            {
                timer.Dispose();
            }

            await DropVolatileLockedAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Runs an action under the device gate if the device is still in the same life.</summary>
    private async Task RunLockedAsync(int epoch, Func<Task> action)
    {
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            if (epoch == _epoch && !_stopped)
            {
                await action().ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Feeds an input to the agent of the given life, from a timer or a finished operation.</summary>
    private Task PostAsync(AgentInput input, int epoch) =>
        RunLockedAsync(epoch, () => _agent is null ? Task.CompletedTask : RunAgentLockedAsync(input));

    /// <summary>Starts <see cref="PostAsync"/> without waiting, logging any unexpected error.</summary>
    private void Post(AgentInput input, int epoch) => Forget(PostAsync(input, epoch));

    private void Forget(Task task) => _ = task.ContinueWith(
        (failed, state) => Log.DeviceTaskFailed(((LiveDevice)state!)._context.Logger, ((LiveDevice)state!).Id, failed.Exception!.GetBaseException()),
        this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);

    /// <summary>Feeds one input to the agent core and carries out its outputs in order. A power cut or reboot during
    /// an output drops the outputs after it.</summary>
    private async Task RunAgentLockedAsync(AgentInput input)
    {
        _outputs.Clear();
        _agent!.Handle(input, Now, _outputs);
        var outputs = _outputs.ToArray();
        var epoch = _epoch;
        foreach (var output in outputs)
        {
            if (epoch != _epoch || !_powered)
            {
                break;
            }

            await ApplyLockedAsync(output, epoch).ConfigureAwait(false);
        }
    }

    private async Task ApplyLockedAsync(AgentOutput output, int epoch)
    {
        switch (output)
        {
            case SendMessage send:
                await SendLockedAsync(send.Message).ConfigureAwait(false);
                break;
            case SetTimer set:
                SetAgentTimer(set.Timer, set.AtMs, epoch);
                break;
            case CancelTimer cancel:
                _agentTimers[(int)cancel.Timer]?.Dispose();
                _agentTimers[(int)cancel.Timer] = null;
                break;
            case StartDownload start:
                StartTransferLocked(start);
                break;
            case DiscardDownload:
                DiscardDownloadLocked();
                break;
            case ComputeDigest compute:
                Forget(ComputeDigestAsync(compute.Target, epoch, _life.Token));
                break;
            case WriteSlot write:
                StartSlotWriteLocked(write);
                break;
            case WriteBootEnvironment write:
                await WriteEnvironmentLockedAsync(write.Environment).ConfigureAwait(false);
                break;
            case PersistState persist:
                await PersistLockedAsync(persist.State).ConfigureAwait(false);
                break;
            case StartHealthCheck:
                StartHealthCheckLocked(epoch);
                break;
            case Reboot:
                if (Faults.Take(FaultKind.PowerCut, PowerCutStep.BeforeReboot) is { } cut)
                {
                    await CutPowerLockedAsync(OffTime(cut)).ConfigureAwait(false);
                    break;
                }

                await RestartLockedAsync("reboot").ConfigureAwait(false);
                break;
            case LogEvent log:
                OnAgentLog(log, epoch);
                break;
        }
    }

    private void SetAgentTimer(AgentTimer timer, long atMs, int epoch)
    {
        _agentTimers[(int)timer]?.Dispose();
        var delay = TimeSpan.FromMilliseconds(Math.Max(atMs - Now, 0));
        _agentTimers[(int)timer] = _context.Clock.CreateTimer(
            _ => Post(new TimerFired(timer), epoch), null, delay, Timeout.InfiniteTimeSpan);
    }

    private async Task PersistLockedAsync(AgentState state)
    {
        try
        {
            await _storage.PersistStateAsync(state, _life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Power was cut during the write: the temporary file is torn and the old state stays.
        }
    }

    private void OnAgentLog(LogEvent log, int epoch)
    {
        Journal(log.Kind, log.Status, log.Detail, log.Version);
        if (log.Kind != JournalKind.Committed || log.Version != Spec.Release.Version)
        {
            return;
        }

        if (Faults.Find(FaultKind.SlowBurn) is { } slowBurn)
        {
            ScheduleSlowBurn(slowBurn, (long)slowBurn.Amount, Math.Max(slowBurn.Repeat, 1), epoch);
        }
    }

    private void StartHealthCheckLocked(int epoch)
    {
        var timing = Spec.Timing;
        if (Faults.Take(FaultKind.PowerCut, PowerCutStep.HealthCheck) is { } cut)
        {
            AtVirtualDelay(timing.HealthCheckMs / 2, () => CutPowerAsync(OffTime(cut), epoch));
            return;
        }

        var running = _storage.ReadSlot(_runningSlot);
        var healthy = !(running.Version == Spec.Release.Version && Faults.Find(FaultKind.HealthCheckFailure) is not null);
        AtVirtualDelay(timing.HealthCheckMs, () => PostAsync(new HealthCheckCompleted(healthy), epoch));
    }

    /// <summary>Runs an action after a virtual delay, on a timer that a power cut disposes with the rest of the life.</summary>
    private void AtVirtualDelay(long delayMs, Func<Task> action)
    {
        ITimer? timer = null;
        timer = _context.Clock.CreateTimer(_ =>
        {
            Forget(action());
            timer?.Dispose();
        }, null, TimeSpan.FromMilliseconds(Math.Max(delayMs, 0)), Timeout.InfiniteTimeSpan);
        lock (_lifeTimers)
        {
            _lifeTimers.Add(timer);
        }
    }

    private readonly List<ITimer> _lifeTimers = [];

    private long OffTime(FaultSpec cut) => cut.DurationMs > 0 ? cut.DurationMs : Spec.Timing.PowerOffMs;

    private void Journal(JournalKind kind, string? status = null, string? detail = null, string? version = null, long value = 0, string? release = null) =>
        _context.Journal.Append(new JournalEntry(0, kind, Id, release, version, status, detail, value, "emulator"));
}
