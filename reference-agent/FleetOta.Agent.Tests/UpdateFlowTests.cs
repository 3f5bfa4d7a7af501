using FleetOta.Agent.Tests.Rig;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests;

public sealed class UpdateFlowTests
{
    private static readonly TestReleases Releases = TestReleases.Shared;

    [Fact]
    public void Update_HealthyImage_CommitsAndServerRecordsSuccess()
    {
        var rig = new DeviceRig(Releases);
        rig.Start();
        rig.RunFor(5_000);
        rig.Deploy(Releases.New, Releases.Old);
        rig.RunFor(3_600_000);

        rig.RunningVersion.Should().Be("2.0.0");
        rig.Running.Should().Be(Slot.B);
        rig.ServerState().Should().Be(ActionState.Succeeded);
        rig.Persisted!.Phase.Should().Be(AgentPhase.Idle);
        rig.Persisted.PendingReports.Should().BeEmpty();
        rig.ShouldRunValidSlotMatchingServer();
    }
}
