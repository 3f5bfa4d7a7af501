using FleetOta.Agent;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Storage;

/// <summary>The persistent storage of one live device, as files in its own folder: the two slot images with their
/// metadata, the bootloader environment (two copies when redundant, one otherwise), the persisted agent state and
/// the download file. Everything here survives a power cut; a write that a power cut interrupts leaves a torn
/// file behind, as a real flash write would.</summary>
/// <remarks>Not thread-safe: the device host serializes all storage access of one device.</remarks>
public sealed class DeviceStorage
{
    private const string StateFile = "agent-state.json";
    private const string TemporarySuffix = ".tmp";

    public DeviceStorage(string folder, bool redundantEnvironment)
    {
        Folder = folder;
        RedundantEnvironment = redundantEnvironment;
    }

    public string Folder { get; }

    /// <summary>Two copies of the bootloader environment; false keeps one copy, which a torn write corrupts.</summary>
    public bool RedundantEnvironment { get; }

    public string DownloadPath => Path.Combine(Folder, "download.part");

    public string StatePath => Path.Combine(Folder, StateFile);

    public string SlotImagePath(Slot slot) => Path.Combine(Folder, slot == Slot.A ? "slot-a.img" : "slot-b.img");

    public string EnvironmentPath(int copy) => Path.Combine(Folder, $"bootenv.{copy}");

    private string SlotMetadataPath(Slot slot) => Path.Combine(Folder, slot == Slot.A ? "slot-a.json" : "slot-b.json");

    /// <summary>Creates the folder afresh: the initial image in slot A, slot B empty, the initial environment and no
    /// agent state.</summary>
    public async Task InitializeAsync(SlotContent initial, ReadOnlyMemory<byte> image, BootEnvironment environment, CancellationToken token)
    {
        if (Directory.Exists(Folder))
        {
            Directory.Delete(Folder, recursive: true);
        }

        Directory.CreateDirectory(Folder);
        await File.WriteAllBytesAsync(SlotImagePath(Slot.A), image, token).ConfigureAwait(false);
        await WriteSlotMetadataAsync(Slot.A, initial, token).ConfigureAwait(false);
        await WriteEnvironmentAsync(environment, tearAfterBytes: null, token).ConfigureAwait(false);
    }

    /// <summary>Returns the content of a slot; <see cref="SlotContent.Empty"/> when its metadata is missing or torn.</summary>
    public SlotContent ReadSlot(Slot slot)
    {
        var path = SlotMetadataPath(slot);
        if (!File.Exists(path))
        {
            return SlotContent.Empty;
        }

        return AgentStateJson.DeserializeSlot(File.ReadAllBytes(path)) ?? SlotContent.Empty;
    }

    /// <summary>Marks a slot invalid before its image is overwritten, so that a torn write never looks bootable.</summary>
    public void InvalidateSlot(Slot slot) => File.Delete(SlotMetadataPath(slot));

    public Task WriteSlotMetadataAsync(Slot slot, SlotContent content, CancellationToken token) =>
        WriteAtomicAsync(SlotMetadataPath(slot), AgentStateJson.Serialize(content), token);

    /// <summary>Reads the environment: the valid copy with the highest generation, or null when no copy is valid.</summary>
    public BootEnvironment? ReadEnvironment() => ReadNewestCopy().Environment;

    /// <summary>Writes the environment. A redundant environment overwrites its older copy, so the newer one survives
    /// a torn write; a single copy is overwritten in place. With <paramref name="tearAfterBytes"/> set, only that many
    /// bytes reach the file, as when power fails during the write.</summary>
    public async Task WriteEnvironmentAsync(BootEnvironment environment, int? tearAfterBytes, CancellationToken token)
    {
        var (_, generation, newestCopy) = ReadNewestCopy();
        var copy = RedundantEnvironment ? (newestCopy == 0 ? 1 : 0) : 0;
        var bytes = BootEnvironmentFile.Format(environment, generation + 1);
        var length = tearAfterBytes is { } tear ? Math.Clamp(tear, 0, bytes.Length - 1) : bytes.Length;
        await File.WriteAllBytesAsync(EnvironmentPath(copy), bytes.AsMemory(0, length), token).ConfigureAwait(false);
    }

    /// <summary>Returns the persisted agent state, or null on first boot. A torn temporary file is ignored, because
    /// the state file is replaced only by a rename after a complete write.</summary>
    public AgentState? ReadState() => File.Exists(StatePath) ? AgentStateJson.Deserialize(File.ReadAllBytes(StatePath)) : null;

    public Task PersistStateAsync(AgentState state, CancellationToken token) =>
        WriteAtomicAsync(StatePath, AgentStateJson.Serialize(state), token);

    /// <summary>Deletes temporary files that a power cut left behind; the bootloader does the same at power-on.</summary>
    public void RemoveTemporaryFiles()
    {
        foreach (var file in Directory.EnumerateFiles(Folder, "*" + TemporarySuffix))
        {
            File.Delete(file);
        }
    }

    private (BootEnvironment? Environment, long Generation, int Copy) ReadNewestCopy()
    {
        BootEnvironment? newest = null;
        long newestGeneration = -1;
        var newestCopy = -1;
        for (var copy = 0; copy < (RedundantEnvironment ? 2 : 1); copy++)
        {
            var path = EnvironmentPath(copy);
            if (File.Exists(path) && BootEnvironmentFile.TryParse(File.ReadAllBytes(path), out var environment, out var generation)
                && generation > newestGeneration)
            {
                (newest, newestGeneration, newestCopy) = (environment, generation, copy);
            }
        }

        return (newest, Math.Max(newestGeneration, 0), newestCopy);
    }

    /// <summary>Writes a file so that readers see the old or the new content, never a mix: write a temporary file,
    /// then rename it over the target.</summary>
    private static async Task WriteAtomicAsync(string path, byte[] bytes, CancellationToken token)
    {
        var temporary = path + TemporarySuffix;
        await File.WriteAllBytesAsync(temporary, bytes, token).ConfigureAwait(false);
        token.ThrowIfCancellationRequested();
        File.Move(temporary, path, overwrite: true);
    }
}
