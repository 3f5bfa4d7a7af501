namespace FleetOta.Protocol;

/// <summary>One of the two A/B system slots.</summary>
public enum Slot
{
    A = 0,
    B = 1,
}

public static class SlotExtensions
{
    public static Slot Other(this Slot slot) => slot == Slot.A ? Slot.B : Slot.A;
}

/// <summary>State of one update attempt as the agent reports it.</summary>
public enum UpdateStatus
{
    Offered,
    Downloading,
    Verifying,
    Installing,
    Rebooting,
    Succeeded,
    Failed,
    RolledBack,
    Cancelled,
    Degraded,
}

/// <summary>Why an update attempt failed; <see cref="None"/> for every other status.</summary>
public enum FailureReason
{
    None,
    DigestMismatch,
    SignatureInvalid,
    ManifestUnsigned,
    IncompatibleHardware,
    SecurityVersionTooLow,
    InsufficientStorage,
    ImageTruncated,
    ReadBackMismatch,
    InstallFailed,
    BootFailed,
    HealthCheckFailed,
    DownloadFailed,
    Cancelled,
    RollbackRequested,
    UnknownSigningKey,
}

public static class UpdateStatusText
{
    /// <summary>Returns the lower-case wire and journal name of a status, such as "rolled-back".</summary>
    public static string ToWire(this UpdateStatus status) => status switch
    {
        UpdateStatus.Offered => "offered",
        UpdateStatus.Downloading => "downloading",
        UpdateStatus.Verifying => "verifying",
        UpdateStatus.Installing => "installing",
        UpdateStatus.Rebooting => "rebooting",
        UpdateStatus.Succeeded => "succeeded",
        UpdateStatus.Failed => "failed",
        UpdateStatus.RolledBack => "rolled-back",
        UpdateStatus.Cancelled => "cancelled",
        UpdateStatus.Degraded => "degraded",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    /// <summary>Returns the human-readable reason, such as "incompatible hardware".</summary>
    public static string ToText(this FailureReason reason) => reason switch
    {
        FailureReason.None => "",
        FailureReason.DigestMismatch => "image digest mismatch",
        FailureReason.SignatureInvalid => "invalid manifest signature",
        FailureReason.ManifestUnsigned => "manifest unsigned",
        FailureReason.IncompatibleHardware => "incompatible hardware",
        FailureReason.SecurityVersionTooLow => "security version too low",
        FailureReason.InsufficientStorage => "insufficient storage",
        FailureReason.ImageTruncated => "image truncated",
        FailureReason.ReadBackMismatch => "read-back verification failed",
        FailureReason.InstallFailed => "install failed",
        FailureReason.BootFailed => "boot failed",
        FailureReason.HealthCheckFailed => "health check failed",
        FailureReason.DownloadFailed => "download failed",
        FailureReason.Cancelled => "cancelled",
        FailureReason.RollbackRequested => "rollback requested",
        FailureReason.UnknownSigningKey => "unknown signing key",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
