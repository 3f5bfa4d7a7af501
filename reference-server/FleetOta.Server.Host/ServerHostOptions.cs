using System.Globalization;
using FleetOta.Server.Host.Mqtt;

namespace FleetOta.Server.Host;

/// <summary>Options of the live reference server. <see cref="Validate"/> raises <see cref="ArgumentException"/> with
/// the option name, the value and the fix.</summary>
public sealed record ServerHostOptions
{
    /// <summary>The value of <see cref="Broker"/> that starts the embedded MQTTnet broker on a free port.</summary>
    public const string EmbeddedBroker = "embedded";

    /// <summary>TCP port of the HTTP API on 127.0.0.1; 0 picks a free port, reported by the running host. Default 0.</summary>
    public int Port { get; init; }

    /// <summary><c>embedded</c> (default) for the embedded broker on a free port, <c>embedded:PORT</c> for the embedded
    /// broker on that port, or the URL of an external broker such as <c>mqtt://127.0.0.1:1883</c>.</summary>
    public string Broker { get; init; } = EmbeddedBroker;

    /// <summary>Folder of the journal, the signing key and the SQLite state that survives a restart; null keeps state in
    /// memory, uses an ephemeral key and writes the journal to a new folder under the system temp folder. Default null.</summary>
    public string? DataDirectory { get; init; }

    /// <summary>Virtual milliseconds per real millisecond: 60 runs one virtual hour per real minute. Default 60.</summary>
    public double TimeFactor { get; init; } = 60;

    /// <summary>Real time between journal flushes to disk. Default 250 ms.</summary>
    public TimeSpan JournalFlushInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>First delay before the server's MQTT client reconnects, doubled after each failure. Default 100 ms.</summary>
    public TimeSpan ReconnectMinDelay { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Maximum delay between reconnect attempts of the server's MQTT client. Default 5 s.</summary>
    public TimeSpan ReconnectMaxDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Time the host waits for its first connection to the broker before start-up fails. Default 10 s.</summary>
    public TimeSpan BrokerConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Largest accepted image in a release registration, in bytes. Default 64 MiB.</summary>
    public long MaxImageBytes { get; init; } = 64L << 20;

    public void Validate()
    {
        if (Port is < 0 or > 65535)
        {
            throw new ArgumentException($"Option port is {Port}; use a TCP port from 1 to 65535, or 0 for a free port.");
        }

        if (!double.IsFinite(TimeFactor) || TimeFactor <= 0 || TimeFactor > 1_000_000)
        {
            throw new ArgumentException(
                $"Option time-factor is {TimeFactor.ToString(CultureInfo.InvariantCulture)}; use a number above 0 and at most 1000000, such as 60 for one virtual hour per real minute.");
        }

        if (MaxImageBytes <= 0)
        {
            throw new ArgumentException($"Option max-image-bytes is {MaxImageBytes}; use a positive number of bytes.");
        }

        _ = BrokerEndpoint.Parse(Broker);
    }
}
