namespace FleetOta.Emulator.Faults;

/// <summary>The fault catalogue. Each kind is aimed at devices (or the server side) by a <see cref="FaultSpec"/>.</summary>
public enum FaultKind
{
    // Network
    MessageLoss,
    Latency,
    BandwidthCap,
    ConnectionReset,
    Partition,
    BrokerOutage,

    // Power
    PowerCut,
    Brownout,

    // Image
    CorruptInTransit,
    CorruptAtRest,
    BitFlipOnWrite,
    Truncated,
    BadSignature,
    WrongHardware,
    Downgrade,
    StorageFull,

    // Release behaviour
    CrashLoop,
    HealthCheckFailure,
    SlowBurn,

    // Server side
    ControllerRestart,
    DelayedTelemetry,
    DuplicateReports,
    LateReports,
    AlertSinkDown,
}

/// <summary>Agent steps at which a power cut can be aimed.</summary>
public enum PowerCutStep
{
    Download,
    WriteSlot,
    BootEnvironment,
    BeforeReboot,
    FirstBoot,
    HealthCheck,
    Commit,
    Report,
}

public static class FaultKinds
{
    private static readonly Dictionary<string, FaultKind> ByName = Enum.GetValues<FaultKind>()
        .ToDictionary(kind => kind.ToName(), kind => kind, StringComparer.Ordinal);

    /// <summary>Returns the scenario-file name of a fault kind, such as "corrupt-in-transit".</summary>
    public static string ToName(this FaultKind kind) => Kebab(kind.ToString());

    public static string ToName(this PowerCutStep step) => Kebab(step.ToString());

    public static bool TryParse(string name, out FaultKind kind) => ByName.TryGetValue(name, out kind);

    public static IEnumerable<string> Names => ByName.Keys.Order(StringComparer.Ordinal);

    /// <summary>True for kinds that act on the server side, not on devices.</summary>
    public static bool IsServerSide(this FaultKind kind) =>
        kind is FaultKind.BrokerOutage or FaultKind.ControllerRestart or FaultKind.AlertSinkDown;

    private static string Kebab(string pascal)
    {
        var builder = new System.Text.StringBuilder();
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsUpper(c) && i > 0 && !char.IsUpper(pascal[i - 1]))
            {
                builder.Append('-');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
