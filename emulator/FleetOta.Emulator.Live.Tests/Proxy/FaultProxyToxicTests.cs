using System.Diagnostics;
using System.Net.Sockets;
using FleetOta.Emulator.Live.Proxy;

namespace FleetOta.Emulator.Live.Tests.Proxy;

/// <summary>
/// One test per toxic over real sockets on 127.0.0.1. Timing bounds are loose on the slow side because the
/// tests share two cores with other test classes, but every lower bound is one the proxy must meet.
/// </summary>
public sealed class FaultProxyToxicTests
{
    [Fact]
    public async Task Latency_Downstream_DelaysEveryReply()
    {
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new LatencyToxic { Latency = TimeSpan.FromMilliseconds(200) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var roundTrips = new List<TimeSpan>();
        for (int i = 0; i < 5; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            var reply = await SocketIo.EchoAsync(client, [(byte)i], SocketIo.Timeout());
            roundTrips.Add(stopwatch.Elapsed);
            reply.Should().Equal((byte)i);
        }

        roundTrips.Should().OnlyContain(time => time >= TimeSpan.FromMilliseconds(200));
        roundTrips.Should().OnlyContain(time => time < TimeSpan.FromMilliseconds(400));
        proxy.GetCounters().ToxicApplications[ToxicKind.Latency].Should().Be(1);
    }

    [Fact]
    public async Task Latency_WithJitter_SpreadsWithinRange()
    {
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new LatencyToxic { Latency = TimeSpan.FromMilliseconds(100), Jitter = TimeSpan.FromMilliseconds(60) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var roundTrips = new List<double>();
        for (int i = 0; i < 12; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            await SocketIo.EchoAsync(client, [1], SocketIo.Timeout());
            roundTrips.Add(stopwatch.Elapsed.TotalMilliseconds);
        }

        roundTrips.Should().OnlyContain(milliseconds => milliseconds >= 40);
        roundTrips.Should().OnlyContain(milliseconds => milliseconds < 300);
        (roundTrips.Max() - roundTrips.Min()).Should().BeGreaterThan(20, "jitter of ±60 ms should vary the delay");
    }

    [Fact]
    public async Task Bandwidth_HttpDownload_TakesSizeOverRate()
    {
        const int BodySize = 128 * 1024;
        const int BytesPerSecond = 256 * 1024;
        await using var http = new HttpTestServer(BodySize);
        await using var proxy = ProxyTestHelpers.StartProxy(http.Port);
        proxy.AddToxic(new BandwidthToxic { BytesPerSecond = BytesPerSecond });
        using var httpClient = new HttpClient();

        var stopwatch = Stopwatch.StartNew();
        var body = await httpClient.GetByteArrayAsync($"http://127.0.0.1:{proxy.EndPoint.Port}/image", SocketIo.Timeout());
        var elapsed = stopwatch.Elapsed;

        // The body should take 0.5 s. The tolerance of ±25 % covers timer granularity and the response header.
        body.Should().Equal(SocketIo.Pattern(BodySize));
        elapsed.Should().BeGreaterThan(TimeSpan.FromSeconds(0.375));
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(0.625));
    }

    [Fact]
    public async Task Reset_AfterBytes_ClientSeesResetWithinLimit()
    {
        const int Limit = 1000;
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new ResetToxic { AfterBytes = Limit });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        await client.SendAsync(SocketIo.Pattern(5000), SocketFlags.None);
        var received = 0;
        var buffer = new byte[8192];
        var read = async () =>
        {
            while (true)
            {
                int count = await client.ReceiveAsync(buffer, SocketFlags.None, SocketIo.Timeout());
                received += count;
                if (count == 0)
                {
                    return;
                }
            }
        };

        var failure = await read.Should().ThrowAsync<SocketException>();
        failure.Which.SocketErrorCode.Should().Be(SocketError.ConnectionReset);
        received.Should().BeLessThanOrEqualTo(Limit);
        proxy.GetCounters().Downstream.BytesForwarded.Should().Be(Limit);
        proxy.GetCounters().ToxicApplications[ToxicKind.Reset].Should().Be(1);
    }

    [Fact]
    public async Task Reset_ZeroBytes_ResetsAtOnce()
    {
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new ResetToxic { AfterBytes = 0, Direction = ToxicDirection.Upstream });

        // The reset can arrive before the client's connect completes, so it may fail either call. A send after the
        // reset arrived fails with EPIPE, which .NET reports as Shutdown; a receive fails with ConnectionReset.
        var exchange = async () =>
        {
            using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
            await SocketIo.EchoAsync(client, [1], SocketIo.Timeout());
        };

