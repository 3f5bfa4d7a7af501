using CsCheck;
using FleetOta.Agent.Tests.Rig;
using FleetOta.Protocol;

namespace FleetOta.Agent.Tests;

/// <summary>Random sequences of power cuts and restores over random update flows.</summary>
public sealed class PowerCutProperties
{
    /// <summary>One power cut: the step it hits and how long the power stays off.</summary>
    private sealed record Cut(int Step, long OffMs);

    /// <summary>Corruption at rest injected into neither, one or both slots once the update settled.</summary>
    private sealed record Corruption(bool SlotA, bool SlotB);

    private static readonly Gen<Cut> GenCut = Gen.Select(Gen.Int[0, 160], Gen.Long[0, 900_000], (step, off) => new Cut(step, off));

    private static readonly Gen<Corruption> GenCorruption = Gen.Int[0, 5].Select(pick => new Corruption(pick is 1 or 3, pick is 2 or 3));

    /// <summary>Power cuts hit any step of an update (crashing, failing or healthy image, either environment layout),
    /// then corruption may hit the slots at rest, and more power cuts hit the boots that follow. The device must
    /// always boot a valid slot and the server must record the version it runs, unless both slots were corrupted.</summary>
    /// <remarks>Corruption is injected only after the update settled: corruption of the running slot while the agent
    /// rewrites the other one leaves no valid image for a power cut to fall back to, which no A/B scheme prevents.</remarks>
    [Fact]
    public void PowerCuts_AnySequence_KeepABootableSlot()
    {
        Gen.Select(Gen.Bool, Gen.Enum<ImageBehaviour>(), GenCut.Array[0, 6], GenCorruption, GenCut.Array[0, 3])
            .Sample((redundant, newImage, cuts, corruption, laterCuts) =>
            {
                var rig = Run(redundant, newImage, cuts, corruption, laterCuts);

                if (corruption.SlotA && corruption.SlotB)
                {
                    rig.Bricked.Should().BeTrue("with both slots corrupted nothing can boot, which shows the check can fail");
                    return;
                }

                rig.Slots.Should().Contain(slot => slot.Valid, "at least one slot must stay bootable");
                rig.Boots.Should().OnlyContain(boot => boot.Slot != null, "every boot must land on a valid slot");
                Flows.SafetyProblem(rig).Should().BeNull();
                if (!corruption.SlotA && !corruption.SlotB)
                {
                    rig.RunningVersion.Should().Be(newImage == ImageBehaviour.Healthy ? "2.0.0" : "1.0.0");
                }
            }, iter: 300, threads: 1);
    }

    private static DeviceRig Run(bool redundant, ImageBehaviour newImage, Cut[] cuts, Corruption corruption, Cut[] laterCuts)
    {
        var releases = TestReleases.Shared;
        var rig = new DeviceRig(releases, new RigOptions { RedundantEnvironment = redundant });
        rig.Behaviour[releases.New.Version] = newImage;
        var plan = cuts.GroupBy(cut => cut.Step).ToDictionary(group => group.Key, group => group.First());
        rig.CutWhen = step =>
        {
            if (!plan.TryGetValue(step.Index, out var cut))
            {
                return false;
            }

            rig.RestoreAfterMs = cut.OffMs;
            return true;
        };
        rig.Start();
        rig.RunUntil(Flows.DeployAtMs);
        rig.Deploy(releases.New, releases.Old);
        rig.RunUntil(Flows.DeployAtMs + Flows.SettleMs);

        plan = laterCuts.GroupBy(cut => cut.Step % 40 + rig.Steps.Count).ToDictionary(group => group.Key, group => group.First());
        if (corruption.SlotA)
        {
            rig.CorruptSlot(Slot.A);
        }

        if (corruption.SlotB)
        {
            rig.CorruptSlot(Slot.B);
        }

        rig.Reboot();
        rig.RunFor(2 * 3_600_000);

        // Power and network are back for good: judge the device once it had time to report.
        rig.CutWhen = null;
        rig.PowerOn();
        rig.RunFor(2 * 3_600_000);
        return rig;
    }
}
