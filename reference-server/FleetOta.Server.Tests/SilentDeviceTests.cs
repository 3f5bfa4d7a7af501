using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server.Tests.Support;

namespace FleetOta.Server.Tests;

public class SilentDeviceTests
{
    private static readonly RolloutOptions Options = new()
    {
        Waves = [WaveSpec.Percent(100)],
        OfferSpreadMs = 0,
        SilentAfterUpdateMs = 15 * 60_000,
        FaultMonitor = new FaultMonitorOptions { Limit = 0.05, WindowMs = 30 * 60_000, MinimumSample = 10 },
        Recovery = new RecoveryPolicyOptions { Enabled = false },
    };

    [Fact]
    public void SilentAfterReboot_AfterTimeout_FailsAndCountsAsFault()
    {
        const int silent = 3;
        var fleet = new FleetModel(100, device => device == silent ? DeviceBehaviour.SilentAfterReboot : DeviceBehaviour.Good);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(Options, 100, fleet, log: log);

        fleet.Run(controller, 3_600_000, log.AddRange);

        var rebooting = log.Journal(JournalKind.ActionState).Single(e => e.Device == silent && e.Status == "rebooting");
        var timedOut = log.Journal(JournalKind.ActionState).Single(e => e.Device == silent && e.Status == "timed-out");
        timedOut.TimeMs.Should().Be(rebooting.TimeMs + Options.SilentAfterUpdateMs);
        controller.StateOf(silent).Should().Be(ActionState.TimedOut);
        controller.StateOf(silent).IsIncident().Should().BeTrue();
        controller.ActivatedDevices.Should().Be(100);
        controller.Phase.Should().Be(RolloutPhase.Completed, "1 faulty device of 100 is under the 5% limit");
        log.Journal(JournalKind.RolloutPaused).Should().BeEmpty();
    }

    [Fact]
    public void SilentAfterReboot_FaultCount_IsInsideWindowAfterTimeout()
    {
        var fleet = new FleetModel(100, device => device == 3 ? DeviceBehaviour.SilentAfterReboot : DeviceBehaviour.Good);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(Options, 100, fleet, log: log);
        var timedOutAt = -1L;

        fleet.Run(controller, 3_600_000, outputs =>
        {
            log.AddRange(outputs);
            if (timedOutAt < 0 && outputs.Journal(JournalKind.ActionState).Any(e => e.Status == "timed-out"))
            {
                timedOutAt = fleet.NowMs;
                controller.FaultyDevicesInWindow.Should().Be(1, "the time-out counts as a critical fault");
            }
        });

        timedOutAt.Should().BeGreaterThan(0);
    }

    [Fact]
    public void SilentAfterReboot_RateOverLimit_PausesAtTimeout()
    {
        // At the first time-out 1 of 19 activated devices is 5.3%, under a 6% limit; the second makes 2 of 20 = 10%.
        var options = Options with { FaultMonitor = Options.FaultMonitor with { Limit = 0.06 } };
        var fleet = new FleetModel(20, device => device is 4 or 11 ? DeviceBehaviour.SilentAfterReboot : DeviceBehaviour.Good);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(options, 20, fleet, log: log);

        fleet.Run(controller, 3_600_000, log.AddRange);

        var timeouts = log.Journal(JournalKind.ActionState).Where(e => e.Status == "timed-out").Select(e => e.TimeMs).Order().ToArray();
        timeouts.Should().HaveCount(2);
        var pause = log.Journal(JournalKind.RolloutPaused).Should().ContainSingle().Subject;
        pause.Actor.Should().Be("automatic");
        pause.TimeMs.Should().Be(timeouts[1], "the second time-out puts the rate at 2/20 = 10% > 6%");
        var alert = log.OfType<RaiseAlert>().Should().ContainSingle().Subject.Alert;
        alert.BreachAtMs.Should().Be(timeouts[1]);
        alert.FaultyDevices.Should().Be(2);
        alert.ActivatedDevices.Should().Be(20);
        controller.Phase.Should().Be(RolloutPhase.Paused);
    }

    [Fact]
    public void Pause_OfferedDevicesAlreadyInstalling_Finish()
    {
        var options = Options with { OfferSpreadMs = 10 * 60_000 };
        var fleet = new FleetModel(50, FleetModel.AllGood);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(options, 50, fleet, log: log);
        fleet.Run(controller, 5 * 60_000, log.AddRange);
        var offeredBefore = log.Journal(JournalKind.DeviceOffered).Select(e => e.Device).ToHashSet();
        var outputs = new List<ControllerOutput>();

        controller.Handle(new OperatorAction(OperatorActionKind.Pause), fleet.NowMs, outputs);
        fleet.React(outputs);
        log.AddRange(outputs);
        fleet.Run(controller, 3_600_000, log.AddRange);

        offeredBefore.Should().NotBeEmpty();
        log.Journal(JournalKind.DeviceOffered).Select(e => e.Device).Should().BeEquivalentTo(offeredBefore, "a pause stops new offers at once");
        offeredBefore.Should().OnlyContain(device => controller.StateOf(device) == ActionState.Succeeded);
        Enumerable.Range(0, 50).Where(d => !offeredBefore.Contains(d)).Should().OnlyContain(d => controller.StateOf(d) == ActionState.Scheduled);
    }

    [Fact]
    public void Activation_ReachingMinimumSample_EvaluatesMonitor()
    {
        var options = Options with { FaultMonitor = Options.FaultMonitor with { MinimumSample = 3, Limit = 0.2 } };
        var controller = new RolloutController(options, 10);
        var outputs = new List<ControllerOutput>();
        controller.Handle(TestReleases.Deployment(10), 0, outputs);
        var version = TestReleases.Next.Manifest.Version;

        // A fault before the sample is complete is not judged; the activation that completes it is.
        controller.Handle(new Delivered(new FaultReport(0, version, "crash", Critical: true)), 1_000, outputs);
        controller.Handle(new Delivered(new Heartbeat(1, version, Slot.B, true, false)), 2_000, outputs);
        controller.Phase.Should().Be(RolloutPhase.Running);
        controller.Handle(new Delivered(new Heartbeat(2, version, Slot.B, true, false)), 3_000, outputs);

        controller.Phase.Should().Be(RolloutPhase.Paused, "1 of 3 activated devices is 33% > 20%");
        controller.BreachAtMs.Should().Be(3_000);
    }
}
