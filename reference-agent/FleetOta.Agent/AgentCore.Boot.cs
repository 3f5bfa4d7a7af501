using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Agent;

public sealed partial class AgentCore
{
    private void OnBooted(Booted booted, long nowMs, List<AgentOutput> outputs)
    {
        _booted = true;
        _online = true;
        _healthCheckPending = false;
        _running = booted.Running;
        _slots[0] = booted.SlotA;
        _slots[1] = booted.SlotB;
        _runningContent = booted.RunningContent;
        _environment = booted.Environment;
        _reportRetryDelay = _options.ReportRetryInitialMs;
        _downloadResumes = 0;

        if (booted.Persisted is null)
        {
            Persist(AgentState.Initial(_runningContent.SecurityVersion) with { PreviousVersion = _runningContent.Version }, outputs);
        }
        else
        {
            _state = booted.Persisted;
        }

        var earlierReports = _state.PendingReports;

        // Concluding the persisted step first puts a detected failure ahead of the first heartbeat in the journal.
        var fellBack = booted.BootloaderFellBack || booted.Environment.FellBack;
        if (ResumeAfterBoot(fellBack, nowMs, outputs))
        {
            return;
        }

        SendHeartbeat(outputs);
        outputs.Add(new SetTimer(AgentTimer.Heartbeat, nowMs + FirstPollDelayMs()));
        Resend(earlierReports, nowMs, outputs);
    }

    /// <summary>Returns the delay of the first periodic heartbeat after boot: spread over 0.5 to 1.5 intervals by a
    /// fixed hash of the device id, so that a fleet powered on together does not poll in step.</summary>
    private long FirstPollDelayMs()
    {
        var z = unchecked((ulong)(_device.Id + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 31)) * 0xBF58476D1CE4E5B9UL;
        z ^= z >> 29;
        var fraction = (z >> 11) * (1.0 / (1UL << 53));
        return (long)(_options.HeartbeatIntervalMs * (0.5 + fraction));
    }

    /// <summary>Continues the persisted step, or concludes it from the slot that actually booted. Returns true
    /// when the agent asked for a reboot, so nothing else should be sent from this boot.</summary>
    private bool ResumeAfterBoot(bool fellBack, long nowMs, List<AgentOutput> outputs)
    {
        var onTarget = _running == _state.TargetSlot;
        switch (_state.Phase)
        {
            case AgentPhase.Idle:
                SettleOnRunningSlot(outputs);
                return false;
            case AgentPhase.Downloading:
                SettleOnRunningSlot(outputs);
                RequestDownload(outputs);
                return false;
            case AgentPhase.Verifying:
                SettleOnRunningSlot(outputs);
                outputs.Add(new ComputeDigest(DigestTarget.DownloadFile));
                return false;
            case AgentPhase.Installing:
                return ResumeInstall(onTarget, outputs);
            case AgentPhase.AwaitingReboot or AgentPhase.Trial when onTarget:
                if (_state.Phase != AgentPhase.Trial)
                {
                    Persist(_state with { Phase = AgentPhase.Trial }, outputs);
                }

                StartHealthCheck(nowMs, outputs);
                return false;
            case AgentPhase.AwaitingReboot or AgentPhase.Trial when fellBack:
                ConcludeFallback(FailureReason.BootFailed, logFailure: true, nowMs, outputs);
                return false;
            case AgentPhase.AwaitingReboot or AgentPhase.Trial:
                // Off the target slot without a fallback by the bootloader: the trial environment was never written,
                // or an unreadable single-copy environment was replaced by the default. The trial never ran to a verdict.
                return ReArmTrial(nowMs, outputs);
            case AgentPhase.Committing when onTarget:
                FinishCommit(nowMs, outputs);
                return false;
            case AgentPhase.Committing:
                // The health check passed, but the commit write was lost and the trial ran out of boots meanwhile.
                return ReArmTrial(nowMs, outputs);
            case AgentPhase.RollingBack or AgentPhase.ConfirmingFallback when onTarget:
                return SwitchBackFromTarget(nowMs, outputs);
            case AgentPhase.RollingBack:
                ConcludeFallback(_state.LastReason, logFailure: false, nowMs, outputs);
                return false;
            case AgentPhase.ConfirmingFallback:
                StartHealthCheck(nowMs, outputs);
                return false;
            default:
                throw new InvalidOperationException($"The agent core cannot resume from phase {_state.Phase}.");
        }
    }

    /// <summary>Restarts the slot write after a power cut. The write always goes to the slot that is not running.</summary>
    private bool ResumeInstall(bool onTarget, List<AgentOutput> outputs)
    {
        if (onTarget && Content(_running.Other()).Valid)
        {
            // The bootloader left the slot this attempt came from: go back before writing anything.
            WriteEnvironment(_environment.SettleOn(_running.Other()), outputs);
            outputs.Add(new Reboot());
            return true;
        }

        SettleOnRunningSlot(outputs);
        if (onTarget)
        {
            Persist(_state with { TargetSlot = _running.Other(), PreviousVersion = _runningContent.Version }, outputs);
        }

        WriteTargetSlot(outputs);
        return false;
    }

    /// <summary>Starts the trial again after it was cut short: an update re-reads the target slot first, a
    /// commanded rollback boots the other slot again.</summary>
    private bool ReArmTrial(long nowMs, List<AgentOutput> outputs)
    {
        if (_state.Kind == AttemptKind.Update)
        {
            Persist(_state with { Phase = AgentPhase.Installing }, outputs);
            SettleOnRunningSlot(outputs);
            outputs.Add(new ComputeDigest(DigestTargets.Of(_state.TargetSlot)));
            return false;
        }

        if (!Content(_state.TargetSlot).Valid)
        {
            FailAttempt(UpdateStatus.Failed, FailureReason.BootFailed, nowMs, outputs);
            return false;
        }

        Persist(_state with { Phase = AgentPhase.AwaitingReboot }, outputs);
        ArmTrial(outputs);
        return true;
    }

    /// <summary>Booted the failed target slot again while rolling back: the switch to the previous slot was lost.</summary>
    private bool SwitchBackFromTarget(long nowMs, List<AgentOutput> outputs)
    {
        if (!Content(_running.Other()).Valid)
        {
            // Nothing to fall back to: stay here rather than reboot in a loop.
            EnterDegraded(nowMs, outputs);
            return false;
        }

        WriteEnvironment(_environment.SettleOn(_running.Other()), outputs);
        outputs.Add(new Reboot());
        return true;
    }
}
