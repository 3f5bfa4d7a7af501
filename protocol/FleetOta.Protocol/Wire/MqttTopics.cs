using System.Globalization;

namespace FleetOta.Protocol.Wire;

/// <summary>MQTT topics of the device protocol. Each device has one topic per direction, and every payload is one
/// JSON message encoded by <see cref="WireCodec"/>.</summary>
/// <remarks>
/// Devices publish to <c>fleetota/d/{deviceId}/up</c> and subscribe to <c>fleetota/d/{deviceId}/down</c>; the
/// server subscribes to <see cref="AllUp"/>. The device id is the decimal device number with no leading zeros.
/// Both sides publish with QoS 1 (at least once), so duplicates are possible and the controller tolerates them.
/// </remarks>
public static class MqttTopics
{
    /// <summary>First topic level, shared by every topic of the protocol.</summary>
    public const string Root = "fleetota";

    /// <summary>Subscription filter that matches the up topic of every device.</summary>
    public const string AllUp = "fleetota/d/+/up";

    /// <summary>Subscription filter that matches the down topic of every device.</summary>
    public const string AllDown = "fleetota/d/+/down";

    private const string DevicePrefix = "fleetota/d/";
    private const string UpSuffix = "/up";
    private const string DownSuffix = "/down";

    /// <summary>Returns the topic a device publishes its messages to, such as <c>fleetota/d/7/up</c>.</summary>
    public static string Up(int deviceId) => DevicePrefix + FormatId(deviceId) + UpSuffix;

    /// <summary>Returns the topic the server publishes a device's messages to, such as <c>fleetota/d/7/down</c>.</summary>
    public static string Down(int deviceId) => DevicePrefix + FormatId(deviceId) + DownSuffix;

    /// <summary>Parses the device id of an up topic; false for any other topic.</summary>
    public static bool TryParseUp(string topic, out int deviceId) => TryParse(topic, UpSuffix, out deviceId);

    /// <summary>Parses the device id of a down topic; false for any other topic.</summary>
    public static bool TryParseDown(string topic, out int deviceId) => TryParse(topic, DownSuffix, out deviceId);

    private static string FormatId(int deviceId)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(deviceId);
        return deviceId.ToString(CultureInfo.InvariantCulture);
    }

    private static bool TryParse(string topic, string suffix, out int deviceId)
    {
        deviceId = -1;
        if (!topic.StartsWith(DevicePrefix, StringComparison.Ordinal) || !topic.EndsWith(suffix, StringComparison.Ordinal))
        {
            return false;
        }

        var id = topic.AsSpan(DevicePrefix.Length, topic.Length - DevicePrefix.Length - suffix.Length);
        if (id.IsEmpty || (id.Length > 1 && id[0] == '0'))
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return int.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out deviceId);
    }
}
