namespace FleetOta.Protocol;

/// <summary>A message a device sends to the server. Devices are numbered from 0 within a run.</summary>
public abstract record DeviceMessage(int DeviceId)
{
    /// <summary>Short name used in topics and in the journal.</summary>
    public abstract string Type { get; }
}

/// <summary>Periodic proof of life with the running version, sent also after every boot.</summary>
public sealed record Heartbeat(int DeviceId, string RunningVersion, Slot ActiveSlot, bool Healthy, bool Degraded)
    : DeviceMessage(DeviceId)
{
    public override string Type => MessageTypes.Heartbeat;
}

/// <summary>A status transition of one update attempt, retried by the agent until acknowledged.</summary>
public sealed record StatusReport(
    int DeviceId,
    int Sequence,
    string ReleaseId,
    UpdateStatus Status,
    FailureReason Reason,
    string RunningVersion) : DeviceMessage(DeviceId)
{
    public override string Type => MessageTypes.Status;
}

/// <summary>A critical fault observed by the device's application after an update.</summary>
public sealed record FaultReport(int DeviceId, string RunningVersion, string Code, bool Critical)
    : DeviceMessage(DeviceId)
{
    public override string Type => MessageTypes.Fault;
}

/// <summary>A message the server sends to one device.</summary>
public abstract record ServerMessage(int DeviceId)
{
    public abstract string Type { get; }
}

/// <summary>An update offer: the signed manifest and where to download the image.</summary>
public sealed record UpdateOffer(int DeviceId, SignedManifest Manifest, string ArtifactUrl) : ServerMessage(DeviceId)
{
    public override string Type => MessageTypes.Offer;
}

/// <summary>An acknowledgement of the status report with the given sequence number.</summary>
public sealed record StatusAck(int DeviceId, int Sequence) : ServerMessage(DeviceId)
{
    public override string Type => MessageTypes.Ack;
}

/// <summary>A remote command. <see cref="Manifest"/> is set for <see cref="CommandKind.Install"/>.</summary>
public sealed record DeviceCommand(int DeviceId, CommandKind Kind, SignedManifest? Manifest, string? ArtifactUrl)
    : ServerMessage(DeviceId)
{
    public override string Type => MessageTypes.Command;
}

public enum CommandKind
{
    Cancel,
    Retry,
    Rollback,
    Install,
}

/// <summary>Message type names, shared by the MQTT topics and the journal.</summary>
public static class MessageTypes
{
    public const string Heartbeat = "heartbeat";
    public const string Status = "status";
    public const string Fault = "fault";
    public const string Offer = "offer";
    public const string Ack = "ack";
    public const string Command = "command";
}