        (await exchange.Should().ThrowAsync<SocketException>()).Which.SocketErrorCode.Should().BeOneOf(SocketError.ConnectionReset, SocketError.Shutdown);
        echo.BytesReceived.Should().Be(0);
    }

    [Fact]
    public async Task Blackhole_WithTimeout_SwallowsThenCloses()
    {
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new BlackholeToxic { Direction = ToxicDirection.Upstream, Timeout = TimeSpan.FromMilliseconds(500) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
        var stopwatch = Stopwatch.StartNew();

        await client.SendAsync(SocketIo.Pattern(100), SocketFlags.None);
        var received = await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        var elapsed = stopwatch.Elapsed;

        received.Should().BeEmpty();
        elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(480));
        elapsed.Should().BeLessThan(TimeSpan.FromSeconds(2));
        echo.BytesReceived.Should().Be(0);
        proxy.GetCounters().Upstream.BytesDropped.Should().Be(100);
    }

    [Fact]
    public async Task SlowClose_Downstream_DelaysCloseNotData()
    {
        await using var greeter = new GreetingServer("hello"u8.ToArray());
        await using var proxy = ProxyTestHelpers.StartProxy(greeter.Port);
        proxy.AddToxic(new SlowCloseToxic { Delay = TimeSpan.FromMilliseconds(400) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
        var stopwatch = Stopwatch.StartNew();

        var greeting = await SocketIo.ReceiveExactlyAsync(client, 5, SocketIo.Timeout());
        var greetingTime = stopwatch.Elapsed;
        client.Shutdown(SocketShutdown.Send);
        var rest = await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        var closeTime = stopwatch.Elapsed;

        greeting.Should().Equal("hello"u8.ToArray());
        rest.Should().BeEmpty();
        greetingTime.Should().BeLessThan(TimeSpan.FromMilliseconds(200));
        closeTime.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(400));
        closeTime.Should().BeLessThan(TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Slicer_Downstream_DeliversIntactInManyReads()
    {
        var payload = SocketIo.Pattern(300);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new SlicerToxic { AverageSize = 10, SizeVariation = 4, Delay = TimeSpan.FromMilliseconds(5) });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        await client.SendAsync(payload, SocketFlags.None);
        var received = new List<byte>();
        int reads = 0;
        var buffer = new byte[4096];
        while (received.Count < payload.Length)
        {
            int count = await client.ReceiveAsync(buffer, SocketFlags.None, SocketIo.Timeout());
            count.Should().BePositive("the connection must stay open until all bytes arrived");
            received.AddRange(buffer.AsSpan(0, count));
            reads++;
        }

        received.Should().Equal(payload);
        reads.Should().BeGreaterThanOrEqualTo(5, "about 30 segments of 6 to 14 bytes arrive about 5 ms apart");
    }

    [Fact]
    public async Task Corrupt_Rate_FlipsAboutThatShareOfBytes()
    {
        const int Length = 200_000;
        const double Rate = 0.01;
        var payload = SocketIo.Pattern(Length);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new CorruptToxic { Rate = Rate });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var reply = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());

        var changed = Enumerable.Range(0, Length).Where(i => reply[i] != payload[i]).ToList();
        // Expected are 2,000 changed bytes with a standard deviation of about 45, so the bounds are 9 deviations wide.
        changed.Count.Should().BeInRange(1600, 2400);
        changed.Should().OnlyContain(i => byte.PopCount((byte)(reply[i] ^ payload[i])) == 1, "each corrupted byte has exactly one bit flipped");
        proxy.GetCounters().Downstream.BytesCorrupted.Should().Be(changed.Count);
        proxy.GetCounters().Upstream.BytesCorrupted.Should().Be(0);
    }

    [Fact]
    public async Task Corrupt_RateZero_LeavesBytesIntact()
    {
        var payload = SocketIo.Pattern(100_000);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new CorruptToxic { Rate = 0, Direction = ToxicDirection.Both });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var reply = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());

        reply.Should().Equal(payload);
        proxy.GetCounters().Downstream.BytesCorrupted.Should().Be(0);
    }

    [Theory]
    [InlineData(ToxicDirection.Upstream)]
    [InlineData(ToxicDirection.Downstream)]
    public async Task Corrupt_OneDirection_LeavesOtherIntact(ToxicDirection direction)
    {
        var greeting = SocketIo.Pattern(1000, seed: 2);
        var request = SocketIo.Pattern(1000, seed: 3);
        await using var greeter = new GreetingServer(greeting);
        await using var proxy = ProxyTestHelpers.StartProxy(greeter.Port);
        proxy.AddToxic(new CorruptToxic { Rate = 1, Direction = direction });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        await client.SendAsync(request, SocketFlags.None);
        client.Shutdown(SocketShutdown.Send);
        var receivedByClient = await SocketIo.ReadToEndAsync(client, SocketIo.Timeout());
        await proxy.StopAsync();
        await greeter.DisposeAsync();
        var receivedByServer = greeter.Received.Should().ContainSingle().Subject;

        receivedByClient.Should().HaveCount(greeting.Length);
        receivedByServer.Should().HaveCount(request.Length);
        if (direction == ToxicDirection.Upstream)
        {
            receivedByClient.Should().Equal(greeting);
            CountDifferences(receivedByServer, request).Should().Be(request.Length);
        }
        else
        {
            receivedByServer.Should().Equal(request);
            CountDifferences(receivedByClient, greeting).Should().Be(greeting.Length);
        }
    }

    [Fact]
    public async Task Latency_UpstreamOnly_LeavesDownstreamFast()
    {
        await using var greeter = new GreetingServer("hello"u8.ToArray());
        await using var proxy = ProxyTestHelpers.StartProxy(greeter.Port);
        proxy.AddToxic(new LatencyToxic { Latency = TimeSpan.FromMilliseconds(500), Direction = ToxicDirection.Upstream });
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
        var stopwatch = Stopwatch.StartNew();

        var greeting = await SocketIo.ReceiveExactlyAsync(client, 5, SocketIo.Timeout());

        greeting.Should().Equal("hello"u8.ToArray());
        stopwatch.Elapsed.Should().BeLessThan(TimeSpan.FromMilliseconds(250));
    }

    [Fact]
    public async Task Probability_Zero_NeverApplies()
    {
        var payload = SocketIo.Pattern(1000);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        proxy.AddToxic(new CorruptToxic { Rate = 1, Probability = 0, Direction = ToxicDirection.Both });

        for (int i = 0; i < 20; i++)
        {
            using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
            var reply = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());
            reply.Should().Equal(payload, "connection {0} must not be corrupted", i);
        }

        proxy.GetCounters().ToxicApplications[ToxicKind.Corrupt].Should().Be(0);
    }

    [Fact]
    public async Task Probability_SameSeed_SelectsSameConnections()
    {
        var first = await FindCorruptedConnectionsAsync(seed: 42);
        var second = await FindCorruptedConnectionsAsync(seed: 42);
        var otherSeed = await FindCorruptedConnectionsAsync(seed: 43);

        first.Should().Equal(second);
        first.Count.Should().BeInRange(8, 32, "probability 0.5 over 40 connections");
        otherSeed.Should().NotEqual(first);
    }

    [Fact]
    public async Task Toxics_ChangedAtRunTime_AffectOpenConnection()
    {
        var payload = SocketIo.Pattern(500);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);

        var before = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());
        proxy.AddToxic(new CorruptToxic { Name = "flip", Rate = 1 });
        var during = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());
        proxy.RemoveToxic("flip").Should().BeTrue();
        var after = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());

        before.Should().Equal(payload);
        CountDifferences(during, payload).Should().Be(payload.Length);
        after.Should().Equal(payload);
        proxy.Toxics.Should().BeEmpty();
    }

    [Fact]
    public async Task Blackhole_RemovedBeforeTimeout_LetsLaterDataThrough()
    {
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port);
        using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
        proxy.AddToxic(new BlackholeToxic { Name = "partition", Direction = ToxicDirection.Both, Timeout = TimeSpan.FromMilliseconds(300) });

        await client.SendAsync(new byte[] { 1, 2, 3 }, SocketFlags.None);
        await Task.Delay(100);
        proxy.RemoveToxic("partition");
        await Task.Delay(400);
        var reply = await SocketIo.EchoAsync(client, [4, 5, 6], SocketIo.Timeout());

        reply.Should().Equal(4, 5, 6);
        proxy.GetCounters().Upstream.BytesDropped.Should().Be(3);
    }

    private static async Task<List<int>> FindCorruptedConnectionsAsync(int seed)
    {
        var payload = SocketIo.Pattern(200);
        await using var echo = new EchoServer();
        await using var proxy = ProxyTestHelpers.StartProxy(echo.Port, seed);
        proxy.AddToxic(new CorruptToxic { Rate = 1, Probability = 0.5 });

        var corrupted = new List<int>();
        for (int i = 0; i < 40; i++)
        {
            using var client = await SocketIo.ConnectAsync(proxy.EndPoint.Port);
            var reply = await SocketIo.EchoAsync(client, payload, SocketIo.Timeout());
            if (!reply.AsSpan().SequenceEqual(payload))
            {
                corrupted.Add(i);
            }
        }

        proxy.GetCounters().ToxicApplications[ToxicKind.Corrupt].Should().Be(corrupted.Count);
        return corrupted;
    }

    private static int CountDifferences(byte[] actual, byte[] expected) =>
        Enumerable.Range(0, Math.Min(actual.Length, expected.Length)).Count(i => actual[i] != expected[i]);
}
