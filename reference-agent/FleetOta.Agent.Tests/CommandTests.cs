using FleetOta.Agent.Tests.Rig;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests;

/// <summary>Remote commands on the device rig: cancel, rollback and an install of a given release.</summary>
public sealed class CommandTests
{
    private const long Hour = 3_600_000;
    private static readonly TestReleases Releases = TestReleases.Shared;

    private static readonly RigOptions Quiet = new()
    {
        Rollout = new RigOptions().Rollout with { Recovery = new RecoveryPolicyOptions { Enabled = false } },
        ChunkMs = 10_000,
    };

    [Fact]
    public void Cancel_DuringDownload_DeletesFileAndReportsCancelled()
    {
        var rig = new DeviceRig(Releases, Quiet);
        StartAndDeploy(rig, Releases.New);
        rig.RunUntil(() => rig.Persisted?.DownloadedBytes > 0, Hour).Should().BeTrue();

        rig.SendFromServer(new DeviceCommand(DeviceRig.DeviceId, CommandKind.Cancel, null, null));
        rig.RunFor(Hour);

        rig.DownloadFile.Should().BeNull();
        rig.SlotWriteStarts.Should().Be(0);
        rig.LastDeliveredReport()!.Status.Should().Be(UpdateStatus.Cancelled);
        rig.ServerState().Should().Be(ActionState.Cancelled);
        rig.RunningVersion.Should().Be("1.0.0");
    }

    [Fact]
    public void Rollback_AfterCommit_BootsPreviousVersion()
    {
        var rig = new DeviceRig(Releases, Quiet);
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);
        rig.RunningVersion.Should().Be("2.0.0");

        rig.Operator(OperatorActionKind.ForceRollback);
        rig.RunFor(Hour);

        rig.Running.Should().Be(Slot.A);
        rig.RunningVersion.Should().Be("1.0.0");
        rig.Boots.Should().Contain(boot => boot.Slot == Slot.A && boot.Trial, "a rollback boots the previous image on trial");
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.A));
        var report = rig.LastDeliveredReport()!;
        report.Status.Should().Be(UpdateStatus.RolledBack);
        report.Reason.Should().Be(FailureReason.RollbackRequested);
        report.RunningVersion.Should().Be("1.0.0");
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("1.0.0");
    }

    [Fact]
    public void Rollback_PreviousBelowSecurityFloor_Rejected()
    {
        var rig = new DeviceRig(Releases, Quiet);
        var higher = Releases.Create("r2.0.0-sv5", "2.0.0", securityVersion: 5);
        StartAndDeploy(rig, higher);
        rig.RunFor(Hour);
        rig.Persisted!.MinimumSecurityVersion.Should().Be(5);

        rig.SendFromServer(new DeviceCommand(DeviceRig.DeviceId, CommandKind.Rollback, null, null));
        rig.RunFor(Hour);

        rig.RunningVersion.Should().Be("2.0.0");
        rig.LastDeliveredReport()!.Reason.Should().Be(FailureReason.SecurityVersionTooLow);
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.B));
    }

    [Fact]
    public void Install_OlderReleaseAtFloor_InstallsForRecovery()
    {
        var rig = new DeviceRig(Releases, Quiet);
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);
        var older = Releases.Create("r0.9.0", "0.9.0", securityVersion: 3);
        rig.Publish(older);

        rig.SendFromServer(new DeviceCommand(DeviceRig.DeviceId, CommandKind.Install, older.Signed, older.Url));
        rig.RunFor(Hour);

        rig.RunningVersion.Should().Be("0.9.0");
        rig.Running.Should().Be(Slot.A);
        rig.Logs.Should().Contain(log => log.Kind == JournalKind.Committed && log.Version == "0.9.0");
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("0.9.0");
    }

    [Fact]
    public void Install_OlderReleaseBelowFloor_Rejected()
    {
        var rig = new DeviceRig(Releases, Quiet);
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);
        var older = Releases.Create("r0.8.0", "0.8.0", securityVersion: 2);
        rig.Publish(older);

        rig.SendFromServer(new DeviceCommand(DeviceRig.DeviceId, CommandKind.Install, older.Signed, older.Url));
        rig.RunFor(Hour);

        rig.RunningVersion.Should().Be("2.0.0");
        rig.LastDeliveredReport()!.Reason.Should().Be(FailureReason.SecurityVersionTooLow);
    }

    private static void StartAndDeploy(DeviceRig rig, TestRelease release)
    {
        rig.Start();
        rig.RunUntil(Flows.DeployAtMs);
        rig.Deploy(release, Releases.Old);
    }
}
