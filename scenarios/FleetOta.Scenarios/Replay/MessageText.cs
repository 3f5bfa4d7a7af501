using FleetOta.Protocol;

namespace FleetOta.Scenarios.Replay;

/// <summary>Parses the wire names that the journal and the JSON-lines format use for update statuses and failure
/// reasons, such as "rolled-back" and "health check failed".</summary>
public static class MessageText
{
    private static readonly Dictionary<string, UpdateStatus> Statuses =
        Enum.GetValues<UpdateStatus>().ToDictionary(status => status.ToWire(), status => status, StringComparer.Ordinal);

    private static readonly Dictionary<string, FailureReason> Reasons =
        Enum.GetValues<FailureReason>().Where(reason => reason != FailureReason.None)
            .ToDictionary(reason => reason.ToText(), reason => reason, StringComparer.Ordinal);

    public static IEnumerable<string> StatusNames => Statuses.Keys;

    public static IEnumerable<string> ReasonNames => Reasons.Keys;

    public static bool TryParseStatus(string text, out UpdateStatus status) => Statuses.TryGetValue(text, out status);

    public static bool TryParseReason(string text, out FailureReason reason)
    {
        if (text.Length == 0)
        {
            reason = FailureReason.None;
            return true;
        }

        return Reasons.TryGetValue(text, out reason);
    }
}
