using FleetOta.Protocol;

namespace FleetOta.Agent.Tests;

public sealed class BootloaderTests
{
    private static readonly SlotContent Good = new("1.0.0", 3, "digest-a", true);
    private static readonly SlotContent Other = new("2.0.0", 3, "digest-b", true);

    [Fact]
    public void Decide_SettledEnvironment_BootsActiveWithoutWrite()
    {
        var decision = Bootloader.Decide(BootEnvironment.Initial(Slot.A), Good, Other);

        decision.Boot.Should().Be(Slot.A);
        decision.EnvironmentChanged.Should().BeFalse();
        decision.FellBack.Should().BeFalse();
    }

    [Fact]
    public void Decide_TrialWithinLimit_CountsBoot()
    {
        var trial = BootEnvironment.Initial(Slot.A).StartTrial(Slot.B);

        var decision = Bootloader.Decide(trial with { BootCount = 2 }, Good, Other);

        decision.Boot.Should().Be(Slot.B);
        decision.Environment.Should().Be(new BootEnvironment(Slot.B, true, 3, 3));
        decision.EnvironmentChanged.Should().BeTrue();
        decision.FellBack.Should().BeFalse();
    }

    [Fact]
    public void Decide_TrialPastLimit_FallsBackAndMarksIt()
    {
        var trial = BootEnvironment.Initial(Slot.A).StartTrial(Slot.B) with { BootCount = 3 };

        var decision = Bootloader.Decide(trial, Good, Other);

        decision.Boot.Should().Be(Slot.A);
        decision.Environment.Should().Be(new BootEnvironment(Slot.A, false, 0, 3, FellBack: true));
        decision.FellBack.Should().BeTrue();
    }

    [Fact]
    public void Decide_ActiveSlotInvalid_BootsOtherAndMarksFallback()
    {
        var decision = Bootloader.Decide(BootEnvironment.Initial(Slot.B), Good, SlotContent.Empty);

        decision.Boot.Should().Be(Slot.A);
        decision.Environment.FellBack.Should().BeTrue();
    }

    [Fact]
    public void Decide_BothSlotsInvalid_BootsNothing()
    {
        var decision = Bootloader.Decide(BootEnvironment.Initial(Slot.A), SlotContent.Empty, SlotContent.Empty);

        decision.Boot.Should().BeNull();
    }

    [Fact]
    public void Unreadable_Environment_TriesSlotAOnTrial()
    {
        var decision = Bootloader.Decide(BootEnvironment.Unreadable(), Good, Other);

        decision.Boot.Should().Be(Slot.A);
        decision.Environment.Should().Be(new BootEnvironment(Slot.A, true, 1, 3));
    }

    [Fact]
    public void SettleOn_AfterFallback_ClearsTrialCountAndMark()
    {
        var fallen = new BootEnvironment(Slot.A, false, 0, 3, FellBack: true);

        fallen.IsSettledOn(Slot.A).Should().BeFalse();
        fallen.SettleOn(Slot.A).IsSettledOn(Slot.A).Should().BeTrue();
    }
}
