using System.Globalization;
using FleetOta.Protocol;

namespace FleetOta.Journal;

/// <summary>Journal columns of a message. The simulation host, the live device host and the live server all use
/// these, so that the oracles read every host alike.</summary>
public static class MessageJournal
{
    public static string? RunningVersionOf(DeviceMessage message) => message switch
    {
        Heartbeat heartbeat => heartbeat.RunningVersion,
        StatusReport report => report.RunningVersion,
        FaultReport fault => fault.RunningVersion,
        _ => null,
    };

    /// <summary>Returns the release, the status column (health, status with reason, or fault code) and the value
    /// column (status sequence number, or active slot of a heartbeat) of a device message.</summary>
    public static (string? Release, string? Status, long Value) Describe(DeviceMessage message) => message switch
    {
        StatusReport report => (report.ReleaseId, StatusDetail(report), report.Sequence),
        Heartbeat heartbeat => (null, HealthOf(heartbeat), (long)heartbeat.ActiveSlot),
        FaultReport fault => (null, fault.Critical ? "critical:" + fault.Code : fault.Code, 0),
        _ => (null, null, 0),
    };

    /// <summary>Returns the release and the detail column (offered version, command kind or acknowledged sequence)
    /// of a server message.</summary>
    public static (string? Release, string? Detail) Describe(ServerMessage message) => message switch
    {
        UpdateOffer offer => (offer.Manifest.Manifest.ReleaseId, offer.Manifest.Manifest.Version),
        DeviceCommand command => (command.Manifest?.Manifest.ReleaseId, command.Kind.ToString().ToLowerInvariant()),
        StatusAck ack => (null, ack.Sequence.ToString(CultureInfo.InvariantCulture)),
        _ => (null, null),
    };

    private static string HealthOf(Heartbeat heartbeat)
    {
        if (heartbeat.Degraded)
        {
            return "degraded";
        }

        return heartbeat.Healthy ? "healthy" : "unhealthy";
    }

    private static string StatusDetail(StatusReport report) =>
        report.Reason == FailureReason.None ? report.Status.ToWire() : report.Status.ToWire() + ": " + report.Reason.ToText();
}
