using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Agent;

public sealed partial class AgentCore
{
    private void OnMessage(ServerMessage message, long nowMs, List<AgentOutput> outputs)
    {
        switch (message)
        {
            case StatusAck ack:
                OnAck(ack.Sequence, outputs);
                break;
            case UpdateOffer offer:
                StartAttempt(offer.Manifest, offer.ArtifactUrl, allowOlder: false, nowMs, outputs);
                break;
            case DeviceCommand command:
                OnCommand(command, nowMs, outputs);
                break;
        }
    }

    private void OnCommand(DeviceCommand command, long nowMs, List<AgentOutput> outputs)
    {
        switch (command.Kind)
        {
            case CommandKind.Cancel when _state.Phase is AgentPhase.Downloading or AgentPhase.Verifying:
                outputs.Add(new DiscardDownload());
                FailAttempt(UpdateStatus.Cancelled, FailureReason.Cancelled, nowMs, outputs);
                break;
            case CommandKind.Retry when _state.Phase == AgentPhase.Idle && _state.Offer is { } last && _state.LastOutcome != UpdateStatus.Succeeded:
                StartAttempt(last, _state.ArtifactUrl ?? "", allowOlder: false, nowMs, outputs);
                break;
            case CommandKind.Rollback when _state.Phase is AgentPhase.Idle or AgentPhase.Degraded:
                RollBackOnCommand(nowMs, outputs);
                break;
            case CommandKind.Install when command.Manifest is { } manifest:
                StartAttempt(manifest, command.ArtifactUrl ?? "", allowOlder: true, nowMs, outputs);
                break;
        }
    }

    private void RollBackOnCommand(long nowMs, List<AgentOutput> outputs)
    {
        // Only an image that passed its own verification when written may be booted again.
        var other = _running.Other();
        Persist(_state with { Phase = AgentPhase.RollingBack, TargetSlot = _running, PreviousVersion = _runningContent.Version }, outputs);
        Log(outputs, JournalKind.FailureDetected, UpdateStatus.RolledBack.ToWire(), FailureReason.RollbackRequested.ToText());
        outputs.Add(new WriteBootEnvironment(_environment.SwitchTo(other)));
        outputs.Add(new Reboot());
        _ = nowMs;
    }

    /// <summary>Checks an offer before any write: signature, hardware, anti-rollback floor; then starts the download.</summary>
    private void StartAttempt(SignedManifest offer, string url, bool allowOlder, long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Phase is not (AgentPhase.Idle or AgentPhase.Degraded))
        {
            return;
        }

        var manifest = offer.Manifest;
        if (manifest.Version == _runningContent.Version && !allowOlder)
        {
            // Already running it: confirm, so the server's record matches.
            Persist(_state with { Offer = offer, ArtifactUrl = url, LastOutcome = UpdateStatus.Succeeded }, outputs);
            QueueReport(UpdateStatus.Succeeded, FailureReason.None, nowMs, outputs);
            return;
        }

        var rejection = CheckOffer(offer, allowOlder);
        Persist(_state with
        {
            Phase = rejection == FailureReason.None ? AgentPhase.Downloading : AgentPhase.Idle,
            Offer = offer,
            ArtifactUrl = url,
            TargetSlot = _running.Other(),
            PreviousVersion = _runningContent.Version,
            DownloadedBytes = 0,
            LastOutcome = null,
        }, outputs);
        if (rejection != FailureReason.None)
        {
            FailAttempt(UpdateStatus.Failed, rejection, nowMs, outputs);
            return;
        }

