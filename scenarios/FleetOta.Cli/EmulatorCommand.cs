using System.CommandLine;
using System.Globalization;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Running;
using Microsoft.Extensions.Logging;

namespace FleetOta.Cli;

/// <summary><c>fleetota emulator --shard I/N</c>: runs one shard of a live fleet as its own process, against the server
/// and broker given on its command line, and writes the shard's journal. The live runner starts these; an engineer
/// can start one by hand against a running server.</summary>
internal static class EmulatorCommand
{
    public static Command Create()
    {
        var file = CommonOptions.ScenarioFile();
        var shard = new Option<string>("--shard") { Description = "Slice of the fleet this process runs, as I/N: shard I of N, counted from 1.", Required = true };
        var scenario = new Option<string>("--scenario", "-s") { Description = "Name of the scenario in the scenario file.", Required = true };
        var server = new Option<string>("--server") { Description = "Base URL of the reference server's HTTP API, such as http://127.0.0.1:5080/.", Required = true };
        var broker = new Option<string>("--broker") { Description = "URL of the MQTT broker, such as mqtt://127.0.0.1:1883.", Required = true };
        var journal = new Option<string>("--journal") { Description = "Path of this shard's journal file (SQLite); an existing file is replaced.", Required = true };
        var devices = new Option<string>("--device-dir") { Description = "Folder for the devices' slots, environments and state. Default: devices next to the journal." };
        var seed = CommonOptions.Seed("Seed, overriding the scenario's. Must match the runner's. Default: the scenario's seed.");
        var fleet = CommonOptions.Devices("Fleet size, overriding the scenario's. Must match the runner's. Default: the scenario's fleet size.");
        var factor = new Option<double>("--time-factor") { Description = "Virtual seconds per real second. Default: 60.", DefaultValueFactory = _ => 60 };
        var epoch = new Option<string>("--epoch")
        {
            Description = "UTC instant of virtual time 0 in ISO 8601, the same for the server and every shard of the run. Default: now.",
        };
        var connects = new Option<int>("--max-connects") { Description = "Broker connects in flight at once. Default: 64.", DefaultValueFactory = _ => 64 };
        var direct = new Option<bool>("--direct") { Description = "Connect devices without network faults straight to the broker, not through the fault proxy." };

        var command = new Command("emulator", "Run one shard of a live fleet against a running server and broker, and write its journal.")
        {
            file, shard, scenario, server, broker, journal, devices, seed, fleet, factor, epoch, connects, direct,
        };
        command.SetAction((result, token) => ExecuteAsync(result, token, new Parts(file, shard, scenario, server, broker, journal, devices, seed, fleet,
            factor, epoch, connects, direct)));
        return command;
    }

    private sealed record Parts(
        Argument<string> File, Option<string> Shard, Option<string> Scenario, Option<string> Server, Option<string> Broker, Option<string> Journal,
        Option<string> Devices, Option<long?> Seed, Option<int?> Fleet, Option<double> Factor, Option<string> Epoch, Option<int> Connects,
        Option<bool> Direct);

    private static async Task<int> ExecuteAsync(ParseResult result, CancellationToken token, Parts parts)
    {
        var error = result.InvocationConfiguration.Error;
        if (!TryParseShard(result.GetValue(parts.Shard)!, out var index, out var count))
        {
            error.WriteLine($"error: --shard is '{result.GetValue(parts.Shard)}'; use I/N with 1 <= I <= N, such as 2/4.");
            return ExitCodes.Usage;
        }

        if (!ScenarioSelection.TryLoad(result.GetValue(parts.File)!, [result.GetValue(parts.Scenario)!], error, out var scenarios))
        {
            return ExitCodes.Usage;
        }

        var epochText = result.GetValue(parts.Epoch);
        var epoch = TimeProvider.System.GetUtcNow();
        if (epochText is not null && !DateTimeOffset.TryParse(epochText, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out epoch))
        {
            error.WriteLine($"error: --epoch is '{epochText}'; use an ISO 8601 UTC instant such as 2026-12-04T20:00:00.0000000Z.");
            return ExitCodes.Usage;
        }

        if (!Uri.TryCreate(result.GetValue(parts.Server), UriKind.Absolute, out var server)
            || !Uri.TryCreate(result.GetValue(parts.Broker), UriKind.Absolute, out var broker))
        {
            error.WriteLine("error: --server and --broker must be absolute URLs, such as http://127.0.0.1:5080/ and mqtt://127.0.0.1:1883.");
            return ExitCodes.Usage;
        }

        var journal = Path.GetFullPath(result.GetValue(parts.Journal)!);
        var spec = ScenarioRunner.Resolve(scenarios[0], new RunSettings(".", result.GetValue(parts.Seed), result.GetValue(parts.Fleet)));
        var options = new DeviceHostOptions
        {
            Spec = spec,
            Shard = index - 1,
            Shards = count,
            ServerUrl = server,
            BrokerUrl = broker,
            JournalPath = journal,
            DeviceDirectory = result.GetValue(parts.Devices) ?? Path.Combine(Path.GetDirectoryName(journal)!, "devices"),
            TimeFactor = result.GetValue(parts.Factor),
            Epoch = epoch,
            MaxConnectsInFlight = result.GetValue(parts.Connects),
            ProxyEveryDevice = !result.GetValue(parts.Direct),
        };
        var problems = options.Validate();
        if (problems.Count > 0)
        {
            foreach (var problem in problems)
            {
                error.WriteLine("error: " + problem);
            }

            return ExitCodes.Usage;
        }

        using var loggers = LoggerFactory.Create(builder => builder.SetMinimumLevel(LogLevel.Information).AddSimpleConsole(console => console.SingleLine = true));
        await using var host = await DeviceHost.StartAsync(options, loggers, token).ConfigureAwait(false);
        await host.RunToEndAsync(token).ConfigureAwait(false);
        return ExitCodes.Passed;
    }

    internal static bool TryParseShard(string text, out int index, out int count)
    {
        index = count = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
               && int.TryParse(text.AsSpan(0, slash), NumberStyles.None, CultureInfo.InvariantCulture, out index)
               && int.TryParse(text.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out count)
               && count >= 1 && index >= 1 && index <= count;
    }
}
