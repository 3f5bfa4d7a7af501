using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests.Rig;

/// <summary>How an image behaves once the bootloader handed over to it.</summary>
public enum ImageBehaviour
{
    Healthy,
    FailsHealthCheck,
    /// <summary>The health check never completes, so the agent's timeout decides.</summary>
    HangsHealthCheck,
    /// <summary>The image crashes <see cref="RigOptions.CrashAfterMs"/> after the hand-over and the watchdog reboots.</summary>
    CrashesOnStart,
}

/// <summary>Settings of one rig. Durations are in milliseconds of simulated time.</summary>
internal sealed record RigOptions
{
    public bool RedundantEnvironment { get; init; } = true;
    public int BootLimit { get; init; } = BootEnvironment.DefaultBootLimit;
    public string HardwareRevision { get; init; } = "A";
    public long StorageBytes { get; init; } = 1 << 20;
    public int ChunkBytes { get; init; } = 1024;
    public long ChunkMs { get; init; } = 100;
    public long DigestMs { get; init; } = 20;
    public long BootloaderMs { get; init; } = 100;
    public long AgentStartMs { get; init; } = 500;
    public long HealthCheckMs { get; init; } = 5_000;
    public long CrashAfterMs { get; init; } = 2_000;
    public long LatencyMs { get; init; } = 50;
    public AgentOptions Agent { get; init; } = new();
    public RolloutOptions Rollout { get; init; } = new()
    {
        Waves = [WaveSpec.Percent(100)],
        OfferSpreadMs = 0,
    };
}

/// <summary>One device boot as the rig saw it.</summary>
internal sealed record BootRecord(long AtMs, Slot? Slot, string Version, bool Trial, int BootCount, bool FellBack);

/// <summary>A host action or write the rig carried out for the agent or the bootloader. Each one is a point where a
/// test can cut the power: a write is then torn, any other action does not happen.</summary>
internal sealed record RigStep(int Index, long AtMs, StepKind Kind, string What)
{
    public bool IsWrite => Kind is StepKind.PersistState or StepKind.AgentEnvironmentWrite or StepKind.BootloaderEnvironmentWrite
        or StepKind.SlotWrite or StepKind.DownloadWrite or StepKind.DiscardDownload;

    public bool IsEnvironmentWrite => Kind is StepKind.AgentEnvironmentWrite or StepKind.BootloaderEnvironmentWrite;
}

internal enum StepKind
{
    PersistState,
    AgentEnvironmentWrite,
    BootloaderEnvironmentWrite,
    SlotWrite,
    DownloadWrite,
    DiscardDownload,
    Send,
    Timer,
    StartDownload,
    ComputeDigest,
    HealthCheck,
    Reboot,
    Log,
}

/// <summary>A deterministic device for the agent core: two slots with real image bytes, the bootloader environment
/// (redundant or single copy), the persisted agent state, the download file, power, a simulated clock, and a
/// server side that runs the real <see cref="RolloutController"/> behind a <see cref="Link"/>. Nothing here is a
/// stand-in for the agent: the rig only carries out the agent's outputs the way a device host would.</summary>
internal sealed partial class DeviceRig
{
    public const int DeviceId = 0;

    private readonly PriorityQueue<Action, (long AtMs, long Sequence)> _queue = new();
    private readonly int[] _timerGenerations = new int[Enum.GetValues<AgentTimer>().Length];
    private long _sequence;
    private AgentCore? _agent;
    private int _epoch;
    private long _events;

    public DeviceRig(TestReleases releases, RigOptions? options = null, TestRelease? installed = null)
    {
        Releases = releases;
        Options = options ?? new RigOptions();
        var initial = installed ?? releases.Old;
        SlotBytes[0] = (byte[])initial.Artifact.Clone();
        SlotBytes[1] = [];
        Slots[0] = new SlotContent(initial.Version, initial.Manifest.SecurityVersion, Digests.Sha256Hex(SlotBytes[0]), true);
        Slots[1] = SlotContent.Empty;
        Environment = new EnvironmentStore(Options.RedundantEnvironment, BootEnvironment.Initial(Slot.A, Options.BootLimit));
        Identity = new DeviceIdentity(DeviceId, "gw-300", Options.HardwareRevision);
        Controller = new RolloutController(Options.Rollout, fleetSize: 1);
    }

    public TestReleases Releases { get; }
    public RigOptions Options { get; }
    public DeviceIdentity Identity { get; }
    public long NowMs { get; private set; }

