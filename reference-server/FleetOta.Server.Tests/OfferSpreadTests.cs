using FleetOta.Agent;
using FleetOta.Protocol;
using FleetOta.Server.Tests.Support;

namespace FleetOta.Server.Tests;

public class OfferSpreadTests
{
    private const int Devices = 1_000;
    private const long PollMs = 120_000;
    private const long WindowMs = 10_000;
    private const double PeakShare = 0.08;

    private static readonly Lazy<long[]> FirstPolls = new(() => FirstPollTimes(PollMs));

    [Fact]
    public void FirstPolls_FleetBootedTogether_SpreadOverHalfToOneAndHalfIntervals()
    {
        var polls = FirstPolls.Value;

        polls.Min().Should().BeGreaterThanOrEqualTo(PollMs / 2);
        polls.Max().Should().BeLessThan(PollMs * 3 / 2);
        var perTenth = polls.GroupBy(t => (t - PollMs / 2) * 10 / PollMs).ToDictionary(g => g.Key, g => g.Count());
        perTenth.Should().HaveCount(10);
        perTenth.Values.Should().OnlyContain(count => count >= Devices * 5 / 100 && count <= Devices * 15 / 100,
            "first polls should be close to uniform over the interval");
    }

    [Fact]
    public void Offers_PublishedToPollingFleet_KeepPeakDownloadsUnderShare()
    {
        var options = new RolloutOptions
        {
            Waves = [WaveSpec.Percent(100)],
            OfferSpreadMs = 10 * 60_000,
            MaxConcurrentDownloads = DeviceQuota.Percent(5),
        };

        var (peak, succeeded) = RunPollingFleet(options);

        succeeded.Should().Be(Devices);
        peak.Should().BeLessThanOrEqualTo((int)(PeakShare * Devices),
            $"at most {PeakShare:P0} of the fleet may download in any {WindowMs / 1000} s window");
    }

    [Fact]
    public void Offers_WithoutSpreadOrCap_ExceedPeakShare()
    {
        // The control case: the same fleet offered all at once is a thundering herd, so the check above can fail.
        var options = new RolloutOptions { Waves = [WaveSpec.Percent(100)], OfferSpreadMs = 0 };

        var (peak, _) = RunPollingFleet(options);

        peak.Should().BeGreaterThan((int)(PeakShare * Devices));
    }

    private static (int Peak, int Succeeded) RunPollingFleet(RolloutOptions options)
    {
        var polls = FirstPolls.Value;
        var fleet = new FleetModel(Devices, FleetModel.AllGood, PollMs, device => polls[device]);
        var controller = ControllerRun.Start(options, Devices, fleet);
        fleet.Run(controller, 4 * 3_600_000);
        var succeeded = Enumerable.Range(0, Devices).Count(d => controller.StateOf(d) == ActionState.Succeeded);
        return (PeakDownloading(fleet.Downloads), succeeded);
    }

    /// <summary>Returns the largest number of devices whose download overlaps one window of <see cref="WindowMs"/>.</summary>
    private static int PeakDownloading(List<(int Device, long FromMs, long ToMs)> downloads)
    {
        var end = downloads.Max(d => d.ToMs);
        var peak = 0;
        for (var start = 0L; start <= end; start += 1_000)
        {
            var windowEnd = start + WindowMs;
            var count = downloads.Count(d => d.FromMs < windowEnd && d.ToMs > start);
            peak = Math.Max(peak, count);
        }

        return peak;
    }

    /// <summary>Boots the real agent core on every device and returns the time of its first periodic heartbeat.</summary>
    private static long[] FirstPollTimes(long pollMs)
    {
        var options = new AgentOptions { HeartbeatIntervalMs = pollMs };
        var verifier = new EcdsaManifestVerifier();
        var running = new SlotContent("1.0.0", 1, new string('0', 64), Valid: true);
        var outputs = new List<AgentOutput>();
        var times = new long[Devices];
        for (var device = 0; device < Devices; device++)
        {
            var agent = new AgentCore(options, new DeviceIdentity(device, "gw-300", "A"), verifier);
            outputs.Clear();
            agent.Handle(new Booted(Slot.A, running, default, BootEnvironment.Initial(Slot.A), false, null), 0, outputs);
            times[device] = outputs.OfType<SetTimer>().Single(timer => timer.Timer == AgentTimer.Heartbeat).AtMs;
        }

        return times;
    }
}
