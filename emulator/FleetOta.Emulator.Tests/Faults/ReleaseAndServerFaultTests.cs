using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Faults;

/// <summary>Release behaviour and server-side fault kinds: each shows up in the journal, with the reaction of the
/// agent or the controller.</summary>
public sealed class ReleaseAndServerFaultTests
{
    [Fact]
    public void CrashLoop_NewImageCrashes_BootloaderRollsBack()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.CrashLoop, new FaultTarget(Count: 3))));
        var hit = journal.Injected(FaultKind.CrashLoop);

        hit.Should().HaveCount(3);
        foreach (var device in hit)
        {
            journal.Of(device).Count(e => e.Kind == JournalKind.DeviceFault && e.Status == "crash").Should().BeGreaterThan(1);
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.BootloaderFallback);
            journal.Failures(device).Should().Contain(e => e.Status == "rolled-back" && e.Detail == FailureReason.BootFailed.ToText());
            journal.Of(device).Last(e => e.Kind == JournalKind.Boot && e.Status is "A" or "B").Version.Should().Be(OldVersion);
        }
    }

    [Fact]
    public void HealthCheckFailure_TrialFails_AgentRollsBack()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.HealthCheckFailure, new FaultTarget(Count: 3))));
        var hit = journal.Injected(FaultKind.HealthCheckFailure);

        hit.Should().HaveCount(3);
        foreach (var device in hit)
        {
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.HealthCheck && e.Status == "fail" && e.Version == NewVersion);
            journal.Failures(device).Should().Contain(e => e.Status == "rolled-back" && e.Detail == FailureReason.HealthCheckFailed.ToText());
            journal.Of(device).Last(e => e.Kind == JournalKind.Boot && e.Status is "A" or "B").Version.Should().Be(OldVersion);
        }
    }

    [Fact]
    public void SlowBurn_AfterCommit_RaisesCriticalFaults()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.SlowBurn, new FaultTarget(Count: 4), Repeat: 2, IntervalMs: 5 * 60_000,
            Amount: 15 * 60_000)));
        var burns = journal.Of(JournalKind.FaultInjected).Where(e => e.Status == "slow-burn" && e.Device >= 0).ToList();

        burns.Should().HaveCount(8);
        foreach (var device in burns.Select(e => e.Device).Distinct())
        {
            var committed = journal.Of(device).First(e => e.Kind == JournalKind.Committed).TimeMs;
            journal.Of(device).Where(e => e.Kind == JournalKind.FaultInjected && e.Status == "slow-burn").Select(e => e.TimeMs)
                .Should().Equal(committed + 15 * 60_000, committed + 20 * 60_000);
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.MessageDelivered && e.Status == MessageTypes.Fault && e.Actor == "server");
        }
    }

    [Fact]
    public void ControllerRestart_ControllerAway_StateSurvivesAndDevicesCommit()
    {
        var at = 10 * 60_000L + 30_000;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.ControllerRestart, FaultTarget.All, AtMs: at, DurationMs: 5 * 60_000)));

        journal.Of(JournalKind.FaultInjected).Should().Contain(e => e.Status == "controller-restart" && e.TimeMs == at);
        journal.Of(JournalKind.ServerRestart).Should().Contain(e => e.Status == "down" && e.Detail == "controller-restart" && e.TimeMs == at);
        journal.Of(JournalKind.MessageLost).Should().Contain(e => e.Detail == "server unavailable");
        journal.Of(JournalKind.DeviceOffered).Should().NotContain(e => e.TimeMs > at && e.TimeMs < at + 5 * 60_000);
        journal.Of(JournalKind.DeviceOffered).Select(e => e.Device).Should().OnlyHaveUniqueItems("the restarted controller offers no device twice");
        Enumerable.Range(0, 40).Should().OnlyContain(device => journal.Committed(device));
    }

    [Fact]
    public void DelayedTelemetry_DelaysDeviceMessages()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.DelayedTelemetry, new FaultTarget(Count: 3), Amount: 120_000)));
        var delayed = journal.Injected(FaultKind.DelayedTelemetry);

        delayed.Should().HaveCount(3);
        foreach (var device in delayed)
        {
            var sent = journal.Of(device).First(e => e.Kind == JournalKind.MessageSent && e.Status == MessageTypes.Heartbeat).TimeMs;
            var delivered = journal.Of(device).First(e => e.Kind == JournalKind.MessageDelivered && e.Status == MessageTypes.Heartbeat).TimeMs;
            (delivered - sent).Should().BeGreaterThanOrEqualTo(120_000);
        }
    }

    [Fact]
    public void DuplicateReports_DeliverTwice_ControllerAcksBoth()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.DuplicateReports, new FaultTarget(Count: 3), Rate: 1)));
        var hit = journal.Injected(FaultKind.DuplicateReports);

        hit.Should().HaveCount(3);
        foreach (var device in hit)
        {
            var delivered = journal.Of(device).Where(e => e.Kind == JournalKind.MessageDelivered && e.Status == MessageTypes.Status).ToList();
            delivered.GroupBy(e => e.Value).Should().OnlyContain(group => group.Count() >= 2);
            journal.Of(device).Count(e => e.Kind == JournalKind.MessageSent && e.Status == MessageTypes.Ack)
                .Should().BeGreaterThanOrEqualTo(delivered.Count);
            journal.Committed(device).Should().BeTrue();
        }
    }

    [Fact]
    public void LateReports_ArriveLate_AgentResendsMeanwhile()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.LateReports, new FaultTarget(Count: 3), Rate: 1, Amount: 10 * 60_000)));
        var hit = journal.Injected(FaultKind.LateReports);

        hit.Should().HaveCount(3);
        foreach (var device in hit)
        {
            var first = journal.Of(device).First(e => e.Kind == JournalKind.MessageSent && e.Status == MessageTypes.Status);
            var arrival = journal.Of(device).First(e => e.Kind == JournalKind.MessageDelivered && e.Status == MessageTypes.Status && e.Value == first.Value);
            (arrival.TimeMs - first.TimeMs).Should().BeGreaterThanOrEqualTo(10 * 60_000);
            journal.Of(device).Count(e => e.Kind == JournalKind.MessageSent && e.Status == MessageTypes.Status && e.Value == first.Value)
                .Should().BeGreaterThan(1, "the agent resends a report that is not acknowledged in time");
        }
    }

    [Fact]
    public void AlertSinkDown_AlertRetried_DeliveredAfterSinkReturns()
    {
        var sinkUntil = 10 * 60_000L + 3_600_000;
        var journal = Run(Small(devices: 100, hours: 4,
            new FaultSpec(FaultKind.CrashLoop, new FaultTarget(Share: 0.2)),
            new FaultSpec(FaultKind.AlertSinkDown, FaultTarget.All)));

        journal.Of(JournalKind.FaultInjected).Should().Contain(e => e.Status == "alert-sink-down" && e.Detail == "alert sink unavailable");
        journal.Of(JournalKind.AlertRaised).Should().NotBeEmpty();
        journal.Of(JournalKind.AlertDelivered).Should().Contain(e => e.Status == "retry");
        journal.Of(JournalKind.AlertDelivered).Should().ContainSingle(e => e.Status == "delivered").Which.TimeMs.Should().BeGreaterThanOrEqualTo(sinkUntil);
    }
}