    // Storage that survives a power cut.
    public byte[][] SlotBytes { get; } = new byte[2][];
    public SlotContent[] Slots { get; } = new SlotContent[2];
    public EnvironmentStore Environment { get; }
    public AgentState? Persisted { get; private set; }
    public List<byte>? DownloadFile { get; private set; }
    public long StorageBytes { get; set; }

    // Volatile state.
    public bool Powered { get; private set; }
    public Slot? Running { get; private set; }
    public bool Bricked { get; private set; }
    public AgentCore? Agent => _agent;

    // The server side.
    public RolloutController Controller { get; }
    public Link Link { get; } = new();
    public Dictionary<string, byte[]> Artifacts { get; } = new(StringComparer.Ordinal);

    // Behaviour and faults.
    public Dictionary<string, ImageBehaviour> Behaviour { get; } = new(StringComparer.Ordinal);
    public bool FlipBitOnNextSlotWrite { get; set; }
    public bool FailNextSlotWrite { get; set; }

    /// <summary>Decides at each step whether the power is cut there. Null: never.</summary>
    public Func<RigStep, bool>? CutWhen { get; set; }

    /// <summary>Time the power stays off after a cut before it returns by itself; negative keeps it off.</summary>
    public long RestoreAfterMs { get; set; } = 10_000;

    // What the rig observed.
    public List<RigStep> Steps { get; } = [];
    public List<BootRecord> Boots { get; } = [];
    public List<LogEvent> Logs { get; } = [];
    public List<BootEnvironment> EnvironmentWrites { get; } = [];
    public int PowerCuts { get; private set; }
    public int Reboots { get; private set; }
    public int SlotWriteStarts { get; private set; }

    public string RunningVersion => Running is { } slot && Powered ? Slots[(int)slot].Version : "";

    public ImageBehaviour BehaviourOf(string version) =>
        Behaviour.TryGetValue(version, out var behaviour) ? behaviour : ImageBehaviour.Healthy;

    /// <summary>Publishes a release on the artifact server.</summary>
    public void Publish(TestRelease release) => Artifacts[release.Url] = release.Artifact;

    /// <summary>Powers the device on for the first time, with <see cref="StorageBytes"/> defaulting to the options.</summary>
    public void Start()
    {
        if (StorageBytes == 0)
        {
            StorageBytes = Options.StorageBytes;
        }

        PowerOn();
    }

    /// <summary>Starts a deployment of <paramref name="release"/> to the device on the real controller.</summary>
    public void Deploy(TestRelease release, TestRelease? previous = null)
    {
        Publish(release);
        if (previous is not null)
        {
            Publish(previous);
        }

        RunController(new StartDeployment(release.Signed, release.Url, [DeviceId], previous?.Signed, previous?.Url));
    }

    /// <summary>Runs the simulation until <paramref name="untilMs"/> or until nothing is left to do.</summary>
    public void RunUntil(long untilMs)
    {
        while (_queue.TryPeek(out _, out var at) && at.AtMs <= untilMs)
        {
            RunNextEvent();
            if (_events > 5_000_000)
            {
                throw new InvalidOperationException($"The rig ran 5,000,000 events by {NowMs} ms; the device or server is looping.");
            }
        }

        NowMs = Math.Max(NowMs, untilMs);
    }

    public void RunFor(long durationMs) => RunUntil(NowMs + durationMs);

    /// <summary>Runs until <paramref name="condition"/> holds, for at most <paramref name="limitMs"/>; returns whether it held.</summary>
    public bool RunUntil(Func<bool> condition, long limitMs)
    {
        var end = NowMs + limitMs;
        while (!condition())
        {
            if (!_queue.TryPeek(out _, out var at) || at.AtMs > end)
            {
                NowMs = end;
                return condition();
            }

            RunNextEvent();
        }

        return true;
    }

    private void RunNextEvent()
    {
        _queue.TryDequeue(out var action, out var at);
        NowMs = Math.Max(NowMs, at.AtMs);
        _events++;
        action!.Invoke();
    }

    public void PowerOn()
    {
        if (Powered)
        {
            return;
        }

        Powered = true;
        var epoch = ++_epoch;
        Schedule(NowMs + Options.BootloaderMs, () => Boot(epoch));
    }

    /// <summary>Cuts the power now. Volatile state is lost; a slot write in progress leaves its slot invalid.</summary>
    public void CutPower()
    {
        if (!Powered)
        {
            return;
        }

        Powered = false;
        PowerCuts++;
        DropVolatile();
        if (RestoreAfterMs >= 0)
        {
            Schedule(NowMs + RestoreAfterMs, PowerOn);
        }
    }

