using System.Net;
using System.Net.Http.Headers;
using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Devices;

internal sealed partial class LiveDevice
{
    private const int ChunkBytes = 16_384;

    private TransferState? _transfer;
    private SlotWriteState? _slotWrite;
    private int _transferCount;

    /// <summary>Whether the current download (fresh or resumed) goes through the corrupting proxy. Decided when a
    /// download starts from byte 0, as the corruption belongs to that transfer of the image.</summary>
    private bool _transferCorrupt;

    private sealed class TransferState(int id, CancellationTokenSource cancel)
    {
        public int Id { get; } = id;

        public CancellationTokenSource Cancel { get; } = cancel;
    }

    private sealed class SlotWriteState(Slot slot)
    {
        public Slot Slot { get; } = slot;

        public long BytesWritten { get; set; }

        public bool Finished { get; set; }

        public Task Task { get; set; } = Task.CompletedTask;
    }

    private enum TransferEnd
    {
        Completed,
        StorageFull,
        Reset,
        NotFound,
        PowerCut,
        Cancelled,
    }

    private void StartTransferLocked(StartDownload start)
    {
        StopTransferLocked();
        if (start.FromOffset == 0)
        {
            _transferCorrupt = Faults.Take(FaultKind.CorruptInTransit) is not null;
        }

        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_life.Token);
        var transfer = new TransferState(++_transferCount, cancel);
        _transfer = transfer;
        long? cutAt = null;
        if (Faults.Take(FaultKind.PowerCut, PowerCutStep.Download) is { } cut)
        {
            cutAt = start.FromOffset + 1 + _random.NextLong(Math.Max(start.TotalBytes - start.FromOffset - 1, 1));
            _downloadCut = cut;
        }

