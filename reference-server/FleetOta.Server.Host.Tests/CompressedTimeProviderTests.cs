using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Time.Testing;

namespace FleetOta.Server.Host.Tests;

public sealed class CompressedTimeProviderTests
{
    [Fact]
    public void NowMs_Factor60_SixtyTimesReal()
    {
        var real = new FakeTimeProvider();
        var clock = new CompressedTimeProvider(real, 60);

        real.Advance(TimeSpan.FromSeconds(2));

        clock.NowMs.Should().Be(120_000);
        clock.GetElapsedTime(0).Should().Be(TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Delay_VirtualMinute_FiresAfterRealSecond()
    {
        var real = new FakeTimeProvider();
        var clock = new CompressedTimeProvider(real, 60);

        var delay = Task.Delay(TimeSpan.FromMinutes(1), clock);
        real.Advance(TimeSpan.FromMilliseconds(999));
        var earlyDone = delay.IsCompleted;
        real.Advance(TimeSpan.FromMilliseconds(1));
        await delay.WaitAsync(TimeSpan.FromSeconds(5));

        earlyDone.Should().BeFalse();
        delay.IsCompletedSuccessfully.Should().BeTrue();
    }

    [Fact]
    public void Timer_Change_ScalesDueTime()
    {
        var real = new FakeTimeProvider();
        var clock = new CompressedTimeProvider(real, 10);
        var fired = 0;
        using var timer = clock.CreateTimer(_ => fired++, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);

        timer.Change(TimeSpan.FromSeconds(10), Timeout.InfiniteTimeSpan);
        real.Advance(TimeSpan.FromMilliseconds(900));
        var before = fired;
        real.Advance(TimeSpan.FromMilliseconds(100));

        before.Should().Be(0);
        fired.Should().Be(1);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(double.NaN)]
    public void Constructor_InvalidFactor_Throws(double factor)
    {
        var create = () => new CompressedTimeProvider(new FakeTimeProvider(), factor);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }
}
