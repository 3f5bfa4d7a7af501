using System.Collections.Immutable;
using FleetOta.Agent;
using FleetOta.Emulator.Live.Storage;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Tests.Storage;

/// <summary>The device files on a real file system: torn writes of the bootloader environment, and the atomic
/// write of the agent state that a power cut cannot tear.</summary>
public sealed class DeviceStorageTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "fleetota-storage-" + Path.GetRandomFileName());

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    [Fact]
    public async Task WriteEnvironmentAsync_TornRedundantCopy_KeepsPreviousEnvironment()
    {
        var storage = await CreateAsync(redundant: true);
        var trial = BootEnvironment.Initial(Slot.A).StartTrial(Slot.B);
        await storage.WriteEnvironmentAsync(trial, tearAfterBytes: null, CancellationToken.None);

        await storage.WriteEnvironmentAsync(trial.SettleOn(Slot.B), tearAfterBytes: 12, CancellationToken.None);

        storage.ReadEnvironment().Should().Be(trial, "the torn write hit the older copy and the newer one survives");
    }

    [Fact]
    public async Task WriteEnvironmentAsync_TornSingleCopy_LeavesNoValidEnvironment()
    {
        var storage = await CreateAsync(redundant: false);

        await storage.WriteEnvironmentAsync(BootEnvironment.Initial(Slot.A).StartTrial(Slot.B), tearAfterBytes: 12, CancellationToken.None);

        storage.ReadEnvironment().Should().BeNull("a single copy torn in the middle fails its check");
    }

    [Fact]
    public async Task WriteEnvironmentAsync_CompleteWrites_ReadsNewest()
    {
        var storage = await CreateAsync(redundant: true);
        var trial = BootEnvironment.Initial(Slot.A).StartTrial(Slot.B) with { BootCount = 2 };

        await storage.WriteEnvironmentAsync(trial, tearAfterBytes: null, CancellationToken.None);
        await storage.WriteEnvironmentAsync(trial.SettleOn(Slot.B), tearAfterBytes: null, CancellationToken.None);

        storage.ReadEnvironment().Should().Be(trial.SettleOn(Slot.B));
        File.Exists(storage.EnvironmentPath(0)).Should().BeTrue();
        File.Exists(storage.EnvironmentPath(1)).Should().BeTrue("a redundant environment alternates between two copies");
    }

    [Fact]
    public async Task PersistStateAsync_StateWithManifestAndReports_ReadsBackEqual()
    {
        var storage = await CreateAsync(redundant: true);
        var manifest = new SignedManifest(
            new ReleaseManifest("r2", "2.0.0", 2, new string('a', 64), 4096, [new HardwareTarget("gw-300", "A")]), [1, 2, 3], "key");
        var report = new StatusReport(7, 3, "r2", UpdateStatus.Downloading, FailureReason.None, "1.0.0");
        var state = AgentState.Initial(1) with
        {
            Phase = AgentPhase.Downloading,
            Offer = manifest,
            ArtifactUrl = "/artifacts/r2",
            TargetSlot = Slot.B,
            DownloadedBytes = 1024,
            PendingReports = ImmutableList.Create(report),
        };

        await storage.PersistStateAsync(state, CancellationToken.None);
        var read = storage.ReadState();

        read.Should().NotBeNull();
        read!.Phase.Should().Be(AgentPhase.Downloading);
        read.DownloadedBytes.Should().Be(1024);
        read.TargetSlot.Should().Be(Slot.B);
        read.Offer!.Manifest.Should().BeEquivalentTo(manifest.Manifest);
        read.Offer.Signature.Should().Equal(1, 2, 3);
        read.PendingReports.Should().ContainSingle().Which.Should().Be(report);
    }

    [Fact]
    public async Task ReadState_TornTemporaryFile_ReturnsLastCompleteState()
    {
        var storage = await CreateAsync(redundant: true);
        var state = AgentState.Initial(1) with { DownloadedBytes = 10 };
        await storage.PersistStateAsync(state, CancellationToken.None);

        // A power cut during the next write leaves half a temporary file, and the rename never happened.
        await File.WriteAllTextAsync(storage.StatePath + ".tmp", "{\"phase\":\"Verif");
        storage.RemoveTemporaryFiles();

        storage.ReadState()!.DownloadedBytes.Should().Be(10);
        File.Exists(storage.StatePath + ".tmp").Should().BeFalse();
    }

    [Fact]
    public async Task InvalidateSlot_BeforeOverwrite_MakesSlotUnbootable()
    {
        var storage = await CreateAsync(redundant: true);
        storage.ReadSlot(Slot.A).Valid.Should().BeTrue();

        storage.InvalidateSlot(Slot.A);

        storage.ReadSlot(Slot.A).Should().Be(SlotContent.Empty);
    }

    private async Task<DeviceStorage> CreateAsync(bool redundant)
    {
        var storage = new DeviceStorage(_folder, redundant);
        var image = new byte[] { 1, 2, 3, 4 };
        await storage.InitializeAsync(new SlotContent("1.0.0", 1, Digests.Sha256Hex(image), Valid: true), image, BootEnvironment.Initial(Slot.A),
            CancellationToken.None);
        return storage;
    }
}
