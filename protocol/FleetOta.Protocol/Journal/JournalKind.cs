namespace FleetOta.Journal;

/// <summary>Kinds of journal entries. The stored name (see <see cref="JournalKinds.Name"/>) is what
/// queries and oracles match on; the numeric value is never stored.</summary>
public enum JournalKind
{
    // Ground truth from the emulator or the live device host.
    PowerCut,
    PowerRestore,
    DeviceOnline,
    DeviceOffline,
    PartitionStart,
    PartitionEnd,
    FaultInjected,
    SlotWritten,
    BootEnvironmentWritten,
    Boot,
    BootloaderFallback,
    HealthCheck,
    FailureDetected,
    Committed,
    Degraded,
    DeviceFault,
    DownloadStarted,
    DownloadInterrupted,
    DownloadCompleted,

    // Messages: what each side sent and what arrived.
    MessageSent,
    MessageDelivered,
    MessageLost,

    // Controller decisions.
    DeploymentStarted,
    WaveStarted,
    WaveGate,
    DeviceOffered,
    ActionState,
    RolloutPaused,
    RolloutResumed,
    RolloutAborted,
    AlertRaised,
    AlertDelivered,
    RecoveryAction,
    ServerRestart,
}

public static class JournalKinds
{
    private static readonly string[] Names =
    [
        "power.cut", "power.restore", "device.online", "device.offline", "partition.start", "partition.end",
        "fault.injected", "slot.written", "bootenv.written", "boot", "bootloader.fallback", "health.check",
        "failure.detected", "committed", "degraded", "device.fault", "download.started",
        "download.interrupted", "download.completed",
        "message.sent", "message.delivered", "message.lost",
        "deployment.started", "wave.started", "wave.gate", "device.offered", "action.state", "rollout.paused",
        "rollout.resumed", "rollout.aborted", "alert.raised", "alert.delivered", "recovery.action",
        "server.restart",
    ];

    private static readonly Dictionary<string, JournalKind> ByName = BuildIndex();

    /// <summary>Returns the stored name of a kind, such as "message.delivered".</summary>
    public static string Name(this JournalKind kind) => Names[(int)kind];

    public static JournalKind Parse(string name) =>
        ByName.TryGetValue(name, out var kind)
            ? kind
            : throw new FormatException($"Unknown journal entry kind '{name}'.");

    private static Dictionary<string, JournalKind> BuildIndex()
    {
        if (Names.Length != Enum.GetValues<JournalKind>().Length)
        {
            throw new InvalidOperationException("Every journal kind needs exactly one stored name.");
        }

        var index = new Dictionary<string, JournalKind>(StringComparer.Ordinal);
        for (var i = 0; i < Names.Length; i++)
        {
            index[Names[i]] = (JournalKind)i;
        }

        return index;
    }
}
