using System.Diagnostics;
using System.Globalization;
using FleetOta.Emulator.Live.Hosting;

namespace FleetOta.Emulator.Live.Running;

/// <summary>The command line of one shard process, <c>fleetota emulator FILE --shard I/N ...</c>: everything the shard
/// needs to run its slice of the fleet, so that it depends on nothing but its arguments.</summary>
public static class ShardCommandLine
{
    /// <summary>Returns the start information of a shard.</summary>
    /// <param name="program">The program to start: the fleetota executable, or <c>dotnet</c> with
    /// <paramref name="assembly"/>.</param>
    /// <param name="assembly">Path of fleetota.dll when <paramref name="program"/> is <c>dotnet</c>; null otherwise.</param>
    /// <param name="scenarioFile">The scenario file that contains <paramref name="scenario"/>.</param>
    public static ProcessStartInfo StartInfo(DeviceHostOptions shard, string program, string? assembly, string scenarioFile, string scenario)
    {
        var info = new ProcessStartInfo(program);
        if (assembly is not null)
        {
            info.ArgumentList.Add(assembly);
        }

        string[] arguments =
        [
            "emulator", Path.GetFullPath(scenarioFile),
            "--shard", $"{shard.Shard + 1}/{shard.Shards}",
            "--scenario", scenario,
            "--server", shard.ServerUrl.ToString(),
            "--broker", shard.BrokerUrl.ToString(),
            "--journal", shard.JournalPath,
            "--device-dir", shard.DeviceDirectory,
            "--seed", shard.Spec.Seed.ToString(CultureInfo.InvariantCulture),
            "--devices", shard.Spec.Fleet.Devices.ToString(CultureInfo.InvariantCulture),
            "--time-factor", shard.TimeFactor.ToString(CultureInfo.InvariantCulture),
            "--epoch", shard.Epoch.ToString("O", CultureInfo.InvariantCulture),
            "--max-connects", shard.MaxConnectsInFlight.ToString(CultureInfo.InvariantCulture),
        ];
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        if (!shard.ProxyEveryDevice)
        {
            info.ArgumentList.Add("--direct");
        }

        return info;
    }
}
