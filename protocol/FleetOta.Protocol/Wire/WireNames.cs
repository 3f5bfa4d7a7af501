namespace FleetOta.Protocol.Wire;

/// <summary>JSON names of the protocol enums: lower-case words joined by hyphens, such as "rolled-back" and
/// "digest-mismatch". Slots are "A" and "B".</summary>
public static class WireNames
{
    private static readonly (FailureReason Value, string Name)[] Reasons =
    [
        (FailureReason.None, "none"),
        (FailureReason.DigestMismatch, "digest-mismatch"),
        (FailureReason.SignatureInvalid, "signature-invalid"),
        (FailureReason.ManifestUnsigned, "manifest-unsigned"),
        (FailureReason.IncompatibleHardware, "incompatible-hardware"),
        (FailureReason.SecurityVersionTooLow, "security-version-too-low"),
        (FailureReason.InsufficientStorage, "insufficient-storage"),
        (FailureReason.ImageTruncated, "image-truncated"),
        (FailureReason.ReadBackMismatch, "read-back-mismatch"),
        (FailureReason.InstallFailed, "install-failed"),
        (FailureReason.BootFailed, "boot-failed"),
        (FailureReason.HealthCheckFailed, "health-check-failed"),
        (FailureReason.DownloadFailed, "download-failed"),
        (FailureReason.Cancelled, "cancelled"),
        (FailureReason.RollbackRequested, "rollback-requested"),
        (FailureReason.UnknownSigningKey, "unknown-signing-key"),
    ];

    private static readonly (CommandKind Value, string Name)[] Commands =
    [
        (CommandKind.Cancel, "cancel"),
        (CommandKind.Retry, "retry"),
        (CommandKind.Rollback, "rollback"),
        (CommandKind.Install, "install"),
    ];

    public static string ToWire(this FailureReason reason) => NameOf(Reasons, reason);

    public static string ToWire(this CommandKind kind) => NameOf(Commands, kind);

    public static string ToWire(this Slot slot) => slot == Slot.A ? "A" : "B";

    public static bool TryParseStatus(string name, out UpdateStatus status)
    {
        foreach (var candidate in Enum.GetValues<UpdateStatus>())
        {
            if (candidate.ToWire() == name)
            {
                status = candidate;
                return true;
            }
        }

        status = default;
        return false;
    }

    public static bool TryParseReason(string name, out FailureReason reason) => TryParse(Reasons, name, out reason);

    public static bool TryParseCommand(string name, out CommandKind kind) => TryParse(Commands, name, out kind);

    public static bool TryParseSlot(string name, out Slot slot)
    {
        slot = name == "B" ? Slot.B : Slot.A;
        return name is "A" or "B";
    }

    /// <summary>Returns every wire name of <typeparamref name="T"/>, for error messages that list the valid values.</summary>
    public static string ValidNames<T>()
        where T : struct, Enum
    {
        if (typeof(T) == typeof(FailureReason))
        {
            return string.Join(", ", Reasons.Select(pair => pair.Name));
        }

        if (typeof(T) == typeof(CommandKind))
        {
            return string.Join(", ", Commands.Select(pair => pair.Name));
        }

        if (typeof(T) == typeof(UpdateStatus))
        {
            return string.Join(", ", Enum.GetValues<UpdateStatus>().Select(status => status.ToWire()));
        }

        return typeof(T) == typeof(Slot) ? "A, B" : string.Join(", ", Enum.GetNames<T>());
    }

    private static string NameOf<T>((T Value, string Name)[] table, T value)
        where T : struct, Enum
    {
        foreach (var (candidate, name) in table)
        {
            if (EqualityComparer<T>.Default.Equals(candidate, value))
            {
                return name;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"{typeof(T).Name} {value} has no wire name.");
    }

    private static bool TryParse<T>((T Value, string Name)[] table, string name, out T value)
        where T : struct, Enum
    {
        foreach (var (candidate, candidateName) in table)
        {
            if (candidateName == name)
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
