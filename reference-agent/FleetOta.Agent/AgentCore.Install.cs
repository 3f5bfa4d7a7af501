using FleetOta.Protocol;

namespace FleetOta.Agent;

public sealed partial class AgentCore
{
    private void RequestDownload(List<AgentOutput> outputs)
    {
        var manifest = _state.Offer!.Manifest;
        outputs.Add(new StartDownload(manifest.ReleaseId, _state.ArtifactUrl ?? "", _state.DownloadedBytes, manifest.ImageSize));
    }

    private void OnDownloadProgressed(DownloadProgressed progressed, List<AgentOutput> outputs)
    {
        if (_state.Phase == AgentPhase.Downloading && progressed.BytesStored > _state.DownloadedBytes
            && progressed.BytesStored <= _state.Offer!.Manifest.ImageSize)
        {
            Persist(_state with { DownloadedBytes = progressed.BytesStored }, outputs);
        }
    }

    private void OnDownloadCompleted(DownloadCompleted completed, long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Phase != AgentPhase.Downloading)
        {
            return;
        }

        var size = _state.Offer!.Manifest.ImageSize;
        if (completed.BytesStored != size)
        {
            FailAttempt(UpdateStatus.Failed, completed.BytesStored < size ? FailureReason.ImageTruncated : FailureReason.DigestMismatch,
                nowMs, outputs);
            return;
        }

        PersistWithReport(_state with { Phase = AgentPhase.Verifying, DownloadedBytes = completed.BytesStored },
            UpdateStatus.Verifying, FailureReason.None, nowMs, outputs);
        outputs.Add(new ComputeDigest(DigestTarget.DownloadFile));
    }

    private void OnDownloadFailed(DownloadFailed failed, long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Phase != AgentPhase.Downloading)
        {
            return;
        }

        if (failed.Error == DownloadError.InsufficientStorage)
        {
            FailAttempt(UpdateStatus.Failed, FailureReason.InsufficientStorage, nowMs, outputs);
            return;
        }

        _downloadResumes++;
        if (failed.Error == DownloadError.NotFound || _downloadResumes > _options.MaxDownloadResumes)
        {
            FailAttempt(UpdateStatus.Failed, FailureReason.DownloadFailed, nowMs, outputs);
            return;
        }

        if (failed.BytesStored > _state.DownloadedBytes && failed.BytesStored <= _state.Offer!.Manifest.ImageSize)
        {
            Persist(_state with { DownloadedBytes = failed.BytesStored }, outputs);
        }

        outputs.Add(new SetTimer(AgentTimer.DownloadRetry, nowMs + _options.DownloadRetryMs));
    }

    private void OnDigest(DigestComputed computed, long nowMs, List<AgentOutput> outputs)
    {
        var manifest = _state.Offer?.Manifest;
        if (manifest is null || _state.Kind != AttemptKind.Update)
        {
            return;
        }

        var matches = string.Equals(computed.Digest, manifest.ImageDigest, StringComparison.Ordinal);
        if (computed.Target == DigestTarget.DownloadFile && _state.Phase == AgentPhase.Verifying)
        {
            if (!matches)
            {
                FailAttempt(UpdateStatus.Failed, FailureReason.DigestMismatch, nowMs, outputs);
                return;
            }

            StartInstall(nowMs, outputs);
            return;
        }

        if (computed.Target == DigestTargets.Of(_state.TargetSlot) && _state.Phase == AgentPhase.Installing)
        {
            if (!matches)
            {
                // The boot environment was never pointed at the target slot, so the device keeps booting this one.
                _slots[(int)_state.TargetSlot] = SlotContent.Empty;
                FailAttempt(UpdateStatus.Failed, FailureReason.ReadBackMismatch, nowMs, outputs);
                return;
            }

            PersistWithReport(_state with { Phase = AgentPhase.AwaitingReboot }, UpdateStatus.Rebooting, FailureReason.None, nowMs, outputs);
            ArmTrial(outputs);
        }
    }

    /// <summary>Writes the verified download into the slot that is not running. The target is chosen here, not at
    /// offer time, because the bootloader may have switched slots since.</summary>
    private void StartInstall(long nowMs, List<AgentOutput> outputs)
    {
        var target = _running.Other();
        PersistWithReport(_state with { Phase = AgentPhase.Installing, TargetSlot = target, PreviousVersion = _runningContent.Version },
            UpdateStatus.Installing, FailureReason.None, nowMs, outputs);
        WriteTargetSlot(outputs);
    }

    private void WriteTargetSlot(List<AgentOutput> outputs)
    {
        var target = _state.TargetSlot;
        if (target == _running)
        {
            throw new InvalidOperationException($"The agent must never write the running slot {target}; this is a bug in the agent core.");
        }

        // NOTE: while the target is written, the running slot is the only bootable one. Corruption of it at rest in
        // that window leaves nothing to boot after a power cut, and no A/B scheme can prevent that.
        _slots[(int)target] = SlotContent.Empty;
        outputs.Add(new WriteSlot(target, _state.Offer!.Manifest));
    }

    private void OnSlotWritten(SlotWriteCompleted written, List<AgentOutput> outputs)
    {
        if (_state.Phase == AgentPhase.Installing && written.Slot == _state.TargetSlot)
        {
            var manifest = _state.Offer!.Manifest;
            _slots[(int)written.Slot] = new SlotContent(manifest.Version, manifest.SecurityVersion, manifest.ImageDigest, Valid: true);
            outputs.Add(new ComputeDigest(DigestTargets.Of(written.Slot)));
        }
    }

    private void OnSlotWriteFailed(SlotWriteFailed failed, long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Phase == AgentPhase.Installing && failed.Slot == _state.TargetSlot)
        {
            FailAttempt(UpdateStatus.Failed, FailureReason.InstallFailed, nowMs, outputs);
        }
    }
}
