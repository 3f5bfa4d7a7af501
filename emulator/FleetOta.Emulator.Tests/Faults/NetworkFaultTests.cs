using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Faults;

/// <summary>Network fault kinds: each shows up in the journal, and the agent copes with it.</summary>
public sealed class NetworkFaultTests
{
    [Fact]
    public void MessageLoss_LosesMessages_AgentResendsReports()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.MessageLoss, FaultTarget.All, Rate: 0.4)));

        journal.Injected(FaultKind.MessageLoss).Should().HaveCount(40);
        journal.Of(JournalKind.MessageLost).Should().Contain(e => e.Detail == "lost by message-loss fault");
        var resent = journal.Of(JournalKind.MessageSent)
            .Where(e => e.Actor == "device" && e.Status == MessageTypes.Status)
            .GroupBy(e => (e.Device, e.Value))
            .Count(group => group.Count() > 1);
        resent.Should().BePositive("the agent resends status reports that were not acknowledged");
        Enumerable.Range(0, 40).Count(journal.Committed).Should().BeGreaterThan(30);
    }

    [Fact]
    public void Latency_DelaysEveryDelivery()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.Latency, new FaultTarget(Count: 5), Amount: 4_000)));
        var slow = journal.Injected(FaultKind.Latency);

        slow.Should().HaveCount(5);
        foreach (var device in slow)
        {
            var sent = journal.Of(device).First(e => e.Kind == JournalKind.MessageSent && e.Status == MessageTypes.Heartbeat);
            var delivered = journal.Of(device).First(e => e.Kind == JournalKind.MessageDelivered && e.Status == MessageTypes.Heartbeat);
            (delivered.TimeMs - sent.TimeMs).Should().BeGreaterThanOrEqualTo(4_000);
            journal.Committed(device).Should().BeTrue();
        }
    }

    [Fact]
    public void BandwidthCap_SlowsDownload_AgentCompletesIt()
    {
        const int cap = 100_000;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.BandwidthCap, new FaultTarget(Count: 3), Amount: cap)));
        var capped = journal.Injected(FaultKind.BandwidthCap);

        capped.Should().HaveCount(3);
        foreach (var device in capped)
        {
            var started = journal.Of(device).First(e => e.Kind == JournalKind.DownloadStarted).TimeMs;
            var completed = journal.Of(device).First(e => e.Kind == JournalKind.DownloadCompleted).TimeMs;
            (completed - started).Should().BeGreaterThanOrEqualTo((16L << 20) * 1000 / cap);
            journal.Committed(device).Should().BeTrue();
        }
    }

    [Fact]
    public void ConnectionReset_InterruptsDownload_AgentResumesFromOffset()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.ConnectionReset, new FaultTarget(Count: 10), Rate: 0.6)));
        var reset = journal.Of(JournalKind.FaultInjected).Where(e => e.Status == "connection-reset" && e.Detail!.StartsWith("connection reset")).ToList();

        reset.Should().NotBeEmpty();
        foreach (var device in reset.Select(e => e.Device).Distinct())
        {
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.DownloadInterrupted && e.Status == "connection-reset");
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.DownloadStarted && e.Value > 0, "the resumed download starts at the stored offset");
        }
    }

    [Fact]
    public void Partition_AtTime_CutsDeviceOff_AgentReportsOnReturn()
    {
        var at = 40 * 60_000L;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.Partition, new FaultTarget(Count: 4), AtMs: at, DurationMs: 30 * 60_000)));
        var partitioned = journal.Injected(FaultKind.Partition);

        partitioned.Should().HaveCount(4);
        foreach (var device in partitioned)
        {
            journal.Of(device).Should().ContainSingle(e => e.Kind == JournalKind.PartitionStart).Which.TimeMs.Should().Be(at);
            var end = journal.Of(device).Single(e => e.Kind == JournalKind.PartitionEnd).TimeMs;
            end.Should().Be(at + 30 * 60_000);
            journal.Of(device).Where(e => e.TimeMs > at && e.TimeMs < end && e.Kind == JournalKind.MessageDelivered).Should().BeEmpty();
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.MessageSent && e.TimeMs == end && e.Status == MessageTypes.Heartbeat,
                "the agent sends a heartbeat as soon as its link is back");
        }
    }

    [Fact]
    public void Partition_AtDownloadStep_InterruptsDownload_AgentResumes()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.Partition, new FaultTarget(Count: 4), Step: PowerCutStep.Download,
            DurationMs: 20 * 60_000)));
        var partitioned = journal.Injected(FaultKind.Partition);

        partitioned.Should().HaveCount(4);
        foreach (var device in partitioned)
        {
            var start = journal.Of(device).First(e => e.Kind == JournalKind.PartitionStart).TimeMs;
            journal.Of(device).First(e => e.Kind == JournalKind.DownloadStarted).TimeMs.Should().Be(start);
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.DownloadCompleted && e.TimeMs > start + 20 * 60_000);
            journal.Committed(device).Should().BeTrue();
        }
    }

    [Fact]
    public void BrokerOutage_LosesMessages_AgentsResendAfterIt()
    {
        var at = 10 * 60_000L + 20_000;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.BrokerOutage, FaultTarget.All, AtMs: at, DurationMs: 10 * 60_000)));

        journal.Of(JournalKind.FaultInjected).Should().Contain(e => e.Status == "broker-outage" && e.Device < 0 && e.TimeMs == at);
        journal.Of(JournalKind.ServerRestart).Select(e => (e.TimeMs, e.Status)).Should().Equal((at, "down"), (at + 10 * 60_000, "up"));
        var lost = journal.Of(JournalKind.MessageLost).Where(e => e.Detail == "broker unavailable").ToList();
        lost.Should().NotBeEmpty();
        lost.Should().OnlyContain(e => e.TimeMs >= at && e.TimeMs < at + 10 * 60_000 + 1_000);
        Enumerable.Range(0, 40).Should().OnlyContain(device => journal.Committed(device));
    }
}
