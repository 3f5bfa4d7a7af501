using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>An input to the agent core. The host passes the current time alongside.</summary>
public abstract record AgentInput;

/// <summary>The device has booted: the slot the bootloader handed over to, both slots, the environment after the
/// bootloader ran, and the agent state persisted before the last power loss or reboot (null on first boot).</summary>
public sealed record Booted(
    Slot Running,
    SlotContent SlotA,
    SlotContent SlotB,
    BootEnvironment Environment,
    bool BootloaderFellBack,
    AgentState? Persisted) : AgentInput
{
    public SlotContent RunningContent => Running == Slot.A ? SlotA : SlotB;

    public SlotContent Content(Slot slot) => slot == Slot.A ? SlotA : SlotB;
}

public sealed record MessageReceived(ServerMessage Message) : AgentInput;

public sealed record TimerFired(AgentTimer Timer) : AgentInput;

/// <summary>The network link came up or went down.</summary>
public sealed record ConnectivityChanged(bool Online) : AgentInput;

/// <summary>Bytes of the download stored and checked so far; the agent persists it so a download resumes there.</summary>
public sealed record DownloadProgressed(long BytesStored) : AgentInput;

/// <summary>The server closed the transfer; <see cref="BytesStored"/> may be less than the manifest size.</summary>
public sealed record DownloadCompleted(long BytesStored) : AgentInput;

public sealed record DownloadFailed(DownloadError Error, long BytesStored) : AgentInput;

public enum DownloadError
{
    ConnectionReset,
    Offline,
    InsufficientStorage,
    NotFound,
}

public sealed record DigestComputed(DigestTarget Target, string Digest) : AgentInput;

public sealed record SlotWriteCompleted(Slot Slot) : AgentInput;

public sealed record SlotWriteFailed(Slot Slot, string Reason) : AgentInput;

public sealed record HealthCheckCompleted(bool Healthy) : AgentInput;

/// <summary>What a digest is computed over: the downloaded file or a slot (read-back verification).</summary>
public enum DigestTarget
{
    DownloadFile,
    SlotA,
    SlotB,
}

public static class DigestTargets
{
    public static DigestTarget Of(Slot slot) => slot == Slot.A ? DigestTarget.SlotA : DigestTarget.SlotB;
}

public enum AgentTimer
{
    Heartbeat,
    ReportRetry,
    HealthCheckTimeout,
    DownloadRetry,
}

/// <summary>An output of the agent core for its host to carry out, in order.</summary>
public abstract record AgentOutput;

public sealed record SendMessage(DeviceMessage Message) : AgentOutput;

public sealed record SetTimer(AgentTimer Timer, long AtMs) : AgentOutput;

public sealed record CancelTimer(AgentTimer Timer) : AgentOutput;

/// <summary>Start or resume the transfer of a release image from byte <see cref="FromOffset"/>.</summary>
public sealed record StartDownload(string ReleaseId, string Url, long FromOffset, long TotalBytes) : AgentOutput;

/// <summary>Stop any transfer and delete the download file.</summary>
public sealed record DiscardDownload : AgentOutput;

public sealed record ComputeDigest(DigestTarget Target) : AgentOutput;

/// <summary>Copy the downloaded image into a slot; a write boundary where power can be lost.</summary>
public sealed record WriteSlot(Slot Slot, ReleaseManifest Manifest) : AgentOutput;

/// <summary>Write the bootloader environment; a write boundary where power can be lost.</summary>
public sealed record WriteBootEnvironment(BootEnvironment Environment) : AgentOutput;

/// <summary>Write the agent state to persistent storage; a write boundary where power can be lost.</summary>
public sealed record PersistState(AgentState State) : AgentOutput;

public sealed record StartHealthCheck(long TimeoutMs) : AgentOutput;

public sealed record Reboot : AgentOutput;

/// <summary>A journal entry about this device; the host fills in the time and the device number.</summary>
public sealed record LogEvent(JournalKind Kind, string? Version, string? Status, string? Detail) : AgentOutput;