    /// <summary>Reboots the device cleanly, as an operator or a watchdog would.</summary>
    public void Reboot()
    {
        if (Powered)
        {
            Restart(_epoch);
        }
    }

    /// <summary>Corrupts a slot at rest: its image no longer passes the bootloader's check.</summary>
    public void CorruptSlot(Slot slot)
    {
        Slots[(int)slot] = Slots[(int)slot] with { Valid = false };
        if (SlotBytes[(int)slot].Length > 0)
        {
            SlotBytes[(int)slot][0] ^= 0xFF;
        }
    }

    public void SetLink(bool up)
    {
        if (Link.Up == up)
        {
            return;
        }

        Link.Up = up;
        if (_agent is not null)
        {
            RunAgent(new ConnectivityChanged(up));
        }
    }

    private void Boot(int epoch)
    {
        if (epoch != _epoch || !Powered)
        {
            return;
        }

        var stored = Environment.Read();
        var decision = Bootloader.Decide(stored ?? BootEnvironment.Unreadable(Options.BootLimit), Slots[0], Slots[1]);
        if (decision.EnvironmentChanged || stored is null)
        {
            var torn = Step(StepKind.BootloaderEnvironmentWrite, $"bootloader writes {Describe(decision.Environment)}");
            Environment.Write(decision.Environment, torn);
            EnvironmentWrites.Add(decision.Environment);
            if (torn)
            {
                return;
            }
        }

        if (decision.Boot is not { } slot)
        {
            Bricked = true;
            Boots.Add(new BootRecord(NowMs, null, "", false, 0, decision.FellBack));
            return;
        }

        Bricked = false;
        Running = slot;
        var version = Slots[(int)slot].Version;
        Boots.Add(new BootRecord(NowMs, slot, version, decision.Environment.Trial, decision.Environment.BootCount, decision.FellBack));
        Schedule(NowMs + Options.AgentStartMs, () => AgentUp(epoch, decision.FellBack));
        if (BehaviourOf(version) == ImageBehaviour.CrashesOnStart)
        {
            Schedule(NowMs + Options.CrashAfterMs, () => Restart(epoch));
        }
    }

    private void AgentUp(int epoch, bool fellBack)
    {
        if (epoch != _epoch)
        {
            return;
        }

        _agent = new AgentCore(Options.Agent, Identity, Releases.Verifier);
        var environment = Environment.Read() ?? BootEnvironment.Unreadable(Options.BootLimit);
        RunAgent(new Booted(Running!.Value, Slots[0], Slots[1], environment, fellBack, Persisted));
        if (!Link.Up && _agent is not null && epoch == _epoch)
        {
            RunAgent(new ConnectivityChanged(false));
        }
    }

    /// <summary>A reboot by the agent or by the watchdog after a crash: volatile state goes, the bootloader runs.</summary>
    private void Restart(int epoch)
    {
        if (epoch != _epoch)
        {
            return;
        }

        Reboots++;
        DropVolatile();
        var next = _epoch;
        Schedule(NowMs + Options.BootloaderMs, () => Boot(next));
    }

    private void DropVolatile()
    {
        _epoch++;
        _agent = null;
        Running = null;
        _transfer++;
        _slotWrite++;
    }

    private void Schedule(long atMs, Action action) => _queue.Enqueue(action, (Math.Max(atMs, NowMs), _sequence++));

    /// <summary>Schedules an action that runs only if the device has not lost power or rebooted meanwhile.</summary>
    private void ScheduleOnDevice(long atMs, Action action)
    {
        var epoch = _epoch;
        Schedule(atMs, () =>
        {
            if (epoch == _epoch && Powered)
            {
                action();
            }
        });
    }

    /// <summary>Records a step and cuts the power there if the test asked for it. Returns true when the power was
    /// cut, so a write is torn and any other action does not happen.</summary>
    private bool Step(StepKind kind, string what)
    {
        var step = new RigStep(Steps.Count, NowMs, kind, what);
        Steps.Add(step);
        if (CutWhen?.Invoke(step) != true)
        {
            return false;
        }

        CutPower();
        return true;
    }

    private static string Describe(BootEnvironment environment) =>
        $"active={environment.Active} trial={environment.Trial} count={environment.BootCount} fell-back={environment.FellBack}";
}
