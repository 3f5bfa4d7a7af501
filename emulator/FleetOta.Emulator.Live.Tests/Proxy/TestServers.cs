using System.Net;
using System.Net.Sockets;
using System.Text;

namespace FleetOta.Emulator.Live.Tests.Proxy;

/// <summary>Base of the small TCP servers that the proxy tests forward to. It listens on 127.0.0.1 on a port
/// the system chooses and serves each connection on its own task.</summary>
internal abstract class TestServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _connections = [];
    private readonly Task _acceptLoop;
    private int _disposed;

    protected TestServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = AcceptLoopAsync();
    }

    public int Port { get; }

    protected abstract Task ServeAsync(Socket client, CancellationToken token);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Stop();
        await _acceptLoop;
        Task[] connections;
        lock (_connections)
        {
            connections = [.. _connections];
        }

        await Task.WhenAll(connections);
        _stopping.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            lock (_connections)
            {
                _connections.Add(ServeAndCloseAsync(client));
            }
        }
    }

    private async Task ServeAndCloseAsync(Socket client)
    {
        using (client)
        {
            try
            {
                await ServeAsync(client, _stopping.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                // The proxy reset the connection or the test ended, and both are part of the tests.
            }
        }
    }
}

/// <summary>Sends back every byte it receives and closes its side after the client closed its side.</summary>
internal sealed class EchoServer : TestServer
{
    private long _bytesReceived;

    public long BytesReceived => Interlocked.Read(ref _bytesReceived);

    protected override async Task ServeAsync(Socket client, CancellationToken token)
    {
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int count = await client.ReceiveAsync(buffer, SocketFlags.None, token);
            if (count == 0)
            {
                client.Shutdown(SocketShutdown.Send);
                return;
            }

            Interlocked.Add(ref _bytesReceived, count);
            await client.SendAsync(buffer.AsMemory(0, count), SocketFlags.None, token);
        }
    }
}

/// <summary>Sends a fixed greeting on connect, then records what the client sends until it closes its side,
/// then closes.</summary>
internal sealed class GreetingServer(byte[] greeting) : TestServer
{
    private readonly List<byte[]> _received = [];

    /// <summary>Bytes received on each connection, in the order the connections finished.</summary>
    public IReadOnlyList<byte[]> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    protected override async Task ServeAsync(Socket client, CancellationToken token)
    {
        await client.SendAsync(greeting, SocketFlags.None, token);
        var received = await SocketIo.ReadToEndAsync(client, token);
        lock (_received)
        {
            _received.Add(received);
        }

        client.Shutdown(SocketShutdown.Send);
    }
}

/// <summary>Minimal HTTP/1.1 server that responds to every request with 200 and a body of <c>bodySize</c> bytes from
/// <see cref="SocketIo.Pattern"/>, then closes the connection.</summary>
internal sealed class HttpTestServer(int bodySize) : TestServer
{
    protected override async Task ServeAsync(Socket client, CancellationToken token)
    {
        var request = new List<byte>();
        var buffer = new byte[4096];
        while (!EndsWithBlankLine(request))
        {
            int count = await client.ReceiveAsync(buffer, SocketFlags.None, token);
            if (count == 0)
            {
                return;
            }

            request.AddRange(buffer.AsSpan(0, count));
        }

        var header = $"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: {bodySize}\r\nConnection: close\r\n\r\n";
        await client.SendAsync(Encoding.ASCII.GetBytes(header), SocketFlags.None, token);
        await client.SendAsync(SocketIo.Pattern(bodySize), SocketFlags.None, token);
        client.Shutdown(SocketShutdown.Send);
        await SocketIo.ReadToEndAsync(client, token);
    }

    private static bool EndsWithBlankLine(List<byte> request) =>
        request.Count >= 4 && request[^4] == '\r' && request[^3] == '\n' && request[^2] == '\r' && request[^1] == '\n';
}

/// <summary>Client-side socket helpers.</summary>
internal static class SocketIo
{
    /// <summary>Returns deterministic bytes that are not all equal, so a shifted or corrupted copy shows.</summary>
    public static byte[] Pattern(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static async Task<Socket> ConnectAsync(int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(IPAddress.Loopback, port);
        return socket;
    }

    public static async Task<byte[]> ReceiveExactlyAsync(Socket socket, int length, CancellationToken token)
    {
        var buffer = new byte[length];
        int offset = 0;
        while (offset < length)
        {
            int count = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, token);
            if (count == 0)
            {
                throw new EndOfStreamException($"The connection closed after {offset} of {length} bytes.");
            }

            offset += count;
        }

        return buffer;
    }

    public static async Task<byte[]> ReadToEndAsync(Socket socket, CancellationToken token)
    {
        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        while (true)
        {
            int count = await socket.ReceiveAsync(buffer, SocketFlags.None, token);
            if (count == 0)
            {
                return received.ToArray();
            }

            received.Write(buffer, 0, count);
        }
    }

    /// <summary>Sends <paramref name="payload"/> and reads the echo of the same length.</summary>
    public static async Task<byte[]> EchoAsync(Socket socket, byte[] payload, CancellationToken token)
    {
        var receiving = ReceiveExactlyAsync(socket, payload.Length, token);
        await socket.SendAsync(payload, SocketFlags.None, token);
        return await receiving;
    }

    public static CancellationToken Timeout(int seconds = 10) => new CancellationTokenSource(TimeSpan.FromSeconds(seconds)).Token;
}
