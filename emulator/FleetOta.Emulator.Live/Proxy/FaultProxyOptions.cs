using System.Globalization;
using System.Net;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>Settings of one <see cref="FaultProxy"/>. The proxy copies them when it is created.</summary>
public sealed class FaultProxyOptions
{
    /// <summary>Name used in log messages and connection ids. Default <c>proxy</c>.</summary>
    public string Name { get; set; } = "proxy";

    /// <summary>Address to listen on. Default <see cref="IPAddress.Loopback"/> (127.0.0.1).</summary>
    public IPAddress ListenAddress { get; set; } = IPAddress.Loopback;

    /// <summary>Port to listen on. Default 0, which lets the system choose a free port. Read the port it chose
    /// from <see cref="FaultProxy.EndPoint"/> after start. From 0 to 65535.</summary>
    public int ListenPort { get; set; }

    /// <summary>Host name or address of the server or broker that connections are forwarded to. Required.</summary>
    public string UpstreamHost { get; set; } = "";

    /// <summary>Port of the server or broker. Required, from 1 to 65535.</summary>
    public int UpstreamPort { get; set; }

    /// <summary>
    /// Seed of all random draws of the proxy. Connection number n draws from generators seeded with a mix of
    /// (Seed, n), so the same seed and the same order of connections give the same faults. Default 0.
    /// </summary>
    public int Seed { get; set; }

    /// <summary>Time allowed to connect to the upstream server before the client connection is reset. Default 5 s,
    /// from 1 ms to one day.</summary>
    public TimeSpan UpstreamConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Size in bytes of the buffer of one read from a socket. Default 16384, from 512 to 1048576.</summary>
    public int BufferSize { get; set; } = 16 * 1024;

    /// <summary>
    /// Number of chunks read but not yet forwarded, per connection and direction, before the proxy stops
    /// reading and TCP flow control slows the sender. Default 16, from 1 to 1024. With the default buffer size,
    /// a latency toxic lets at most 256 KiB per delay through in each direction.
    /// </summary>
    public int MaxChunksInFlight { get; set; } = 16;

    /// <summary>Maximum number of pending connections in the listen queue. Default 512, from 1 to 65535.</summary>
    public int ListenBacklog { get; set; } = 512;

    /// <summary>Checks every setting and returns one message per invalid value, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add("FaultProxyOptions.Name is empty; set a short name such as \"http\" or \"mqtt\".");
        }

        if (ListenAddress is null)
        {
            errors.Add("FaultProxyOptions.ListenAddress is missing; set an address such as 127.0.0.1.");
        }

        CheckRange(errors, nameof(ListenPort), ListenPort, 0, IPEndPoint.MaxPort, "0 lets the system choose a port");
        if (string.IsNullOrWhiteSpace(UpstreamHost))
        {
            errors.Add("FaultProxyOptions.UpstreamHost is missing; set the host name or address of the server, such as 127.0.0.1.");
        }

        CheckRange(errors, nameof(UpstreamPort), UpstreamPort, 1, IPEndPoint.MaxPort, "the port of the server");
        if (UpstreamConnectTimeout < TimeSpan.FromMilliseconds(1) || UpstreamConnectTimeout > Toxic.MaxDelay)
        {
            errors.Add($"FaultProxyOptions.UpstreamConnectTimeout is {UpstreamConnectTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture)} ms, but it must be from 1 ms to one day.");
        }

        CheckRange(errors, nameof(BufferSize), BufferSize, 512, 1024 * 1024, "bytes");
        CheckRange(errors, nameof(MaxChunksInFlight), MaxChunksInFlight, 1, 1024, "chunks");
        CheckRange(errors, nameof(ListenBacklog), ListenBacklog, 1, 65535, "connections");
        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every invalid setting.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid fault proxy options: " + string.Join(" ", errors));
        }
    }

    internal FaultProxyOptions Clone() => (FaultProxyOptions)MemberwiseClone();

    private static void CheckRange(List<string> errors, string property, int value, int min, int max, string hint)
    {
        if (value < min || value > max)
        {
            errors.Add($"FaultProxyOptions.{property} is {value.ToString(CultureInfo.InvariantCulture)}, but it must be from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)} ({hint}).");
        }
    }
}