        var epoch = _epoch;
        Forget(TransferAsync(start, transfer, epoch, cutAt));
    }

    private FaultSpec? _downloadCut;

    private void StopTransferLocked()
    {
        if (_transfer is { } transfer)
        {
            _transfer = null;
            transfer.Cancel.Cancel();
        }
    }

    private void DiscardDownloadLocked()
    {
        StopTransferLocked();
        _transferCorrupt = false;
        File.Delete(_storage.DownloadPath);
    }

    /// <summary>Downloads the image with HTTP from the resume offset into the download file, reporting progress
    /// every quarter of the image. Stops early for a full disk, a truncated image or an aimed power cut.</summary>
    private async Task TransferAsync(StartDownload start, TransferState transfer, int epoch, long? cutAt)
    {
        var token = transfer.Cancel.Token;
        var (end, bytes) = (TransferEnd.Cancelled, 0L);
        try
        {
            (end, bytes) = await DownloadAsync(start, transfer, epoch, cutAt, token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            return;
        }
        catch (Exception error) when (error is HttpRequestException or IOException or OperationCanceledException)
        {
            end = TransferEnd.Reset;
            bytes = CurrentDownloadBytes();
            Log.DownloadFailed(_context.Logger, Id, start.ReleaseId, bytes, error.Message);
        }

        await FinishTransferAsync(start, transfer, epoch, end, bytes).ConfigureAwait(false);
    }

    private async Task<(TransferEnd End, long Bytes)> DownloadAsync(
        StartDownload start, TransferState transfer, int epoch, long? cutAt, CancellationToken token)
    {
        var from = Math.Min(start.FromOffset, CurrentDownloadBytes());
        var (client, baseUri) = _transferCorrupt ? (_context.CorruptingHttp, _context.CorruptingArtifactBase) : (_context.Http, _context.ArtifactBase);
        using var request = new HttpRequestMessage(HttpMethod.Get, ArtifactUri(baseUri, start.Url));
        if (from > 0)
        {
            request.Headers.Range = new RangeHeaderValue(from, null);
        }

        await RunLockedAsync(epoch, () =>
        {
            Journal(JournalKind.DownloadStarted, value: from, release: start.ReleaseId);
            return Task.CompletedTask;
        }).ConfigureAwait(false);
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, token).ConfigureAwait(false);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return (TransferEnd.NotFound, from);
            case HttpStatusCode.RequestedRangeNotSatisfiable:
                return (TransferEnd.Completed, from);
            case HttpStatusCode.OK:
                from = 0;
                break;
            case HttpStatusCode.PartialContent:
                break;
            default:
                throw new HttpRequestException($"GET {request.RequestUri} returned {(int)response.StatusCode} {response.ReasonPhrase}.");
        }

        var total = start.TotalBytes;
        var end = Faults.Find(FaultKind.Truncated) is not null ? total * 4 / 5 : total;
        var free = Faults.Find(FaultKind.StorageFull) is { } full ? (long)full.Amount : Profile.StorageBytes;
        var stop = Math.Min(end, free);
        var quarter = Math.Max(total / 4, 1);

        var file = new FileStream(_storage.DownloadPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, ChunkBytes, useAsync: true);
        await using (file.ConfigureAwait(false))
        {
            file.SetLength(from);
            file.Position = from;
            var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            var buffer = new byte[ChunkBytes];
            var bytes = from;
            var nextMark = (bytes / quarter + 1) * quarter;
            while (bytes < stop)
            {
                var limit = (int)Math.Min(buffer.Length, Math.Min(stop, cutAt ?? long.MaxValue) - bytes);
                var read = await body.ReadAsync(buffer.AsMemory(0, limit), token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                await file.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                bytes += read;
                if (bytes == cutAt)
                {
                    await file.FlushAsync(token).ConfigureAwait(false);
                    return (TransferEnd.PowerCut, bytes);
                }

                if (bytes >= nextMark && bytes < stop)
                {
                    await file.FlushAsync(token).ConfigureAwait(false);
                    await PostIfCurrentAsync(transfer, epoch, new DownloadProgressed(bytes)).ConfigureAwait(false);
                    nextMark = (bytes / quarter + 1) * quarter;
                }
            }

            await file.FlushAsync(token).ConfigureAwait(false);
            return (bytes >= stop && stop < end ? TransferEnd.StorageFull : TransferEnd.Completed, bytes);
        }
    }

    private async Task FinishTransferAsync(StartDownload start, TransferState transfer, int epoch, TransferEnd end, long bytes)
    {
        if (end == TransferEnd.PowerCut)
        {
            await CutPowerAsync(OffTime(_downloadCut!), epoch).ConfigureAwait(false);
            return;
        }

        await RunLockedAsync(epoch, async () =>
        {
            if (_transfer != transfer || _agent is null)
            {
                return;
            }

            _transfer = null;
            switch (end)
            {
                case TransferEnd.Completed:
                    if (_transferCorrupt)
                    {
                        Journal(JournalKind.FaultInjected, FaultKind.CorruptInTransit.ToName(), "bytes corrupted in transit");
                    }

                    Journal(JournalKind.DownloadCompleted, value: bytes, release: start.ReleaseId);
                    await RunAgentLockedAsync(new DownloadCompleted(bytes)).ConfigureAwait(false);
                    break;
                case TransferEnd.StorageFull:
                    Journal(JournalKind.DownloadInterrupted, "storage-full", value: bytes);
                    await RunAgentLockedAsync(new DownloadFailed(DownloadError.InsufficientStorage, bytes)).ConfigureAwait(false);
                    break;
                case TransferEnd.NotFound:
                    Journal(JournalKind.DownloadInterrupted, "not-found", value: bytes);
                    await RunAgentLockedAsync(new DownloadFailed(DownloadError.NotFound, bytes)).ConfigureAwait(false);
                    break;
                case TransferEnd.Reset:
                    Journal(JournalKind.DownloadInterrupted, "connection-reset", value: bytes);
                    await RunAgentLockedAsync(new DownloadFailed(DownloadError.ConnectionReset, bytes)).ConfigureAwait(false);
                    break;
            }
        }).ConfigureAwait(false);
    }

    private Task PostIfCurrentAsync(TransferState transfer, int epoch, AgentInput input) =>
        RunLockedAsync(epoch, () => _transfer == transfer && _agent is not null ? RunAgentLockedAsync(input) : Task.CompletedTask);

    private long CurrentDownloadBytes()
    {
        var info = new FileInfo(_storage.DownloadPath);
        return info.Exists ? info.Length : 0;
    }

    /// <summary>Returns the artifact address on the device's own HTTP path: the path of the offered address (which
    /// names the server itself) on the proxy in front of the server.</summary>
    private static Uri ArtifactUri(Uri baseUri, string offered)
    {
        var path = Uri.TryCreate(offered, UriKind.Absolute, out var absolute) ? absolute.PathAndQuery : offered;
        return new Uri(baseUri, path);
    }

    /// <summary>Computes the real SHA-256 of the download file or of a slot image and posts it to the agent.</summary>
    private async Task ComputeDigestAsync(DigestTarget target, int epoch, CancellationToken token)
    {
        string digest;
        try
        {
            if (target == DigestTarget.DownloadFile)
            {
                digest = await HashFileAsync(_storage.DownloadPath, token).ConfigureAwait(false);
            }
            else
            {
                var slot = target == DigestTarget.SlotA ? Slot.A : Slot.B;
                digest = _storage.ReadSlot(slot).Valid ? await HashFileAsync(_storage.SlotImagePath(slot), token).ConfigureAwait(false) : "invalid";
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        await PostAsync(new DigestComputed(target, digest), epoch).ConfigureAwait(false);
    }

    private void StartSlotWriteLocked(WriteSlot write)
    {
        _storage.InvalidateSlot(write.Slot);
        var state = new SlotWriteState(write.Slot);
        _slotWrite = state;
        long? tearAt = null;
        FaultSpec? cut = null;
        if (Faults.Take(FaultKind.PowerCut, PowerCutStep.WriteSlot) is { } aimed)
        {
            cut = aimed;
            tearAt = 1 + _random.NextLong(Math.Max(write.Manifest.ImageSize - 1, 1));
        }

        long? flipAt = Faults.Take(FaultKind.BitFlipOnWrite) is not null ? _random.NextLong(Math.Max(write.Manifest.ImageSize, 1)) : null;
        var epoch = _epoch;
        var copy = CopyToSlotAsync(state, write.Manifest.ImageSize, tearAt, flipAt, _life.Token);
        state.Task = copy;
        Forget(FinishSlotWriteAsync(write, state, copy, cut, flipAt, epoch));
    }

    /// <summary>Copies the download file into the slot image at the configured write speed (in virtual time), so that
    /// a power cut can land in the middle. Returns false when the write stopped before the end.</summary>
    private async Task<bool> CopyToSlotAsync(SlotWriteState state, long size, long? tearAt, long? flipAt, CancellationToken token)
    {
        await Task.Yield();
        try
        {
            var source = new FileStream(_storage.DownloadPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, ChunkBytes, useAsync: true);
            await using (source.ConfigureAwait(false))
            {
                var target = new FileStream(_storage.SlotImagePath(state.Slot), FileMode.Create, FileAccess.Write, FileShare.Read, ChunkBytes, useAsync: true);
                await using (target.ConfigureAwait(false))
                {
                    var buffer = new byte[ChunkBytes];
                    var started = _context.Clock.GetTimestamp();
                    while (state.BytesWritten < size)
                    {
                        var limit = (int)Math.Min(buffer.Length, (tearAt ?? size) - state.BytesWritten);
                        var read = await source.ReadAsync(buffer.AsMemory(0, limit), token).ConfigureAwait(false);
                        if (read == 0)
                        {
                            break;
                        }

                        if (flipAt is { } flip && flip >= state.BytesWritten && flip < state.BytesWritten + read)
                        {
                            buffer[flip - state.BytesWritten] ^= 0x01;
                        }

                        await target.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                        await target.FlushAsync(token).ConfigureAwait(false);
                        state.BytesWritten += read;
                        if (state.BytesWritten == tearAt)
                        {
                            return false;
                        }

                        await PaceAsync(started, state.BytesWritten, token).ConfigureAwait(false);
                    }
                }
            }

            state.Finished = state.BytesWritten == size;
            return state.Finished;
        }
        catch (Exception error) when (error is OperationCanceledException or IOException)
        {
            return false;
        }
    }

    /// <summary>Waits until the write has taken as long as the device's write speed says, in virtual time.</summary>
    private async Task PaceAsync(long startedTimestamp, long bytesWritten, CancellationToken token)
    {
        var due = TimeSpan.FromSeconds(bytesWritten / Spec.Timing.WriteBytesPerSecond);
        var elapsed = _context.Clock.GetElapsedTime(startedTimestamp);
        if (_context.Clock.ToReal(due - elapsed) >= TimeSpan.FromMilliseconds(1))
        {
            await Task.Delay(due - elapsed, _context.Clock, token).ConfigureAwait(false);
        }
    }

    private async Task FinishSlotWriteAsync(WriteSlot write, SlotWriteState state, Task<bool> copy, FaultSpec? cut, long? flipAt, int epoch)
    {
        var finished = await copy.ConfigureAwait(false);
        if (!finished)
        {
            if (cut is not null && state.BytesWritten > 0)
            {
                await CutPowerAsync(OffTime(cut), epoch).ConfigureAwait(false);
            }
            else
            {
                await RunLockedAsync(epoch, () => FailSlotWriteLockedAsync(state)).ConfigureAwait(false);
            }

            return;
        }

        await RunLockedAsync(epoch, async () =>
        {
            if (_slotWrite != state || _agent is null)
            {
                return;
            }

            _slotWrite = null;
            var manifest = write.Manifest;
            await _storage.WriteSlotMetadataAsync(state.Slot, new SlotContent(manifest.Version, manifest.SecurityVersion, manifest.ImageDigest, Valid: true),
                _life.Token).ConfigureAwait(false);
            if (flipAt is not null)
            {
                Journal(JournalKind.FaultInjected, FaultKind.BitFlipOnWrite.ToName(), $"one bit flipped in slot {state.Slot}");
            }

            Journal(JournalKind.SlotWritten, state.Slot.ToString(), null, manifest.Version, manifest.ImageSize, manifest.ReleaseId);
            if (manifest.Version == Spec.Release.Version && Faults.Take(FaultKind.CorruptAtRest) is not null)
            {
                _corruptAtRestPending = state.Slot;
            }

            await RunAgentLockedAsync(new SlotWriteCompleted(state.Slot)).ConfigureAwait(false);
        }).ConfigureAwait(false);
    }

    private async Task FailSlotWriteLockedAsync(SlotWriteState state)
    {
        if (_slotWrite != state || _agent is null)
        {
            return;
        }

        _slotWrite = null;
        await RunAgentLockedAsync(new SlotWriteFailed(state.Slot, "the download file could not be copied completely")).ConfigureAwait(false);
    }

    /// <summary>The slot whose image gets corrupted at rest once its trial boot is set up, after the read-back check
    /// passed; null when none is pending.</summary>
    private Slot? _corruptAtRestPending;

    /// <summary>Writes the bootloader environment; an aimed power cut tears the write half-way.</summary>
    private async Task WriteEnvironmentLockedAsync(BootEnvironment environment)
    {
        var current = _storage.ReadEnvironment();
        var isCommit = !environment.Trial && current is { Trial: true };
        if (Faults.Take(FaultKind.PowerCut, PowerCutStep.BootEnvironment) is { } cut)
        {
            var torn = 8 + (int)_random.NextLong(24);
            await _storage.WriteEnvironmentAsync(environment, torn, CancellationToken.None).ConfigureAwait(false);
            Journal(JournalKind.BootEnvironmentWritten, BootStatus(environment), "torn by power cut");
            await CutPowerLockedAsync(OffTime(cut)).ConfigureAwait(false);
            return;
        }

        try
        {
            await _storage.WriteEnvironmentAsync(environment, tearAfterBytes: null, _life.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        Journal(JournalKind.BootEnvironmentWritten, BootStatus(environment), "agent");
        if (environment.Trial && _corruptAtRestPending == environment.Active)
        {
            CorruptAtRest(environment.Active);
        }

        if (isCommit && Faults.Take(FaultKind.PowerCut, PowerCutStep.Commit) is { } commitCut)
        {
            await CutPowerLockedAsync(OffTime(commitCut)).ConfigureAwait(false);
        }
    }

    private void CorruptAtRest(Slot slot)
    {
        _corruptAtRestPending = null;
        using (var file = new FileStream(_storage.SlotImagePath(slot), FileMode.Open, FileAccess.ReadWrite))
        {
            if (file.Length > 0)
            {
                file.Position = _random.NextLong(file.Length);
                var value = file.ReadByte();
                file.Position--;
                file.WriteByte((byte)(value ^ 0x10));
            }
        }

        Journal(JournalKind.FaultInjected, FaultKind.CorruptAtRest.ToName(), $"slot {slot} corrupted at rest");
    }
}
