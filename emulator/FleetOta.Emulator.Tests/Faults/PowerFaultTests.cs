using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Faults;

/// <summary>Power fault kinds: each cut is journaled with its cause, and the agent resumes its update after it.</summary>
public sealed class PowerFaultTests
{
    [Theory]
    [InlineData(PowerCutStep.Download)]
    [InlineData(PowerCutStep.WriteSlot)]
    [InlineData(PowerCutStep.BootEnvironment)]
    [InlineData(PowerCutStep.BeforeReboot)]
    [InlineData(PowerCutStep.FirstBoot)]
    [InlineData(PowerCutStep.HealthCheck)]
    [InlineData(PowerCutStep.Commit)]
    [InlineData(PowerCutStep.Report)]
    public void PowerCut_AtStep_CutsPower_AgentStillCommits(PowerCutStep step)
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.PowerCut, new FaultTarget(Count: 5), Step: step)));
        var cut = journal.Of(JournalKind.FaultInjected).Where(e => e.Status == "power-cut" && e.Detail == "at step " + step.ToName()).ToList();

        cut.Should().HaveCount(5);
        foreach (var device in cut.Select(e => e.Device))
        {
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.PowerCut && e.Status == "power-cut");
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.PowerRestore);
            journal.Committed(device).Should().BeTrue($"device {device} resumes its update after the power cut at {step.ToName()}");
        }
    }

    [Fact]
    public void PowerCut_SingleCopyEnvironment_BootsTrialOfSlotA()
    {
        var spec = Small(faults: new FaultSpec(FaultKind.PowerCut, new FaultTarget(Count: 5), Step: PowerCutStep.BootEnvironment));
        var journal = Run(spec with { Fleet = spec.Fleet with { RedundantBootEnvironment = false } });

        var replaced = journal.Of(JournalKind.BootEnvironmentWritten).Where(e => e.Detail == "bootloader, replacing a corrupt environment").ToList();
        replaced.Should().HaveCount(5);
        replaced.Should().OnlyContain(e => e.Status == "active=A trial=1 count=1");
        foreach (var replacement in replaced)
        {
            var device = replacement.Device;
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.Boot && e.Status == "A" && e.Detail == "trial" && e.TimeMs == replacement.TimeMs);
            journal.Committed(device).Should().BeTrue($"device {device} re-arms its trial after the bootloader replaced the environment");
        }
    }

    [Fact]
    public void PowerCut_DuringSlotWrite_TearsWriteAtByteOffset()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.PowerCut, new FaultTarget(Count: 5), Step: PowerCutStep.WriteSlot)));

        var torn = journal.Of(JournalKind.SlotWritten).Where(e => e.Detail == "torn by power cut").ToList();
        torn.Should().HaveCount(5);
        torn.Should().OnlyContain(e => e.Value > 0 && e.Value < 16L << 20);
    }

    [Fact]
    public void PowerCut_AtTime_CutsPowerThen()
    {
        var at = 3 * 60_000L;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.PowerCut, new FaultTarget(Count: 3), AtMs: at, DurationMs: 90_000)));

        var cuts = journal.Of(JournalKind.PowerCut).Where(e => e.Status == "power-cut").ToList();
        cuts.Should().HaveCount(3);
        cuts.Should().OnlyContain(e => e.TimeMs == at && e.Value == 90_000);
        foreach (var cut in cuts)
        {
            journal.Of(cut.Device).Should().Contain(e => e.Kind == JournalKind.PowerRestore && e.TimeMs == at + 90_000);
        }
    }

    [Fact]
    public void Brownout_Repeated_CutsPowerBriefly_AgentStillCommits()
    {
        var at = 10 * 60_000L + 5_000;
        var journal = Run(Small(faults: new FaultSpec(FaultKind.Brownout, new FaultTarget(Count: 4), AtMs: at, Repeat: 3, IntervalMs: 10 * 60_000)));

        var cuts = journal.Of(JournalKind.PowerCut).Where(e => e.Status == "brownout").ToList();
        cuts.Should().HaveCount(12);
        cuts.Select(e => e.TimeMs).Distinct().Should().Equal(at, at + 10 * 60_000, at + 20 * 60_000);
        cuts.Should().OnlyContain(e => e.Value == FaultDefaults.BrownoutOffMs);
        foreach (var device in cuts.Select(e => e.Device).Distinct())
        {
            journal.Committed(device).Should().BeTrue();
        }
    }

    [Fact]
    public void Brownout_AtStep_CutsPowerThere()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.Brownout, new FaultTarget(Count: 4), Step: PowerCutStep.BeforeReboot)));

        var injected = journal.Of(JournalKind.FaultInjected).Where(e => e.Status == "brownout" && e.Detail == "at step before-reboot").ToList();
        injected.Should().HaveCount(4);
        injected.Should().OnlyContain(e => journal.Committed(e.Device));
    }
}
