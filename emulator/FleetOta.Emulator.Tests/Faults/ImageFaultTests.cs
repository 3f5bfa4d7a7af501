using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;
using static FleetOta.Emulator.Tests.SimulationHarness;

namespace FleetOta.Emulator.Tests.Faults;

/// <summary>Image fault kinds: each is journaled where it happens, and the agent rejects or rolls back the image
/// with the matching reason.</summary>
public sealed class ImageFaultTests
{
    [Theory]
    [InlineData(FaultKind.CorruptInTransit, FailureReason.DigestMismatch)]
    [InlineData(FaultKind.BitFlipOnWrite, FailureReason.ReadBackMismatch)]
    [InlineData(FaultKind.Truncated, FailureReason.ImageTruncated)]
    [InlineData(FaultKind.BadSignature, FailureReason.SignatureInvalid)]
    [InlineData(FaultKind.WrongHardware, FailureReason.IncompatibleHardware)]
    [InlineData(FaultKind.Downgrade, FailureReason.SecurityVersionTooLow)]
    public void ImageFault_Injected_AgentRejectsImage(FaultKind kind, FailureReason reason)
    {
        var journal = Run(Small(faults: new FaultSpec(kind, new FaultTarget(Count: 5))));
        var hit = journal.Injected(kind);

        hit.Should().HaveCount(5);
        foreach (var device in hit)
        {
            var injectedAt = journal.Of(device).First(e => e.Kind == JournalKind.FaultInjected && e.Status == kind.ToName()).TimeMs;
            journal.Failures(device).Should().Contain(e => e.Status == "failed" && e.Detail == reason.ToText() && e.TimeMs >= injectedAt);
            journal.Of(device).Should().NotContain(e => e.Kind == JournalKind.Boot && e.Version == NewVersion && e.TimeMs < injectedAt);
        }
    }

    [Fact]
    public void CorruptInTransit_OnFirstTransfer_RetryInstallsRelease()
    {
        var spec = Small(faults: new FaultSpec(FaultKind.CorruptInTransit, new FaultTarget(Count: 5)));
        var journal = Run(spec with { Rollout = spec.Rollout with { Recovery = spec.Rollout.Recovery with { RetryDelayMs = 10 * 60_000 } } });

        journal.Injected(FaultKind.CorruptInTransit).Should().OnlyContain(device => journal.Committed(device));
    }

    [Fact]
    public void CorruptAtRest_ImageCrashes_BootloaderFallsBack()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.CorruptAtRest, new FaultTarget(Count: 5))));
        var hit = journal.Injected(FaultKind.CorruptAtRest);

        hit.Should().HaveCount(5);
        foreach (var device in hit)
        {
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.DeviceFault && e.Status == "crash");
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.BootloaderFallback);
            journal.Failures(device).Should().Contain(e => e.Status == "rolled-back" && e.Detail == FailureReason.BootFailed.ToText());
        }
    }

    [Fact]
    public void StorageFull_StopsDownload_AgentFailsWithReason()
    {
        var journal = Run(Small(faults: new FaultSpec(FaultKind.StorageFull, new FaultTarget(Count: 5), Amount: 4L << 20)));
        var full = journal.Injected(FaultKind.StorageFull);

        full.Should().HaveCount(5);
        foreach (var device in full)
        {
            journal.Of(device).Should().Contain(e => e.Kind == JournalKind.DownloadInterrupted && e.Status == "storage-full" && e.Value == 4L << 20);
            journal.Failures(device).Should().Contain(e => e.Detail == FailureReason.InsufficientStorage.ToText());
            journal.Committed(device).Should().BeFalse();
        }
    }
}
