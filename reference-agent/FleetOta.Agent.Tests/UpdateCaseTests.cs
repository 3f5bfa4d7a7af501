using FleetOta.Agent.Tests.Rig;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;

namespace FleetOta.Agent.Tests;

/// <summary>Named update cases on the device rig against the real rollout controller, each with its exact
/// expected values. The device starts on 1.0.0 in slot A and is offered 2.0.0, which goes into slot B.</summary>
public sealed class UpdateCaseTests
{
    private const long Hour = 3_600_000;
    private static readonly TestReleases Releases = TestReleases.Shared;

    /// <summary>Rig options whose controller has no automatic recovery, so the outcome of one attempt stays visible.</summary>
    private static readonly RigOptions Quiet = new()
    {
        Rollout = new RigOptions().Rollout with { Recovery = new RecoveryPolicyOptions { Enabled = false } },
    };

    [Fact]
    public void Commit_PowerCutBeforeAck_NeverRollsBack()
    {
        var rig = new DeviceRig(Releases);
        var cutAtMs = -1L;
        rig.CutWhen = step =>
        {
            if (cutAtMs >= 0 || step.What != "send status succeeded")
            {
                return false;
            }

            // The success report is persisted but not yet sent; after the restore the status endpoint rejects it twice as unavailable.
            cutAtMs = step.AtMs;
            rig.Link.RejectStatusReports = 2;
            return true;
        };
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(2 * Hour);

        cutAtMs.Should().BePositive();
        rig.PowerCuts.Should().Be(1);
        rig.Link.Records.Count(r => r.Outcome == LinkOutcome.Rejected).Should().Be(2);
        rig.BootsAfter(cutAtMs).Should().OnlyContain(boot => boot.Slot == Slot.B && boot.Version == "2.0.0" && !boot.Trial);
        rig.Logs.Should().NotContain(log => log.Kind == JournalKind.FailureDetected);
        rig.Link.DeliveredReports().Should().Contain(r => r.Status == UpdateStatus.Succeeded && r.RunningVersion == "2.0.0");
        rig.ServerState().Should().Be(ActionState.Succeeded);
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("2.0.0");
        rig.Persisted!.PendingReports.Should().BeEmpty();
    }

    [Fact]
    public void Commit_FiveCleanReboots_BootsNewSlotEveryTime()
    {
        var rig = new DeviceRig(Releases);
        StartAndDeploy(rig, Releases.New);
        rig.RunUntil(() => rig.Persisted?.LastOutcome == UpdateStatus.Succeeded, Hour).Should().BeTrue();

        var commit = rig.EnvironmentWrites[^1];
        commit.Should().Be(new BootEnvironment(Slot.B, Trial: false, BootCount: 0, BootLimit: 3));
        rig.Environment.Read().Should().Be(commit);

        var committedAtMs = rig.NowMs;
        var writesAtCommit = rig.EnvironmentWrites.Count;
        for (var i = 0; i < 5; i++)
        {
            rig.Reboot();
            rig.RunFor(60_000);
        }

        var boots = rig.BootsAfter(committedAtMs).ToList();
        boots.Should().HaveCount(5);
        boots.Should().OnlyContain(boot => boot.Slot == Slot.B && boot.Version == "2.0.0" && !boot.Trial && boot.BootCount == 0);
        rig.EnvironmentWrites.Should().HaveCount(writesAtCommit, "a committed slot boots without environment writes");
        rig.Environment.Read().Should().Be(commit);
        rig.ServerState().Should().Be(ActionState.Succeeded);
    }

    [Fact]
    public void Trial_CrashAtTwoSeconds_FallsBackAfterLimit()
    {
        var rig = new DeviceRig(Releases, Quiet);
        rig.Behaviour["2.0.0"] = ImageBehaviour.CrashesOnStart;
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);

        var trialBoots = rig.Boots.Where(boot => boot.Slot == Slot.B).ToList();
        trialBoots.Select(boot => boot.BootCount).Should().Equal(1, 2, 3);
        trialBoots.Should().OnlyContain(boot => boot.Trial);
        rig.Boots[^1].Should().Match<BootRecord>(boot => boot.Slot == Slot.A && boot.FellBack && !boot.Trial);

        rig.Logs.Should().NotContain(log => log.Kind == JournalKind.Committed);
        rig.Logs.Should().NotContain(log => log.Kind == JournalKind.HealthCheck && log.Version == "2.0.0");
        rig.EnvironmentWrites.Should().NotContain(env => env.Active == Slot.B && !env.Trial, "nothing may commit slot B");
        rig.Persisted!.MinimumSecurityVersion.Should().Be(3);

