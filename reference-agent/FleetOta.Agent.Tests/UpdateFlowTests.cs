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
        var heartbeat = rig.Link.DeliveredHeartbeats().Last();
        heartbeat.RunningVersion.Should().Be("2.0.0");
        heartbeat.ActiveSlot.Should().Be(Slot.B);
    }

    [Fact]
    public void Download_PowerCutMidway_ResumesFromPersistedOffset()
    {
        var rig = new DeviceRig(Releases);
        var cut = false;
        rig.CutWhen = step =>
        {
            // Cut while the third chunk is written: two chunks are stored and their offset persisted.
            if (cut || step.What != "download bytes 2048..3072")
            {
                return false;
            }

            cut = true;
            return true;
        };
        rig.Start();
        rig.RunUntil(Flows.DeployAtMs);
        rig.Deploy(Releases.New, Releases.Old);
        rig.RunFor(3_600_000);

        rig.PowerCuts.Should().Be(1);
        rig.DownloadStarts.Should().Equal(0, 2048);
        rig.BytesTransferred.Should().Be(TestReleases.ImageSize, "no byte stored before the cut is fetched again");
        rig.RunningVersion.Should().Be("2.0.0");
        rig.ServerState().Should().Be(ActionState.Succeeded);
    }
}
