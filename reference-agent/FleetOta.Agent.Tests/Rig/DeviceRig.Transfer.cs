using FleetOta.Protocol;

namespace FleetOta.Agent.Tests.Rig;

internal sealed partial class DeviceRig
{
    private int _transfer;
    private int _slotWrite;

    /// <summary>Total bytes the artifact server sent, resumed transfers included.</summary>
    public long BytesTransferred { get; private set; }

    /// <summary>The offsets that downloads started or resumed from, in order.</summary>
    public List<long> DownloadStarts { get; } = [];

    /// <summary>Resumes the transfer at the requested offset: the file is cut back to it, since bytes past the last
    /// persisted offset may be torn.</summary>
    private void StartTransfer(StartDownload start)
    {
        var transfer = ++_transfer;
        if (!Link.Up)
        {
            ScheduleOnDevice(NowMs + 1_000, () => RunAgent(new DownloadFailed(DownloadError.Offline, DownloadFile?.Count ?? 0)));
            return;
        }

        if (!Artifacts.TryGetValue(start.Url, out var artifact))
        {
            ScheduleOnDevice(NowMs + Options.LatencyMs, () => RunAgent(new DownloadFailed(DownloadError.NotFound, 0)));
            return;
        }

        DownloadFile ??= [];
        var from = (int)Math.Min(start.FromOffset, DownloadFile.Count);
        DownloadFile.RemoveRange(from, DownloadFile.Count - from);
        DownloadStarts.Add(from);
        ScheduleOnDevice(NowMs + Options.ChunkMs, () => TransferChunk(transfer, artifact));
    }

    private void TransferChunk(int transfer, byte[] artifact)
    {
        if (transfer != _transfer || DownloadFile is not { } file)
        {
            return;
        }

        if (!Link.Up)
        {
            RunAgent(new DownloadFailed(DownloadError.Offline, file.Count));
            return;
        }

        var offset = file.Count;
        var end = Math.Min(offset + Options.ChunkBytes, artifact.Length);
        if (end > StorageBytes)
        {
            // The disk fills: what fits is written, then the write fails.
            var fits = (int)Math.Max(0, StorageBytes - offset);
            if (!Step(StepKind.DownloadWrite, $"download bytes {offset}..{offset + fits} until the disk is full"))
            {
                file.AddRange(artifact.AsSpan(offset, fits).ToArray());
                BytesTransferred += fits;
                RunAgent(new DownloadFailed(DownloadError.InsufficientStorage, offset));
            }

            return;
        }

        if (Step(StepKind.DownloadWrite, $"download bytes {offset}..{end}"))
        {
            file.AddRange(artifact.AsSpan(offset, (end - offset) / 2).ToArray());
            return;
        }

        file.AddRange(artifact.AsSpan(offset, end - offset).ToArray());
        BytesTransferred += end - offset;
        if (end == artifact.Length)
        {
            RunAgent(new DownloadCompleted(end));
            return;
        }

        RunAgent(new DownloadProgressed(end));
        ScheduleOnDevice(NowMs + Options.ChunkMs, () => TransferChunk(transfer, artifact));
    }

    /// <summary>Copies the download file into a slot chunk by chunk. The slot is marked invalid first and valid
    /// only after the last chunk, so a torn write leaves an invalid slot that the bootloader skips.</summary>
    private void StartSlotWrite(WriteSlot write)
    {
        var slot = (int)write.Slot;
        if (Running == write.Slot)
        {
            throw new InvalidOperationException($"The agent asked to write slot {write.Slot}, which is running.");
        }

        var torn = Step(StepKind.SlotWrite, $"slot {write.Slot}: mark invalid");
        Slots[slot] = SlotContent.Empty;
        if (torn)
        {
            return;
        }

        SlotWriteStarts++;
        var source = DownloadFile?.ToArray()
                     ?? throw new InvalidOperationException($"The agent asked to write slot {write.Slot}, but there is no download file.");
        SlotBytes[slot] = new byte[source.Length];
        var generation = ++_slotWrite;
        var flip = FlipBitOnNextSlotWrite;
        FlipBitOnNextSlotWrite = false;
        if (FailNextSlotWrite)
        {
            FailNextSlotWrite = false;
            ScheduleOnDevice(NowMs + Options.ChunkMs, () => RunAgent(new SlotWriteFailed(write.Slot, "I/O error at byte 0")));
            return;
        }

        ScheduleOnDevice(NowMs + Options.ChunkMs, () => WriteSlotChunk(generation, write, source, 0, flip));
    }

    private void WriteSlotChunk(int generation, WriteSlot write, byte[] source, int offset, bool flip)
    {
        if (generation != _slotWrite)
        {
            return;
        }

        var slot = (int)write.Slot;
        var end = Math.Min(offset + Options.ChunkBytes, source.Length);
        if (offset < end)
        {
            var torn = Step(StepKind.SlotWrite, $"slot {write.Slot}: bytes {offset}..{end}");
            var length = torn ? (end - offset) / 2 : end - offset;
            source.AsSpan(offset, length).CopyTo(SlotBytes[slot].AsSpan(offset));
            if (torn)
            {
                return;
            }

            if (flip && offset == 0)
            {
                // A silent bit flip on the way to flash: the write itself reports success.
                SlotBytes[slot][length / 2] ^= 0x04;
            }
        }

        if (end < source.Length)
        {
            ScheduleOnDevice(NowMs + Options.ChunkMs, () => WriteSlotChunk(generation, write, source, end, flip));
            return;
        }

        if (Step(StepKind.SlotWrite, $"slot {write.Slot}: mark valid"))
        {
            return;
        }

        var manifest = write.Manifest;
        Slots[slot] = new SlotContent(manifest.Version, manifest.SecurityVersion, Digests.Sha256Hex(SlotBytes[slot]), Valid: true);
        RunAgent(new SlotWriteCompleted(write.Slot));
    }
}
