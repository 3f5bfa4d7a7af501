using System.Globalization;
using System.Net.Sockets;
using FleetOta.Protocol;
using FleetOta.Server.Persistence;
using FleetOta.Server.Host.Mqtt;
using Microsoft.AspNetCore.Builder;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host;

// The start steps that can fail on the data folder or the network, each turning its failure into a
// ServerStartException whose message names the file or port and the fix.
public sealed partial class ServerHost
{
    private static T OpenDataFolder<T>(Func<T> open)
    {
        try
        {
            return open();
        }
        catch (Exception error) when (error is InvalidDataException or InvalidSigningKeyException)
        {
            throw new ServerStartException(ServerStartFailure.InvalidDataFolder, error.Message, error);
        }
    }

    private static SqliteAlertOutbox OpenAlertOutbox(string path)
    {
        try
        {
            return SqliteAlertOutbox.Open(path);
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException(
                $"The alert outbox {path} is not a readable SQLite store ({error.Message}); restore it from a backup, or delete it to drop the " +
                "alerts' delivery states, so that alerts a sink had not accepted yet are never delivered.", error);
        }
    }

    /// <summary>Starts the embedded broker on <paramref name="port"/>. For port 0 with a data folder it reuses the
    /// port of the last start, so devices keep their broker URL, and falls back to a free port when that one is taken.</summary>
    private static async Task<EmbeddedBroker> StartEmbeddedBrokerAsync(int port, string? dataDirectory, ILogger logger)
    {
        if (port != 0 || dataDirectory is null)
        {
            return await StartBrokerAsync(port, logger).ConfigureAwait(false);
        }

        var path = Path.Combine(dataDirectory, BrokerPortFileName);
        EmbeddedBroker? broker = null;
        if (File.Exists(path)
            && int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var stored)
            && stored is > 0 and <= 65535)
        {
            try
            {
                broker = await StartBrokerAsync(stored, logger).ConfigureAwait(false);
            }
            catch (ServerStartException error)
            {
                Log.BrokerPortChanged(logger, stored, error.InnerException?.Message ?? error.Message);
            }
        }

        broker ??= await StartBrokerAsync(0, logger).ConfigureAwait(false);
        File.WriteAllText(path, broker.Port.ToString(CultureInfo.InvariantCulture) + "\n");
        return broker;
    }

    private static async Task<EmbeddedBroker> StartBrokerAsync(int port, ILogger logger)
    {
        try
        {
            return await EmbeddedBroker.StartAsync(port, logger).ConfigureAwait(false);
        }
        catch (Exception error) when (error is SocketException or IOException)
        {
            throw new ServerStartException(ServerStartFailure.NetworkUnavailable,
                $"The embedded MQTT broker failed to listen on 127.0.0.1:{port} ({error.Message}); stop the process that uses the port, or " +
                "choose another port with option broker (embedded:PORT, or embedded for a free port).", error);
        }
    }

    private static async Task StartHttpAsync(WebApplication app, int port, CancellationToken cancellationToken)
    {
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException error)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new ServerStartException(ServerStartFailure.NetworkUnavailable,
                $"The HTTP API failed to listen on 127.0.0.1:{port} ({error.Message}); stop the process that uses the port, or choose another " +
                "port with option port (0 for a free port).", error);
        }
    }
}
