using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>The bootloader environment: which slot boots, whether that boot is a trial, and how many trial
/// boots have happened. The agent writes it through the host; the bootloader reads and updates it at power-on.</summary>
/// <param name="BootCount">Trial boots so far; the bootloader increments it before each trial boot.</param>
/// <param name="BootLimit">Trial boots allowed before the bootloader falls back to the other slot.</param>
public readonly record struct BootEnvironment(Slot Active, bool Trial, int BootCount, int BootLimit)
{
    public const int DefaultBootLimit = 3;

    public static BootEnvironment Initial(Slot active, int bootLimit = DefaultBootLimit) => new(active, false, 0, bootLimit);

    /// <summary>Returns the environment that starts a trial boot of the given slot.</summary>
    public BootEnvironment StartTrial(Slot slot) => this with { Active = slot, Trial = true, BootCount = 0 };

    /// <summary>Returns the environment that makes the running trial slot permanent.</summary>
    public BootEnvironment Commit() => this with { Trial = false, BootCount = 0 };

    /// <summary>Returns the environment that boots the other slot without a trial.</summary>
    public BootEnvironment SwitchTo(Slot slot) => this with { Active = slot, Trial = false, BootCount = 0 };
}

/// <summary>What one system slot contains, as the bootloader and the agent see it.</summary>
/// <param name="Digest">Digest of the image written to the slot.</param>
/// <param name="Valid">False when the slot was never written completely or its write was torn.</param>
public readonly record struct SlotContent(string Version, int SecurityVersion, string Digest, bool Valid)
{
    public static readonly SlotContent Empty = new("", 0, "", false);
}

/// <summary>The result of one bootloader run.</summary>
/// <param name="Boot">The slot handed over to, or null when neither slot is bootable.</param>
/// <param name="Environment">The environment after this boot, to be written when <see cref="EnvironmentChanged"/>.</param>
/// <param name="FellBack">True when the bootloader switched slots because a trial exceeded the boot limit
/// or the active slot was invalid.</param>
public readonly record struct BootDecision(Slot? Boot, BootEnvironment Environment, bool EnvironmentChanged, bool FellBack);

/// <summary>The bootloader's slot selection: counts trial boots and falls back to the other slot when the count
/// exceeds the limit or the active slot is invalid.</summary>
public static class Bootloader
{
    public static BootDecision Decide(BootEnvironment environment, SlotContent slotA, SlotContent slotB)
    {
        var active = environment.Active;
        var next = environment;
        var fellBack = false;

        if (environment.Trial)
        {
            var count = environment.BootCount + 1;
            next = count > environment.BootLimit ? environment.SwitchTo(active.Other()) : environment with { BootCount = count };
            fellBack = count > environment.BootLimit;
        }

        if (!Content(next.Active, slotA, slotB).Valid)
        {
            var other = next.Active.Other();
            if (!Content(other, slotA, slotB).Valid)
            {
                return new BootDecision(null, next, next != environment, fellBack);
            }

            next = next.SwitchTo(other);
            fellBack = true;
        }

        return new BootDecision(next.Active, next, next != environment, fellBack);
    }

    private static SlotContent Content(Slot slot, SlotContent slotA, SlotContent slotB) => slot == Slot.A ? slotA : slotB;
}
