using FleetOta.Protocol;

namespace FleetOta.Agent;

/// <summary>The bootloader environment: which slot boots, whether that boot is a trial, how many trial boots
/// have happened, and whether the bootloader fell back. The agent writes it through the host; the bootloader reads
/// and updates it at power-on.</summary>
/// <param name="BootCount">Trial boots so far; the bootloader increments it before each trial boot.</param>
/// <param name="BootLimit">Trial boots allowed before the bootloader falls back to the other slot.</param>
/// <param name="FellBack">Set by the bootloader when it switched slots on its own (trial boot limit exceeded or
/// active slot invalid), and kept until the agent writes the environment again. Because it is stored, the agent
/// still learns of the fallback when power was lost before it could record it.</param>
public readonly record struct BootEnvironment(Slot Active, bool Trial, int BootCount, int BootLimit, bool FellBack = false)
{
    public const int DefaultBootLimit = 3;

    public static BootEnvironment Initial(Slot active, int bootLimit = DefaultBootLimit) => new(active, false, 0, bootLimit);

    /// <summary>Returns the environment a bootloader assumes when no copy of the environment can be read (a torn
    /// single-copy write): a trial of slot A, so that an image there that does not come up still falls back to B.</summary>
    public static BootEnvironment Unreadable(int bootLimit = DefaultBootLimit) => new(Slot.A, true, 0, bootLimit);

    /// <summary>True when the environment boots <paramref name="slot"/> permanently and carries no trial or
    /// fallback state.</summary>
    public bool IsSettledOn(Slot slot) => Active == slot && !Trial && BootCount == 0 && !FellBack;

    /// <summary>Returns the environment that starts a trial boot of the given slot.</summary>
    public BootEnvironment StartTrial(Slot slot) => this with { Active = slot, Trial = true, BootCount = 0, FellBack = false };

    /// <summary>Returns the environment that boots <paramref name="slot"/> permanently: it commits a trial of that
    /// slot, switches to it, and clears the fallback mark.</summary>
    public BootEnvironment SettleOn(Slot slot) => this with { Active = slot, Trial = false, BootCount = 0, FellBack = false };
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
/// exceeds the limit or the active slot is invalid. A fallback leaves <see cref="BootEnvironment.FellBack"/> set.</summary>
public static class Bootloader
{
    public static BootDecision Decide(BootEnvironment environment, SlotContent slotA, SlotContent slotB)
    {
        var next = environment;
        var fellBack = false;

        if (environment.Trial)
        {
            var count = environment.BootCount + 1;
            fellBack = count > environment.BootLimit;
            next = fellBack ? FallBack(environment) : environment with { BootCount = count };
        }

        if (!Content(next.Active, slotA, slotB).Valid)
        {
            if (!Content(next.Active.Other(), slotA, slotB).Valid)
            {
                return new BootDecision(null, next, next != environment, fellBack);
            }

            next = FallBack(next);
            fellBack = true;
        }

        return new BootDecision(next.Active, next, next != environment, fellBack);
    }

    private static BootEnvironment FallBack(BootEnvironment environment) =>
        environment.SettleOn(environment.Active.Other()) with { FellBack = true };

    private static SlotContent Content(Slot slot, SlotContent slotA, SlotContent slotB) => slot == Slot.A ? slotA : slotB;
}
