using System.Net;
using System.Net.Sockets;
using FleetOta.Emulator.Live.Proxy;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace FleetOta.Emulator.Live.Tests.Proxy;

/// <summary>Forwarding, lifecycle, counters and logging of <see cref="FaultProxy"/> over real sockets.</summary>
public sealed class FaultProxyTests
{
    [Fact]
    public async Task Forward_Echo_DeliversIntactAndCounts()
    {
        var payload = SocketIo.Pattern(100_000);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var reply = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());
        client.Shutdown(SocketShutdown.Send);
        var rest = await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        await proxy.StopAsync();
        var counters = proxy.GetCounters();

        reply.Should().Equal(payload);
        rest.Should().BeEmpty("the close of the echo server is passed on as end of stream");
        counters.ConnectionsAccepted.Should().Be(1);
        counters.ConnectionsOpen.Should().Be(0);
        counters.Upstream.Should().Be(new DirectionCounters(payload.Length, payload.Length, 0, 0));
        counters.Downstream.Should().Be(new DirectionCounters(payload.Length, payload.Length, 0, 0));
        counters.ToxicApplications.Values.Should().OnlyContain(count => count == 0);
        counters.ToxicApplications.Keys.Should().Equal(Enum.GetValues<ToxicKind>());
    }

    [Fact]
    public async Task Forward_HttpGet_ReturnsBody()
    {
        await using var http = new HttpTestServer(10_000);
        await using var proxy = ProxyTestHelpers.StartProxy(http.Port);
        using var httpClient = new HttpClient();

        var body = await httpClient.GetByteArrayAsync($"http://127.0.0.1:{proxy.EndPoint.Port}/", SocketIo.Timeout());

        body.Should().Equal(SocketIo.Pattern(10_000));
    }

    [Fact]
    public async Task Start_PortZero_ReportsBoundPort()
    {
        await using var proxy = ProxyTestHelpers.StartProxy(upstreamPort: 9);

        proxy.EndPoint.Address.Should().Be(IPAddress.Loopback);
        proxy.EndPoint.Port.Should().BePositive();
        proxy.IsEnabled.Should().BeTrue();
    }

    [Fact]
    public async Task DisableEnable_Outage_RefusesThenRecovers()
    {
        var payload = SocketIo.Pattern(100);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        int port = proxy.EndPoint.Port;
        using var open = await SocketIo.ConnectAsync(port);
        (await SocketIo.EchoAsync(open, payload, SocketIo.Timeout())).Should().Equal(payload);

        proxy.Disable();
        var readOpen = async () => await SocketIo.ReceiveExactlyAsync(open, 1, SocketIo.Timeout());
        var connectNew = async () => await SocketIo.ConnectAsync(port);

        proxy.IsEnabled.Should().BeFalse();
        (await readOpen.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        (await connectNew.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionRefused);

        proxy.Enable();
        using var reopened = await SocketIo.ConnectAsync(port);

        proxy.IsEnabled.Should().BeTrue();
        proxy.EndPoint.Port.Should().Be(port);
        (await SocketIo.EchoAsync(reopened, payload, SocketIo.Timeout())).Should().Equal(payload);
        proxy.GetCounters().ConnectionsAccepted.Should().Be(2);
    }

    [Fact]
    public async Task UpstreamDown_Connect_ResetsClientAndCounts()
    {
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        await using var proxy = ProxyTestHelpers.StartProxy(closedPort);

        // The reset can arrive before the client's connect completes, so it may fail either call.
        var connectAndRead = async () =>
        {
            using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
            await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        };

        (await connectAndRead.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        proxy.GetCounters().UpstreamConnectFailures.Should().Be(1);
    }

    [Fact]
    public async Task Latency_FakeClock_WaitsForVirtualTime()
    {
        var clock = new FakeTimeProvider();
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port, timeProvider: clock);
        proxy.AddToxic(new LatencyToxic { Latency = TimeSpan.FromSeconds(10) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var receiving = SocketIo.ReceiveExactlyAsync(client, 3, SocketIo.Timeout());
        await client.SendAsync(new byte[] { 7, 8, 9 }, SocketFlags.None);
        await Task.Delay(300);
        bool arrivedBeforeAdvance = receiving.IsCompleted;
        clock.Advance(TimeSpan.FromSeconds(10));
        var reply = await receiving;

        arrivedBeforeAdvance.Should().BeFalse("real time passing must not release data delayed on the fake clock");
        reply.Should().Equal(7, 8, 9);
    }

    [Fact]
    public async Task Logging_StartStopAndErrors_IncludeIds()
    {
        var logger = new ListLogger();
        var closed = new TcpListener(IPAddress.Loopback, 0);
        closed.Start();
        int closedPort = ((IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop();
        var proxy = ProxyTestHelpers.StartProxy(closedPort, seed: 77, logger: logger);
        var connectAndRead = async () =>
        {
            using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
            await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        };
        await connectAndRead.Should().ThrowAsync<SocketException>();

        await proxy.StopAsync();
        var messages = logger.Messages;

        messages.Should().Contain(message => message.StartsWith("Information: Fault proxy test listening on 127.0.0.1:") && message.Contains("seed 77"));
        messages.Should().Contain(message => message.StartsWith("Warning: Connection test#1: connecting to upstream 127.0.0.1:"));
        messages.Should().Contain(message => message.StartsWith("Information: Fault proxy test stopped after 1 connections"));
    }

    [Fact]
    public async Task Stop_OpenConnection_ClosesWithFin()
    {
        await using var echo = new EchoServer();
        var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
        (await SocketIo.EchoAsync(client, [1, 2, 3], SocketIo.Timeout())).Should().Equal(1, 2, 3);

        await proxy.StopAsync();
        var rest = await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());

        rest.Should().BeEmpty("a normal close reads as end of stream, not as a reset");
        proxy.GetCounters().ConnectionsOpen.Should().Be(0);
    }

    [Fact]
    public async Task Stop_Twice_DoesNothingMore()
    {
        var proxy = ProxyTestHelpers.StartProxy(upstreamPort: 9);

        await proxy.StopAsync();
        await proxy.StopAsync();

        proxy.IsEnabled.Should().BeFalse();
        proxy.Invoking(p => p.Start()).Should().Throw<InvalidOperationException>().WithMessage("*started before*");
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> _messages = [];

        public IReadOnlyList<string> Messages
        {
            get
            {
                lock (_messages)
                {
                    return [.. _messages];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_messages)
            {
                _messages.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
