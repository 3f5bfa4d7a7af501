using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Agent;

public sealed partial class AgentCore
{
    /// <summary>Points the bootloader at the target slot for one trial, then reboots into it.</summary>
    private void ArmTrial(List<AgentOutput> outputs)
    {
        WriteEnvironment(_environment.StartTrial(_state.TargetSlot), outputs);
        outputs.Add(new Reboot());
    }

    private void StartHealthCheck(long nowMs, List<AgentOutput> outputs)
    {
        _healthCheckPending = true;
        outputs.Add(new StartHealthCheck(_options.HealthCheckTimeoutMs));
        outputs.Add(new SetTimer(AgentTimer.HealthCheckTimeout, nowMs + _options.HealthCheckTimeoutMs));
    }

    private void OnHealthCheck(bool healthy, long nowMs, List<AgentOutput> outputs)
    {
        if (!_healthCheckPending)
        {
            return;
        }

        _healthCheckPending = false;
        outputs.Add(new CancelTimer(AgentTimer.HealthCheckTimeout));
        Log(outputs, JournalKind.HealthCheck, healthy ? "pass" : "fail");
        switch (_state.Phase)
        {
            case AgentPhase.Trial when healthy:
                Persist(_state with { Phase = AgentPhase.Committing }, outputs);
                FinishCommit(nowMs, outputs);
                break;
            case AgentPhase.Trial:
                StartRollingBack(FailureReason.HealthCheckFailed, nowMs, outputs);
                break;
            case AgentPhase.ConfirmingFallback when healthy:
                SettleOnRunningSlot(outputs);
                Persist(_state with { Phase = AgentPhase.Idle, Degraded = false }, outputs);
                SendHeartbeat(outputs);
                break;
            case AgentPhase.ConfirmingFallback:
                EnterDegraded(nowMs, outputs);
                break;
        }
    }

    /// <summary>Makes the running trial slot permanent: environment first, then the persisted outcome and its report.
    /// A power cut between the two resumes here from <see cref="AgentPhase.Committing"/>.</summary>
    private void FinishCommit(long nowMs, List<AgentOutput> outputs)
    {
        SettleOnRunningSlot(outputs);
        var update = _state.Kind == AttemptKind.Update;
        var status = update ? UpdateStatus.Succeeded : UpdateStatus.RolledBack;
        var reason = update ? FailureReason.None : FailureReason.RollbackRequested;
        if (update)
        {
            outputs.Add(new DiscardDownload());
        }

        Log(outputs, JournalKind.Committed, status.ToWire(), update ? _state.Offer!.Manifest.ReleaseId : "rollback");
        PersistWithReport(_state with
        {
            Phase = AgentPhase.Idle,
            MinimumSecurityVersion = Math.Max(_state.MinimumSecurityVersion, _runningContent.SecurityVersion),
            LastOutcome = status,
            LastReason = reason,
            DownloadedBytes = 0,
            Degraded = false,
        }, status, reason, nowMs, outputs);
        SendHeartbeat(outputs);
    }

    /// <summary>Leaves a failed trial: switches the environment back to the previous slot and reboots.</summary>
    private void StartRollingBack(FailureReason reason, long nowMs, List<AgentOutput> outputs)
    {
        Log(outputs, JournalKind.FailureDetected, FailedStatus().ToWire(), reason.ToText());
        Persist(_state with { Phase = AgentPhase.RollingBack, LastReason = reason }, outputs);
        SwitchBackFromTarget(nowMs, outputs);
    }

    /// <summary>Back on the previous slot after a failed trial: reports it, then checks that slot's health before
    /// settling on it.</summary>
    private void ConcludeFallback(FailureReason reason, bool logFailure, long nowMs, List<AgentOutput> outputs)
    {
        var status = FailedStatus();
        if (logFailure)
        {
            var tried = _state.Kind == AttemptKind.Update ? _state.Offer?.Manifest.Version : Content(_state.TargetSlot).Version;
            Log(outputs, JournalKind.FailureDetected, status.ToWire(), reason.ToText(), tried);
        }

        PersistWithReport(_state with { Phase = AgentPhase.ConfirmingFallback, LastOutcome = status, LastReason = reason },
            status, reason, nowMs, outputs);
        StartHealthCheck(nowMs, outputs);
    }

    /// <summary>Neither slot passes its health check: settle on the running slot so the bootloader stops switching,
    /// and report. The device waits for a remote install or rollback.</summary>
    private void EnterDegraded(long nowMs, List<AgentOutput> outputs)
    {
        SettleOnRunningSlot(outputs);
        Log(outputs, JournalKind.Degraded, UpdateStatus.Degraded.ToWire(), "both slots fail their health checks");
        PersistWithReport(_state with
        {
            Phase = AgentPhase.Idle,
            Degraded = true,
            LastOutcome = UpdateStatus.Degraded,
            LastReason = FailureReason.HealthCheckFailed,
        }, UpdateStatus.Degraded, FailureReason.HealthCheckFailed, nowMs, outputs);
        SendHeartbeat(outputs);
    }

    /// <summary>Returns the status of a failed trial: an update rolls back, a commanded rollback fails.</summary>
    private UpdateStatus FailedStatus() => _state.Kind == AttemptKind.Update ? UpdateStatus.RolledBack : UpdateStatus.Failed;
}
