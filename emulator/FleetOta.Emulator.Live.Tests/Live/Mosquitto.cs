using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>A fact that needs Debian's mosquitto broker; skipped with the reason when it is not installed.</summary>
public sealed class MosquittoFactAttribute : FactAttribute
{
    public MosquittoFactAttribute()
    {
        if (!File.Exists(Mosquitto.Binary))
        {
            Skip = $"{Mosquitto.Binary} is missing; install it with 'apt-get install -y mosquitto' to run the live tests against mosquitto.";
        }
    }
}

/// <summary>A mosquitto broker on 127.0.0.1 on a free port, with its own configuration file, stopped on dispose.</summary>
internal sealed class Mosquitto : IAsyncDisposable
{
    public const string Binary = "/usr/sbin/mosquitto";

    private readonly Process _process;
    private readonly string _folder;

    private Mosquitto(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public string Url => string.Create(CultureInfo.InvariantCulture, $"mqtt://127.0.0.1:{Port}");

    public static async Task<Mosquitto> StartAsync()
    {
        var port = FreePort();
        var folder = Path.Combine(Path.GetTempPath(), "fleetota-mosquitto-" + Path.GetRandomFileName());
        Directory.CreateDirectory(folder);
        var config = Path.Combine(folder, "mosquitto.conf");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            listener {port} 127.0.0.1
            allow_anonymous true
            max_connections -1
            max_queued_messages 0
            persistence false
            log_dest none
            """));
        var process = Process.Start(new ProcessStartInfo(Binary, ["-c", config]) { UseShellExecute = false, RedirectStandardError = true })
                      ?? throw new InvalidOperationException($"Starting {Binary} failed.");
        var broker = new Mosquitto(process, folder, port);
        for (var attempt = 0; attempt < 50; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return broker;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        await broker.DisposeAsync();
        throw new InvalidOperationException($"mosquitto did not listen on port {port} within 5 s.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
