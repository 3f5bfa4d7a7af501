using FleetOta.Journal;
using FleetOta.Server.Tests.Support;

namespace FleetOta.Server.Tests;

public class WaveGateTests
{
    private static readonly RolloutOptions Options = new()
    {
        Waves = [WaveSpec.Percent(20), WaveSpec.Percent(100)],
        OfferSpreadMs = 60_000,
        GateSuccessShare = 0.95,
        GateSoakMs = 10 * 60_000,
        WaveMaxDurationMs = 60 * 60_000,
        Recovery = new RecoveryPolicyOptions { Enabled = false },
    };

    [Fact]
    public void Gate_NotMet_KeepsNextWaveEmpty()
    {
        // Every third device fails its download, so about a third of wave 1 fails.
        var fleet = new FleetModel(50, device => device % 3 == 0 ? DeviceBehaviour.FailFirstDownload : DeviceBehaviour.Good);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(Options, 50, fleet, log: log);

        fleet.Run(controller, 12 * 3_600_000, log.AddRange);

        var wave1 = log.Journal(JournalKind.DeviceOffered).Where(e => e.Value == 1).Select(e => e.Device).ToHashSet();
        wave1.Should().HaveCount(10);
        log.Journal(JournalKind.WaveGate).Should().ContainSingle(e => e.Status == "not-met" && e.Value == 1);
        log.Journal(JournalKind.WaveStarted).Should().ContainSingle();
        log.Journal(JournalKind.DeviceOffered).Should().OnlyContain(e => e.Value == 1);
        controller.CurrentWave.Should().Be(0);
        Enumerable.Range(0, 50).Where(d => !wave1.Contains(d)).Should().OnlyContain(d => controller.StateOf(d) == ActionState.Waiting);
    }

    [Fact]
    public void Gate_Met_StartsNextWaveAfterSoak()
    {
        var fleet = new FleetModel(50, FleetModel.AllGood);
        var log = new List<ControllerOutput>();
        var controller = ControllerRun.Start(Options, 50, fleet, log: log);

        fleet.Run(controller, 12 * 3_600_000, log.AddRange);

        var met = log.Journal(JournalKind.WaveGate).Should().ContainSingle(e => e.Status == "met").Subject;
        var second = log.Journal(JournalKind.WaveStarted).Should().HaveCount(2).And.Subject.Last();
        (second.TimeMs - met.TimeMs).Should().BeGreaterThanOrEqualTo(Options.GateSoakMs);
        (second.TimeMs - met.TimeMs).Should().BeLessThan(Options.GateSoakMs + Options.TickMs + 1);
        Enumerable.Range(0, 50).Should().OnlyContain(d => controller.StateOf(d) == ActionState.Succeeded);
        controller.Phase.Should().Be(RolloutPhase.Completed);
    }
}