        rig.RunningVersion.Should().Be("1.0.0");
        rig.Running.Should().Be(Slot.A);
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.A));
        var report = rig.LastDeliveredReport()!;
        report.Status.Should().Be(UpdateStatus.RolledBack);
        report.Reason.Should().Be(FailureReason.BootFailed);
        report.RunningVersion.Should().Be("1.0.0");
        rig.ServerState().Should().Be(ActionState.RolledBack);
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("1.0.0");
    }

    [Fact]
    public void Degraded_BothImagesFailHealthCheck_StopsAfterTwoReboots()
    {
        var rig = new DeviceRig(Releases, Quiet);
        rig.Behaviour["1.0.0"] = ImageBehaviour.FailsHealthCheck;
        rig.Behaviour["2.0.0"] = ImageBehaviour.FailsHealthCheck;
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);
        var rebootsAfterOneHour = rig.Reboots;
        rig.RunFor(23 * Hour);

        rig.Reboots.Should().Be(2, "one reboot into the trial and one back to the previous slot");
        rig.Reboots.Should().BeLessThanOrEqualTo(rig.Options.BootLimit + 1);
        rig.Reboots.Should().Be(rebootsAfterOneHour, "the degraded state is steady");
        ShouldBeSteadilyDegradedOnSlotA(rig);
    }

    [Fact]
    public void Degraded_NewCrashesOldFailsHealth_StopsAfterBootLimitPlusOne()
    {
        var rig = new DeviceRig(Releases, Quiet);
        rig.Behaviour["1.0.0"] = ImageBehaviour.FailsHealthCheck;
        rig.Behaviour["2.0.0"] = ImageBehaviour.CrashesOnStart;
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(24 * Hour);

        rig.Reboots.Should().Be(rig.Options.BootLimit + 1, "one reboot into the trial and one per crash until the boot limit");
        ShouldBeSteadilyDegradedOnSlotA(rig);
    }

    [Theory]
    [InlineData(true, ImageBehaviour.CrashesOnStart, 5)]
    [InlineData(false, ImageBehaviour.CrashesOnStart, 5)]
    [InlineData(true, ImageBehaviour.FailsHealthCheck, 2)]
    [InlineData(false, ImageBehaviour.FailsHealthCheck, 2)]
    public void Fallback_CutAtEachEnvironmentWrite_EndsOnOldVersion(
        bool redundant, ImageBehaviour newImage, int fallbackWrites)
    {
        var reference = Flows.Update(redundant, newImage, cutWhen: null);
        var trialStart = reference.Steps.First(step => step.Kind == StepKind.AgentEnvironmentWrite && step.What.Contains("trial=True"));
        // The server's automatic retry comes 30 min later; the first attempt's fallback is over well within 10 min.
        var writes = reference.Steps
            .Where(step => step.IsEnvironmentWrite && step.Index > trialStart.Index && step.AtMs < trialStart.AtMs + 600_000)
            .ToList();
        writes.Should().HaveCount(fallbackWrites);

        foreach (var write in writes)
        {
            var rig = Flows.Update(redundant, newImage, cutWhen: step => step.Index == write.Index);

            var because = $"the power was cut at {Flows.Describe(write)}";
            rig.PowerCuts.Should().Be(1, because);
            var next = rig.BootsAfter(write.AtMs + 1).First();
            next.Slot.Should().NotBeNull(because);
            next.Version.Should().BeOneOf(["1.0.0", "2.0.0"], because);
            Flows.OutcomeProblem(rig, "1.0.0", ActionState.RolledBack).Should().BeNull(because);
        }
    }

    [Fact]
    public void Install_BitFlip_FailsReadBackKeepsBootTarget()
    {
        var rig = new DeviceRig(Releases, Quiet) { FlipBitOnNextSlotWrite = true };
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);

        rig.SlotWriteStarts.Should().Be(1);
        Digests.Sha256Hex(rig.SlotBytes[1]).Should().NotBe(Releases.New.Manifest.ImageDigest);
        rig.EnvironmentWrites.Should().BeEmpty("the boot target must not move to a slot that failed read-back");
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.A));
        rig.Reboots.Should().Be(0);
        rig.RunningVersion.Should().Be("1.0.0");
        ShouldReportFailure(rig, FailureReason.ReadBackMismatch, "read-back verification failed");
        rig.ServerState().Should().Be(ActionState.Failed);
    }

    [Fact]
    public void Offer_ImageForRevisionB_RejectedBeforeAnyWrite()
    {
        var rig = new DeviceRig(Releases, Quiet with { HardwareRevision = "A" });
        var revisionB = Releases.Create("r2.0.0-rev-b", "2.0.0", 3, [TestReleases.RevisionB]);
        StartAndDeploy(rig, revisionB);
        rig.RunFor(Hour);

        ShouldNotHaveTouchedSlotB(rig);
        ShouldReportFailure(rig, FailureReason.IncompatibleHardware, "incompatible hardware");
        rig.ServerState().Should().Be(ActionState.Failed);
    }

    [Fact]
    public void Offer_LowerSecurityVersion_Rejected()
    {
        var rig = new DeviceRig(Releases, Quiet);
        var lower = Releases.Create("r2.0.0-sv2", "2.0.0", securityVersion: 2);
        StartAndDeploy(rig, lower);
        rig.RunFor(Hour);

        ShouldNotHaveTouchedSlotB(rig);
        ShouldReportFailure(rig, FailureReason.SecurityVersionTooLow, "security version too low");
        rig.Persisted!.MinimumSecurityVersion.Should().Be(3);
    }

    [Fact]
    public void Fallback_ToLowerSecurityVersion_StillAllowed()
    {
        var rig = new DeviceRig(Releases, Quiet);
        var higher = Releases.Create("r2.0.0-sv5", "2.0.0", securityVersion: 5);
        rig.Behaviour["2.0.0"] = ImageBehaviour.CrashesOnStart;
        StartAndDeploy(rig, higher);
        rig.RunFor(Hour);

        rig.Running.Should().Be(Slot.A);
        rig.RunningVersion.Should().Be("1.0.0");
        rig.Slots[0].SecurityVersion.Should().Be(3);
        rig.Persisted!.MinimumSecurityVersion.Should().Be(3, "the floor rises only on commit");
        rig.ServerState().Should().Be(ActionState.RolledBack);
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("1.0.0");
    }

    [Fact]
    public void Download_StorageFull_DeletesFileThenRetrySucceeds()
    {
        var rig = new DeviceRig(Releases, Quiet) { StorageBytes = TestReleases.ImageSize * 6 / 10 };
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);

        rig.DownloadFile.Should().BeNull("no partial download may remain");
        ShouldReportFailure(rig, FailureReason.InsufficientStorage, "insufficient storage");
        rig.ServerState().Should().Be(ActionState.Failed);
        rig.SlotWriteStarts.Should().Be(0);

        rig.StorageBytes = 1 << 20;
        rig.Operator(OperatorActionKind.RetryFailed);
        rig.RunFor(Hour);

        rig.RunningVersion.Should().Be("2.0.0");
        rig.ServerState().Should().Be(ActionState.Succeeded);
        rig.DownloadFile.Should().BeNull("the download is deleted after the commit");
    }

    [Fact]
    public void Trial_FallsBack_ServerShowsFailureThenRetries()
    {
        var rig = new DeviceRig(Releases, Quiet);
        rig.Behaviour["2.0.0"] = ImageBehaviour.FailsHealthCheck;
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);

        rig.ServerState().Should().Be(ActionState.RolledBack);
        rig.ServerState().IsIncident().Should().BeTrue();
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("1.0.0");
        rig.RunningVersion.Should().Be("1.0.0");
        ShouldReportFailure(rig, FailureReason.HealthCheckFailed, "health check failed", UpdateStatus.RolledBack);
        rig.Persisted!.Phase.Should().Be(AgentPhase.Idle);

        // The cause is fixed on the device side, and the operator retries the failed device.
        rig.Behaviour["2.0.0"] = ImageBehaviour.Healthy;
        rig.Operator(OperatorActionKind.RetryFailed);
        rig.RunFor(Hour);

        rig.RunningVersion.Should().Be("2.0.0");
        rig.ServerState().Should().Be(ActionState.Succeeded);
    }

    [Fact]
    public void Install_WriteFails_StaysFailed()
    {
        var rig = new DeviceRig(Releases, Quiet) { FailNextSlotWrite = true };
        StartAndDeploy(rig, Releases.New);
        rig.RunFor(Hour);
        ShouldReportFailure(rig, FailureReason.InstallFailed, "install failed");

        rig.Reboot();
        rig.RunFor(Hour);
        rig.CutPower();
        rig.RunFor(22 * Hour);

        rig.ServerState().Should().Be(ActionState.Failed);
        rig.Link.DeliveredReports().Should().NotContain(report => report.Status == UpdateStatus.Succeeded);
        rig.LastDeliveredReport()!.Status.Should().Be(UpdateStatus.Failed);
        rig.Persisted!.LastOutcome.Should().Be(UpdateStatus.Failed);
        rig.RunningVersion.Should().Be("1.0.0");
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.A));
    }

    public static TheoryData<string, FailureReason, string> RejectedReleases => new()
    {
        { "tampered manifest", FailureReason.SignatureInvalid, "invalid manifest signature" },
        { "wrong key", FailureReason.UnknownSigningKey, "unknown signing key" },
        { "unsigned manifest", FailureReason.ManifestUnsigned, "manifest unsigned" },
        { "truncated image", FailureReason.ImageTruncated, "image truncated" },
        { "digest mismatch", FailureReason.DigestMismatch, "image digest mismatch" },
    };

    [Theory]
    [MemberData(nameof(RejectedReleases))]
    public void Offer_BadRelease_RejectedWithOwnReason(string variant, FailureReason reason, string text)
    {
        var rig = new DeviceRig(Releases, Quiet);
        StartAndDeploy(rig, BadRelease(variant));
        rig.RunFor(Hour);

        ShouldReportFailure(rig, reason, text);
        rig.SlotWriteStarts.Should().Be(0);
        rig.Slots[1].Should().Be(SlotContent.Empty);
        rig.EnvironmentWrites.Should().BeEmpty();
        rig.DownloadFile.Should().BeNull();
        rig.RunningVersion.Should().Be("1.0.0");
        rig.ServerState().Should().Be(ActionState.Failed);
    }

    [Fact]
    public void Offer_BadReleases_EachHasItsOwnReason()
    {
        RejectedReleases.Select(row => (FailureReason)row[1]).Distinct().Should().HaveCount(5);
    }

    private static TestRelease BadRelease(string variant)
    {
        var good = Releases.New;
        switch (variant)
        {
            case "tampered manifest":
                return good with { Signed = good.Signed with { Manifest = good.Manifest with { SecurityVersion = 9 } } };
            case "wrong key":
                using (var rogue = ManifestSigner.CreateEphemeral("rogue-key"))
                {
                    return TestReleases.Sign(good, rogue);
                }
            case "unsigned manifest":
                return good with { Signed = new SignedManifest(good.Manifest, [], "") };
            case "truncated image":
                return good with { Artifact = good.Artifact[..3000] };
            case "digest mismatch":
                var other = (byte[])good.Artifact.Clone();
                other[100] ^= 0x01;
                return good with { Artifact = other };
            default:
                throw new ArgumentOutOfRangeException(nameof(variant), variant, "Unknown bad release variant.");
        }
    }

    private static void StartAndDeploy(DeviceRig rig, TestRelease release)
    {
        rig.Start();
        rig.RunUntil(Flows.DeployAtMs);
        rig.Deploy(release, Releases.Old);
    }

    private static void ShouldReportFailure(DeviceRig rig, FailureReason reason, string text, UpdateStatus status = UpdateStatus.Failed)
    {
        var report = rig.Link.DeliveredReports().Last(r => r.Reason != FailureReason.None);
        report.Status.Should().Be(status);
        report.Reason.Should().Be(reason);
        report.Reason.ToText().Should().Be(text);
        report.RunningVersion.Should().Be("1.0.0");
    }

    private static void ShouldNotHaveTouchedSlotB(DeviceRig rig)
    {
        rig.DownloadStarts.Should().BeEmpty("the manifest is checked before the download");
        rig.BytesTransferred.Should().Be(0);
        rig.SlotWriteStarts.Should().Be(0);
        rig.Slots[1].Should().Be(SlotContent.Empty);
        rig.SlotBytes[1].Should().BeEmpty();
        rig.EnvironmentWrites.Should().BeEmpty();
        rig.RunningVersion.Should().Be("1.0.0");
    }

    private static void ShouldBeSteadilyDegradedOnSlotA(DeviceRig rig)
    {
        rig.Running.Should().Be(Slot.A);
        rig.RunningVersion.Should().Be("1.0.0");
        rig.Agent!.IsDegraded.Should().BeTrue();
        rig.Persisted!.Degraded.Should().BeTrue();
        rig.Environment.Read().Should().Be(BootEnvironment.Initial(Slot.A));
        rig.Logs.Should().ContainSingle(log => log.Kind == JournalKind.Degraded);
        rig.LastDeliveredReport()!.Status.Should().Be(UpdateStatus.Degraded);
        rig.Link.Records.Where(r => r.ToServer && r.Outcome == LinkOutcome.Delivered).Select(r => r.Message)
            .OfType<Heartbeat>().Last().Degraded.Should().BeTrue();
        rig.ServerState().Should().Be(ActionState.Degraded);
        rig.Controller.RunningVersionOf(DeviceRig.DeviceId).Should().Be("1.0.0");
    }
}
