using System.CommandLine;
using System.Globalization;
using FleetOta.Server.Host;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace FleetOta.Cli;

/// <summary><c>fleetota server</c>: runs the live reference server until Ctrl+C or SIGTERM.</summary>
internal static class ServerCommand
{
    public const int DefaultPort = 5080;

    public static Command Create()
    {
        var port = new Option<int>("--port")
        {
            Description = $"TCP port of the HTTP API and artifact download on 127.0.0.1; 0 picks a free port. Default: {DefaultPort}.",
            DefaultValueFactory = _ => DefaultPort,
        };
        var broker = new Option<string>("--broker")
        {
            Description = "MQTT broker: 'embedded' starts the embedded MQTTnet broker on a free port of 127.0.0.1, 'embedded:PORT' on that " +
                          "port, and a URL such as mqtt://127.0.0.1:1883 connects to an external broker. Default: embedded.",
            DefaultValueFactory = _ => ServerHostOptions.EmbeddedBroker,
        };
        var data = new Option<string>("--data")
        {
            Description = "Folder of the SQLite journal (a new journal-<UTC time>.sqlite per start) and the signing key " +
                          "(signing-key.pem, created on first start). Default: fleetota-data in the current folder.",
            DefaultValueFactory = _ => "fleetota-data",
        };
        var timeFactor = new Option<double>("--time-factor")
        {
            Description = "Virtual time per real time, a number above 0: 60 runs one virtual hour of rollout timers per real minute. " +
                          "Journal times are virtual milliseconds. Default: 60.",
            DefaultValueFactory = _ => 60,
        };

        var command = new Command("server",
            "Run the live reference server: management HTTP API, artifact download and the device protocol over MQTT, until Ctrl+C.")
        {
            port, broker, data, timeFactor,
        };
        command.SetAction((result, cancellationToken) => RunAsync(
            new ServerHostOptions
            {
                Port = result.GetValue(port),
                Broker = result.GetValue(broker)!,
                DataDirectory = Path.GetFullPath(result.GetValue(data)!),
                TimeFactor = result.GetValue(timeFactor),
            },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ServerHostOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            options.Validate();
            Directory.CreateDirectory(options.DataDirectory!);
        }
        catch (Exception problem) when (problem is ArgumentException or IOException or UnauthorizedAccessException)
        {
            await error.WriteLineAsync($"error: {problem.Message}");
            return ExitCodes.Usage;
        }

        // Logs go to standard error, so standard output carries only the line with the bound URLs.
        using var loggers = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning)
            .AddFilter("Microsoft.Hosting", LogLevel.Warning)
            // A failed start is printed as one error line below, so the hosting library's copy with a stack trace is left out.
            .AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical)
            .Services.Configure<ConsoleLoggerOptions>(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        ServerHost host;
        try
        {
            host = await ServerHost.StartAsync(options, loggers, cancellationToken);
        }
        catch (ServerStartException problem)
        {
            // A damaged data folder is invalid input, but a port in use or a broker out of reach is a failed run.
            await error.WriteLineAsync($"error: the server failed to start: {problem.Message}");
            return problem.Failure == ServerStartFailure.InvalidDataFolder ? ExitCodes.Usage : ExitCodes.RunFailed;
        }

        await using (host)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"FleetOta server on {host.HttpUrl} (MQTT {host.BrokerUrl}, time factor {options.TimeFactor}, journal {host.JournalPath}). Press Ctrl+C to stop."));
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                await output.WriteLineAsync("Stopping the FleetOta server.");
            }
        }

        return ExitCodes.Passed;
    }
}
