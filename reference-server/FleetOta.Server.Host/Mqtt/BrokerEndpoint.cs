using System.Globalization;

namespace FleetOta.Server.Host.Mqtt;

/// <summary>Where the server's MQTT client connects: the embedded broker (with a fixed port or 0 for a free one)
/// or an external broker.</summary>
public sealed record BrokerEndpoint(bool Embedded, string Host, int Port)
{
    public const int DefaultMqttPort = 1883;

    public Uri ToUri() => new($"mqtt://{Host}:{Port.ToString(CultureInfo.InvariantCulture)}");

    /// <summary>Parses <c>embedded</c>, <c>embedded:PORT</c> or <c>mqtt://HOST[:PORT]</c>.</summary>
    public static BrokerEndpoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text == ServerHostOptions.EmbeddedBroker)
        {
            return new BrokerEndpoint(true, "127.0.0.1", 0);
        }

        if (text.StartsWith(ServerHostOptions.EmbeddedBroker + ":", StringComparison.Ordinal))
        {
            var portText = text[(ServerHostOptions.EmbeddedBroker.Length + 1)..];
            if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
            {
                throw Invalid(text, $"the port '{portText}' is not a TCP port from 0 to 65535");
            }

            return new BrokerEndpoint(true, "127.0.0.1", port);
        }

        if (!Uri.TryCreate(text, UriKind.Absolute, out var uri) || uri.Scheme != "mqtt")
        {
            throw Invalid(text, "it is neither 'embedded' nor an mqtt:// URL");
        }

        if (uri.AbsolutePath is not ("/" or "") || uri.Query.Length > 0 || uri.UserInfo.Length > 0)
        {
            throw Invalid(text, "it has a path, a query or user information, which the server does not use");
        }

        return new BrokerEndpoint(false, uri.Host, uri.IsDefaultPort || uri.Port < 0 ? DefaultMqttPort : uri.Port);
    }

    private static ArgumentException Invalid(string text, string reason) =>
        new($"Option broker is '{text}', but {reason}; use 'embedded', 'embedded:PORT' or a URL such as mqtt://127.0.0.1:1883.");
}
