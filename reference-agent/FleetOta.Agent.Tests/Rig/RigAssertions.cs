using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests.Rig;

/// <summary>Checks shared by the rig tests.</summary>
internal static class RigAssertions
{
    /// <summary>Asserts the device runs a valid slot and the server's record shows the version it runs.</summary>
    public static void ShouldRunValidSlotMatchingServer(this DeviceRig rig)
    {
        rig.Bricked.Should().BeFalse("the bootloader must always find a valid slot");
        rig.Running.Should().NotBeNull("the device must be running after power and network are back");
        rig.Slots[(int)rig.Running!.Value].Valid.Should().BeTrue("the device must run a valid slot");
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be(rig.RunningVersion, "the server's record must match the running version");
    }

    /// <summary>Returns the boots after a given time that landed on a slot.</summary>
    public static IEnumerable<BootRecord> BootsAfter(this DeviceRig rig, long atMs) => rig.Boots.Where(boot => boot.AtMs >= atMs);

    public static ActionState ServerState(this DeviceRig rig) => rig.Controller.StateOf(DeviceRig.DeviceId);

    public static StatusReport? LastDeliveredReport(this DeviceRig rig) => rig.Link.DeliveredReports().LastOrDefault();
}
