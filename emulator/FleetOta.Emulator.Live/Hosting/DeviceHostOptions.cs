using FleetOta.Emulator.Live.Devices;
using FleetOta.Emulator.Simulation;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>Everything one shard of the live device host needs. A shard runs devices
/// [<see cref="FirstDevice"/>, <see cref="EndDevice"/>) of the scenario's fleet against the given server and broker.</summary>
public sealed record DeviceHostOptions
{
    public required SimulationSpec Spec { get; init; }

    /// <summary>Shard number, 0-based.</summary>
    public int Shard { get; init; }

    /// <summary>Number of shards the fleet is split into. Default 1.</summary>
    public int Shards { get; init; } = 1;

    /// <summary>Base URL of the server's HTTP API and artifacts, such as http://127.0.0.1:5080/.</summary>
    public required Uri ServerUrl { get; init; }

    /// <summary>URL of the MQTT broker, such as mqtt://127.0.0.1:1883.</summary>
    public required Uri BrokerUrl { get; init; }

    /// <summary>Journal file of this shard; an existing file is replaced.</summary>
    public required string JournalPath { get; init; }

    /// <summary>Folder that gets one sub-folder per device with its slots, environment and state.</summary>
    public required string DeviceDirectory { get; init; }

    /// <summary>Virtual seconds per real second. Default 60.</summary>
    public double TimeFactor { get; init; } = 60;

    /// <summary>Real UTC instant of virtual time 0, the same for the server and every shard of the run.</summary>
    public required DateTimeOffset Epoch { get; init; }

    /// <summary>Connection attempts to the broker in flight at once, across the shard. Default 64, because
    /// mosquitto's listen queue drops connects that arrive in larger bursts.</summary>
    public int MaxConnectsInFlight { get; init; } = 64;

    /// <summary>Route every device through the fault proxies, also devices without network faults. Default true;
    /// false connects devices without network faults directly, which saves two sockets per device.</summary>
    public bool ProxyEveryDevice { get; init; } = true;

    public MqttLinkOptions Mqtt { get; init; } = new();

    /// <summary>First device of the shard: the fleet is cut into <see cref="Shards"/> contiguous ranges.</summary>
    public int FirstDevice => (int)((long)Spec.Fleet.Devices * Shard / Shards);

    /// <summary>One past the last device of the shard.</summary>
    public int EndDevice => (int)((long)Spec.Fleet.Devices * (Shard + 1) / Shards);

    /// <summary>Returns the problems of these options, each naming the value and the fix; empty when valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        if (Shards < 1 || Shard < 0 || Shard >= Shards)
        {
            problems.Add($"Shard {Shard + 1}/{Shards} is invalid; use I/N with 1 <= I <= N.");
        }

        if (!(TimeFactor >= 1e-3) || double.IsInfinity(TimeFactor))
        {
            problems.Add($"The time factor is {TimeFactor}; use a finite number of at least 0.001, such as 60.");
        }

        if (BrokerUrl.Scheme is not ("mqtt" or "tcp") || BrokerUrl.Port <= 0)
        {
            problems.Add($"The broker URL is {BrokerUrl}; use mqtt://HOST:PORT, such as mqtt://127.0.0.1:1883.");
        }

        if (ServerUrl.Scheme != Uri.UriSchemeHttp)
        {
            problems.Add($"The server URL is {ServerUrl}; use http://HOST:PORT/, such as http://127.0.0.1:5080/.");
        }

        if (MaxConnectsInFlight < 1)
        {
            problems.Add($"MaxConnectsInFlight is {MaxConnectsInFlight}; it must be at least 1.");
        }

        problems.AddRange(LiveSupport.Problems(Spec));
        return problems;
    }
}
