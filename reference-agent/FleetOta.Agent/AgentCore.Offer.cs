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
                StartAttempt(offer.Manifest, offer.ArtifactUrl, operatorInstall: false, nowMs, outputs);
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
            case CommandKind.Cancel when _state.Phase is AgentPhase.Downloading or AgentPhase.Verifying or AgentPhase.Installing:
                // A slot write still in flight finishes into the inactive slot, which nothing boots.
                FailAttempt(UpdateStatus.Cancelled, FailureReason.Cancelled, nowMs, outputs);
                break;
            case CommandKind.Retry when _state.Phase == AgentPhase.Idle && _state.Offer is { } last && _state.LastOutcome != UpdateStatus.Succeeded:
                StartAttempt(last, _state.ArtifactUrl ?? "", operatorInstall: false, nowMs, outputs);
                break;
            case CommandKind.Rollback when _state.Phase == AgentPhase.Trial:
                StartRollingBack(FailureReason.RollbackRequested, nowMs, outputs);
                break;
            case CommandKind.Rollback when _state.Phase == AgentPhase.Idle:
                StartCommandedRollback(nowMs, outputs);
                break;
            case CommandKind.Install when command.Manifest is { } manifest:
                StartAttempt(manifest, command.ArtifactUrl ?? "", operatorInstall: true, nowMs, outputs);
                break;
        }
    }

    /// <summary>Tries the image in the other slot: a trial boot, so an image there that does not come up falls back
    /// to the running slot. The anti-rollback floor applies to it like to any install.</summary>
    private void StartCommandedRollback(long nowMs, List<AgentOutput> outputs)
    {
        var other = _running.Other();
        var content = Content(other);
        if (!content.Valid)
        {
            // NOTE: the protocol has no failure reason for "no image to roll back to", so the command is ignored and
            // the server keeps learning the running version from heartbeats.
            return;
        }

        if (content.SecurityVersion < _state.MinimumSecurityVersion)
        {
            Log(outputs, JournalKind.FailureDetected, UpdateStatus.Failed.ToWire(), FailureReason.SecurityVersionTooLow.ToText(), content.Version);
            PersistWithReport(_state with { LastOutcome = UpdateStatus.Failed, LastReason = FailureReason.SecurityVersionTooLow },
                UpdateStatus.Failed, FailureReason.SecurityVersionTooLow, nowMs, outputs);
            return;
        }

        Log(outputs, JournalKind.FailureDetected, UpdateStatus.RolledBack.ToWire(), FailureReason.RollbackRequested.ToText());
        Persist(_state with
        {
            Phase = AgentPhase.AwaitingReboot,
            Kind = AttemptKind.Rollback,
            TargetSlot = other,
            PreviousVersion = _runningContent.Version,
            LastOutcome = null,
            LastReason = FailureReason.RollbackRequested,
        }, outputs);
        ArmTrial(outputs);
    }

    /// <summary>Checks an offer before any write (signature, hardware, anti-rollback floor), then starts the
    /// download. An operator install reinstalls even the running version, for example to repair a degraded device.</summary>
    private void StartAttempt(SignedManifest offer, string url, bool operatorInstall, long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Phase != AgentPhase.Idle)
        {
            return;
        }

        var manifest = offer.Manifest;
        if (!operatorInstall && !_state.Degraded && manifest.Version == _runningContent.Version)
        {
            // Already running it: confirm, so the server's record matches.
            PersistWithReport(_state with { Offer = offer, ArtifactUrl = url, LastOutcome = UpdateStatus.Succeeded, LastReason = FailureReason.None },
                UpdateStatus.Succeeded, FailureReason.None, nowMs, outputs);
            return;
        }

        var attempt = _state with
        {
            Kind = AttemptKind.Update,
            Offer = offer,
            ArtifactUrl = url,
            TargetSlot = _running.Other(),
            PreviousVersion = _runningContent.Version,
            DownloadedBytes = 0,
            LastOutcome = null,
            LastReason = FailureReason.None,
        };
        var rejection = CheckOffer(offer);
        if (rejection != FailureReason.None)
        {
            _state = attempt;
            FailAttempt(UpdateStatus.Failed, rejection, nowMs, outputs);
            return;
        }

        _downloadResumes = 0;
        PersistWithReport(attempt with { Phase = AgentPhase.Downloading }, UpdateStatus.Downloading, FailureReason.None, nowMs, outputs);
        RequestDownload(outputs);
    }

    private FailureReason CheckOffer(SignedManifest offer)
    {
        switch (_verifier.Verify(offer))
        {
            case SignatureCheck.Unsigned:
                return FailureReason.ManifestUnsigned;
            case SignatureCheck.UnknownKey:
                return FailureReason.UnknownSigningKey;
            case SignatureCheck.Invalid:
                return FailureReason.SignatureInvalid;
        }

        var manifest = offer.Manifest;
        if (!manifest.Supports(_device.HardwareModel, _device.HardwareRevision))
        {
            return FailureReason.IncompatibleHardware;
        }

        // The floor is the security version of the last committed image; an older release passes only at or above it.
        return manifest.SecurityVersion < _state.MinimumSecurityVersion ? FailureReason.SecurityVersionTooLow : FailureReason.None;
    }

    /// <summary>Ends the attempt before any boot change: the download is deleted and the device keeps running what
    /// it runs. A degraded device stays degraded.</summary>
    private void FailAttempt(UpdateStatus status, FailureReason reason, long nowMs, List<AgentOutput> outputs)
    {
        outputs.Add(new DiscardDownload());
        Log(outputs, JournalKind.FailureDetected, status.ToWire(), reason.ToText(), _state.Offer?.Manifest.Version);
        PersistWithReport(_state with { Phase = AgentPhase.Idle, DownloadedBytes = 0, LastOutcome = status, LastReason = reason },
            status, reason, nowMs, outputs);
    }
}
