using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Server;

public sealed partial class RolloutController
{
    private bool SlotFree => _downloadSlotsInUse < _downloadCap;

    private bool PacingWaits() =>
        _options.OfferRate is not null && Phase == RolloutPhase.Running && _wave >= 0 && SlotFree
        && _pacingCursor < WaveRange(_wave).To;

    private void TakeDownloadSlot(int device)
    {
        var action = _devices[device];
        if (!action.HoldsDownloadSlot)
        {
            Mutable(device).HoldsDownloadSlot = true;
            _downloadSlotsInUse++;
        }
    }

    private void ReleaseDownloadSlot(int device)
    {
        var action = _devices[device];
        if (action.HoldsDownloadSlot)
        {
            Mutable(device).HoldsDownloadSlot = false;
            _downloadSlotsInUse--;
        }
    }

    /// <summary>Queues a device whose offer came due; <see cref="PumpOffers"/> sends it when a download slot is free.</summary>
    private void QueueDueOffer(int device, long dueMs)
    {
        var action = Mutable(device);
        if (action.WaitingSinceMs < 0)
        {
            action.WaitingSinceMs = dueMs;
            _waitingForSlot.Add((dueMs, device));
        }
    }

    /// <summary>Sends the due offers that free download slots allow: the queued ones in due order, and with an offer rate
    /// the next devices of the current wave at that rate.</summary>
    private void PumpOffers(long nowMs, List<ControllerOutput> outputs)
    {
        if (Phase != RolloutPhase.Running)
        {
            return;
        }

        while (_waitingForSlot.Count > 0 && SlotFree)
        {
            var (_, device) = _waitingForSlot.Min;
            _waitingForSlot.Remove(_waitingForSlot.Min);
            Mutable(device).WaitingSinceMs = -1;
            if (_devices[device].State == ActionState.Scheduled)
            {
                SendOffer(device, nowMs, outputs, repeat: false);
            }
        }

        if (_options.OfferRate is not { } rate || _wave < 0)
        {
            return;
        }

        var waveEnd = WaveRange(_wave).To;
        while (nowMs >= _nextPacedOfferMs && SlotFree && _pacingCursor < waveEnd)
        {
            var device = _waveOrder[_pacingCursor++];
            if (_devices[device].State != ActionState.Scheduled)
            {
                continue;
            }

            SendOffer(device, nowMs, outputs, repeat: false);
            _nextPacedOfferMs = nowMs + rate.IntervalMs(_successes);
        }
    }

    private void SendOffer(int device, long nowMs, List<ControllerOutput> outputs, bool repeat)
    {
        var action = Mutable(device);
        action.LastOfferMs = nowMs;
        if (!repeat)
        {
            action.Attempts++;
            Journal(outputs, new JournalEntry(nowMs, JournalKind.DeviceOffered, device, ReleaseId, Value: action.Wave, Actor: Actor));
        }

        SetState(device, ActionState.Offered, nowMs, outputs, journal: false);
        TakeDownloadSlot(device);
        Schedule(device, nowMs + _options.OfferRepeatMs);
        outputs.Add(new SendToDevice(new UpdateOffer(device, _deployment!.Release, _deployment.ArtifactUrl)));
    }

    /// <summary>Frees the download slot of a device that holds it without progress: an offer unanswered for
    /// <see cref="RolloutOptions.OfferRepeatMs"/>, or a download from a device silent for that long.</summary>
    private void CheckDownloadSlot(int device, long nowMs)
    {
        var action = _devices[device];
        if (!action.HoldsDownloadSlot)
        {
            return;
        }

        var lastProgressMs = action.State == ActionState.Offered ? action.LastOfferMs : Math.Max(action.LastSeenMs, action.StateSinceMs);
        var expiresMs = lastProgressMs + _options.OfferRepeatMs;
        if (nowMs >= expiresMs)
        {
            // NOTE: a device that resumes a download after its slot was freed downloads without a slot, so the number of
            // devices downloading can exceed the cap by the devices that came back.
            ReleaseDownloadSlot(device);
        }
        else
        {
            Schedule(device, expiresMs);
        }
    }
}
