using FleetOta.Emulator.Live.Proxy;

namespace FleetOta.Emulator.Live.Tests.Proxy;

/// <summary>Validation messages of options and toxics, each naming the property, the value and what is allowed.</summary>
public sealed class ToxicValidationTests
{
    [Fact]
    public void Options_Invalid_ListsEveryProblem()
    {
        var options = new FaultProxyOptions { UpstreamHost = "", UpstreamPort = 0, BufferSize = 10 };

        var errors = options.Validate();

        errors.Should().HaveCount(3);
        errors.Should().Contain(error => error.Contains("UpstreamHost is missing"));
        errors.Should().Contain("FaultProxyOptions.UpstreamPort is 0, but it must be from 1 to 65535 (the port of the server).");
        errors.Should().Contain("FaultProxyOptions.BufferSize is 10, but it must be from 512 to 1048576 (bytes).");
    }

    [Fact]
    public void Constructor_InvalidOptions_Throws()
    {
        var create = () => new FaultProxy(new FaultProxyOptions { UpstreamHost = "127.0.0.1", UpstreamPort = 70000 });

        create.Should().Throw<ArgumentException>().WithMessage("*UpstreamPort is 70000*");
    }

    [Fact]
    public void Options_Defaults_AreValid()
    {
        var options = new FaultProxyOptions { UpstreamHost = "127.0.0.1", UpstreamPort = 1883 };

        options.Validate().Should().BeEmpty();
        options.ListenPort.Should().Be(0);
        options.UpstreamConnectTimeout.Should().Be(TimeSpan.FromSeconds(5));
    }

    [Theory]
    [MemberData(nameof(InvalidToxics))]
    public void Validate_InvalidToxic_NamesValueAndRange(Toxic toxic, string expected)
    {
        toxic.Validate().Should().ContainSingle().Which.Should().Be(expected);
    }

    public static TheoryData<Toxic, string> InvalidToxics() => new()
    {
        { new LatencyToxic { Latency = TimeSpan.FromMilliseconds(-5) }, "LatencyToxic 'latency_downstream': Latency is -5 ms, but it must be from 0 ms to 86400000 ms." },
        { new BandwidthToxic { BytesPerSecond = 0 }, "BandwidthToxic 'bandwidth_downstream': BytesPerSecond is 0, but it must be 1 or more bytes per second." },
        { new ResetToxic { AfterBytes = -1, Direction = ToxicDirection.Both }, "ResetToxic 'reset_both': AfterBytes is -1, but it must be 0 or more bytes." },
        { new BlackholeToxic { Timeout = TimeSpan.FromDays(2) }, "BlackholeToxic 'blackhole_downstream': Timeout is 172800000 ms, but it must be from 0 ms to 86400000 ms." },
        { new SlicerToxic { AverageSize = 8, SizeVariation = 8 }, "SlicerToxic 'slicer_downstream': SizeVariation is 8, but it must be from 0 to 7 bytes (less than AverageSize)." },
        { new CorruptToxic { Rate = 1.5 }, "CorruptToxic 'corrupt_downstream': Rate is 1.5, but it must be a number from 0 to 1." },
        { new CorruptToxic { Rate = 0.1, Probability = double.NaN, Name = "bits" }, "CorruptToxic 'bits': Probability is NaN, but it must be a number from 0 to 1." },
    };

    [Fact]
    public async Task AddToxic_DuplicateName_Throws()
    {
        await using var proxy = ProxyTestHelpers.StartProxy(upstreamPort: 9);
        proxy.AddToxic(new SlowCloseToxic { Delay = TimeSpan.FromSeconds(1) });

        var addAgain = () => proxy.AddToxic(new SlowCloseToxic { Delay = TimeSpan.FromSeconds(2) });

        addAgain.Should().Throw<ArgumentException>().WithMessage("*has a toxic named 'slowclose_downstream' already*");
    }

    [Fact]
    public async Task AddToxic_Invalid_ThrowsWithMessage()
    {
        await using var proxy = ProxyTestHelpers.StartProxy(upstreamPort: 9);

        var add = () => proxy.AddToxic(new CorruptToxic { Rate = -1 });

        add.Should().Throw<ArgumentException>().WithMessage("*Rate is -1*");
        proxy.Toxics.Should().BeEmpty();
    }
}
