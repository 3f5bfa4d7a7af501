using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FleetOta.Server.Host.Tests.Support;

/// <summary>A Debian mosquitto process on a free port of 127.0.0.1, with a configuration file written for it.</summary>
internal sealed class MosquittoBroker : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/sbin/mosquitto";

    public const string SkipReason =
        "mosquitto is not installed at /usr/sbin/mosquitto; install it with 'apt-get install -y mosquitto' to run the external-broker tests.";

    private readonly string _directory;
    private Process? _process;

    private MosquittoBroker(string directory, int port)
    {
        _directory = directory;
        Port = port;
    }

    public static bool IsInstalled => File.Exists(ExecutablePath);

    public int Port { get; }

    public Uri Url => new($"mqtt://127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}");

    public static async Task<MosquittoBroker> StartAsync()
    {
        var directory = Directory.CreateTempSubdirectory("fleetota-mosquitto-").FullName;
        var broker = new MosquittoBroker(directory, FreePort());
        await File.WriteAllTextAsync(Path.Combine(directory, "mosquitto.conf"), $"""
            listener {broker.Port} 127.0.0.1
            allow_anonymous true
            persistence false
            max_queued_messages 10000
            log_dest stderr
            """);
        await broker.RestartAsync();
        return broker;
    }

    /// <summary>Stops the broker process, as an outage would.</summary>
    public async Task StopAsync()
    {
        if (_process is null)
        {
            return;
        }

        _process.Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the broker on the same port and waits until it accepts connections.</summary>
    public async Task RestartAsync()
    {
        await StopAsync();
        var start = new ProcessStartInfo(ExecutablePath, ["-c", Path.Combine(_directory, "mosquitto.conf")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {ExecutablePath}.");
        _process.BeginErrorReadLine();
        _process.BeginOutputReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline && !_process.HasExited)
            {
                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_directory, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A fact that is skipped, with the reason, when mosquitto is not installed.</summary>
public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (!MosquittoBroker.IsInstalled)
        {
            Skip = MosquittoBroker.SkipReason;
        }
    }
}
