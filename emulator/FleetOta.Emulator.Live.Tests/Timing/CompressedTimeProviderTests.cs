using FleetOta.Emulator.Live.Timing;
using Microsoft.Extensions.Time.Testing;

namespace FleetOta.Emulator.Live.Tests.Timing;

public sealed class CompressedTimeProviderTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void VirtualMs_RealSecondAtFactor60_IsOneVirtualMinute()
    {
        var real = new FakeTimeProvider(Start);
        var clock = new CompressedTimeProvider(60, Start, real);

        real.Advance(TimeSpan.FromSeconds(1));

        clock.VirtualMs.Should().Be(60_000);
        clock.GetUtcNow().Should().Be(Start + TimeSpan.FromMinutes(1));
    }

    [Fact]
    public void VirtualMs_BeforeEpoch_IsNegative()
    {
        var real = new FakeTimeProvider(Start);
        var clock = new CompressedTimeProvider(10, Start + TimeSpan.FromSeconds(2), real);

        clock.VirtualMs.Should().Be(-20_000);
        clock.RealDelayUntil(0).Should().Be(TimeSpan.FromSeconds(2));
    }

    [Fact]
    public void CreateTimer_VirtualHourAtFactor60_FiresAfterRealMinute()
    {
        var real = new FakeTimeProvider(Start);
        var clock = new CompressedTimeProvider(60, Start, real);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, TimeSpan.FromHours(1), Timeout.InfiniteTimeSpan);

        real.Advance(TimeSpan.FromSeconds(59));
        fired.Should().Be(0);
        real.Advance(TimeSpan.FromSeconds(1));

        fired.Should().Be(1);
    }

    [Fact]
    public void Constructor_FactorZero_Throws()
    {
        var create = () => new CompressedTimeProvider(0, Start);

        create.Should().Throw<ArgumentOutOfRangeException>().WithMessage("*time factor is 0*");
    }
}
