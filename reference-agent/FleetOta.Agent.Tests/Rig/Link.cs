using FleetOta.Protocol;

namespace FleetOta.Agent.Tests.Rig;

/// <summary>What happened to one message on the link.</summary>
internal enum LinkOutcome
{
    Delivered,
    Lost,
    Rejected,
}

internal sealed record LinkRecord(long AtMs, bool ToServer, object Message, LinkOutcome Outcome);

/// <summary>The network between the device and the server. It can be down, lose chosen messages, or have the
/// status endpoint answer "unavailable" a given number of times; every message and its fate is recorded.</summary>
internal sealed class Link
{
    public bool Up { get; set; } = true;

    /// <summary>Status reports still to be rejected as "unavailable" (not delivered, not acknowledged).</summary>
    public int RejectStatusReports { get; set; }

    public Func<DeviceMessage, bool>? LoseToServer { get; set; }

    public Func<ServerMessage, bool>? LoseToDevice { get; set; }

    public List<LinkRecord> Records { get; } = [];

    public LinkOutcome Judge(DeviceMessage message, long nowMs)
    {
        var outcome = LinkOutcome.Delivered;
        if (!Up || LoseToServer?.Invoke(message) == true)
        {
            outcome = LinkOutcome.Lost;
        }
        else if (message is StatusReport && RejectStatusReports > 0)
        {
            RejectStatusReports--;
            outcome = LinkOutcome.Rejected;
        }

        Records.Add(new LinkRecord(nowMs, true, message, outcome));
        return outcome;
    }

    public LinkOutcome Judge(ServerMessage message, long nowMs)
    {
        var outcome = !Up || LoseToDevice?.Invoke(message) == true ? LinkOutcome.Lost : LinkOutcome.Delivered;
        Records.Add(new LinkRecord(nowMs, false, message, outcome));
        return outcome;
    }

    /// <summary>Returns the heartbeats that reached the server, in arrival order.</summary>
    public IEnumerable<Heartbeat> DeliveredHeartbeats() =>
        Records.Where(r => r.ToServer && r.Outcome == LinkOutcome.Delivered).Select(r => r.Message).OfType<Heartbeat>();

    /// <summary>Returns the status reports that reached the server, in arrival order.</summary>
    public IEnumerable<StatusReport> DeliveredReports() =>
        Records.Where(r => r.ToServer && r.Outcome == LinkOutcome.Delivered).Select(r => r.Message).OfType<StatusReport>();
}