        _downloadResumes = 0;
        QueueReport(UpdateStatus.Downloading, FailureReason.None, nowMs, outputs);
        RequestDownload(outputs);
    }

    private FailureReason CheckOffer(SignedManifest offer, bool allowOlder)
    {
        switch (_verifier.Verify(offer))
        {
            case SignatureCheck.Unsigned:
                return FailureReason.ManifestUnsigned;
            case SignatureCheck.Invalid:
            case SignatureCheck.UnknownKey:
                return FailureReason.SignatureInvalid;
        }

        var manifest = offer.Manifest;
        if (!manifest.Supports(_device.HardwareModel, _device.HardwareRevision))
        {
            return FailureReason.IncompatibleHardware;
        }

        // An operator install of an older release is allowed only while its security version keeps the floor.
        _ = allowOlder;
        return manifest.SecurityVersion < _state.MinimumSecurityVersion ? FailureReason.SecurityVersionTooLow : FailureReason.None;
    }

    private void RequestDownload(List<AgentOutput> outputs)
    {
        var manifest = _state.Offer!.Manifest;
        outputs.Add(new StartDownload(manifest.ReleaseId, _state.ArtifactUrl ?? "", _state.DownloadedBytes, manifest.ImageSize));
    }

    private void OnDownloadProgressed(DownloadProgressed progressed, List<AgentOutput> outputs)
    {
        if (_state.Phase == AgentPhase.Downloading && progressed.BytesStored > _state.DownloadedBytes)
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

        if (completed.BytesStored != _state.Offer!.Manifest.ImageSize)
        {
            outputs.Add(new DiscardDownload());
            FailAttempt(UpdateStatus.Failed, FailureReason.ImageTruncated, nowMs, outputs);
            return;
        }

        Persist(_state with { Phase = AgentPhase.Verifying, DownloadedBytes = completed.BytesStored }, outputs);
        QueueReport(UpdateStatus.Verifying, FailureReason.None, nowMs, outputs);
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
            outputs.Add(new DiscardDownload());
            FailAttempt(UpdateStatus.Failed, FailureReason.InsufficientStorage, nowMs, outputs);
            return;
        }

        if (failed.BytesStored > _state.DownloadedBytes)
        {
            Persist(_state with { DownloadedBytes = failed.BytesStored }, outputs);
        }

        _downloadResumes++;
        if (failed.Error == DownloadError.NotFound || _downloadResumes > _options.MaxDownloadResumes)
        {
            outputs.Add(new DiscardDownload());
            FailAttempt(UpdateStatus.Failed, FailureReason.DownloadFailed, nowMs, outputs);
            return;
        }

        outputs.Add(new SetTimer(AgentTimer.DownloadRetry, nowMs + _options.DownloadRetryMs));
    }

    private void OnDigest(DigestComputed computed, long nowMs, List<AgentOutput> outputs)
    {
        var manifest = _state.Offer?.Manifest;
        if (manifest is null)
        {
            return;
        }

        var matches = string.Equals(computed.Digest, manifest.ImageDigest, StringComparison.Ordinal);
        if (computed.Target == DigestTarget.DownloadFile && _state.Phase == AgentPhase.Verifying)
        {
            if (!matches)
            {
                outputs.Add(new DiscardDownload());
                FailAttempt(UpdateStatus.Failed, FailureReason.DigestMismatch, nowMs, outputs);
                return;
            }

            Persist(_state with { Phase = AgentPhase.Installing }, outputs);
            QueueReport(UpdateStatus.Installing, FailureReason.None, nowMs, outputs);
            outputs.Add(new WriteSlot(_state.TargetSlot, manifest));
            return;
        }

        if (computed.Target == DigestTargets.Of(_state.TargetSlot) && _state.Phase == AgentPhase.Installing)
        {
            if (!matches)
            {
                // The boot target stays on the running slot: the environment is not touched.
                FailAttempt(UpdateStatus.Failed, FailureReason.ReadBackMismatch, nowMs, outputs);
                return;
            }

            Persist(_state with { Phase = AgentPhase.AwaitingReboot }, outputs);
            QueueReport(UpdateStatus.Rebooting, FailureReason.None, nowMs, outputs);
            _environment = _environment.StartTrial(_state.TargetSlot);
            outputs.Add(new WriteBootEnvironment(_environment));
            outputs.Add(new Reboot());
        }
    }

    private void OnSlotWritten(SlotWriteCompleted written, List<AgentOutput> outputs)
    {
        if (_state.Phase == AgentPhase.Installing && written.Slot == _state.TargetSlot)
        {
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

    /// <summary>Ends the attempt before any boot change; the device keeps running what it runs.</summary>
    private void FailAttempt(UpdateStatus status, FailureReason reason, long nowMs, List<AgentOutput> outputs)
    {
        Persist(_state with { Phase = AgentPhase.Idle, DownloadedBytes = 0, LastOutcome = status }, outputs);
        Log(outputs, JournalKind.FailureDetected, status.ToWire(), reason.ToText(), _state.Offer?.Manifest.Version);
        QueueReport(status, reason, nowMs, outputs);
    }

    /// <summary>Adds a status report to the persisted queue and sends it; it is resent until acknowledged.</summary>
    private void QueueReport(UpdateStatus status, FailureReason reason, long nowMs, List<AgentOutput> outputs)
    {
        var report = new StatusReport(
            _device.Id, _state.NextSequence, _state.Offer?.Manifest.ReleaseId ?? "", status, reason, _runningContent.Version);
        Persist(_state with { NextSequence = _state.NextSequence + 1, PendingReports = _state.PendingReports.Add(report) }, outputs);
        outputs.Add(new SendMessage(report));
        if (_state.PendingReports.Count == 1)
        {
            _reportRetryDelay = _options.ReportRetryInitialMs;
            outputs.Add(new SetTimer(AgentTimer.ReportRetry, nowMs + _reportRetryDelay));
        }
    }

    private void ResendPendingReports(long nowMs, List<AgentOutput> outputs)
    {
        if (_state.PendingReports.IsEmpty)
        {
            return;
        }

        foreach (var report in _state.PendingReports)
        {
            outputs.Add(new SendMessage(report));
        }

        outputs.Add(new SetTimer(AgentTimer.ReportRetry, nowMs + _reportRetryDelay));
    }

    private void OnAck(int sequence, List<AgentOutput> outputs)
    {
        var pending = _state.PendingReports;
        var index = pending.FindIndex(report => report.Sequence == sequence);
        if (index < 0)
        {
            return;
        }

        Persist(_state with { PendingReports = pending.RemoveAt(index) }, outputs);
        if (_state.PendingReports.IsEmpty)
        {
            outputs.Add(new CancelTimer(AgentTimer.ReportRetry));
        }
    }
}
