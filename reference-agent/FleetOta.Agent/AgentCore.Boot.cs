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

        // Concluding the persisted step first puts a detected failure ahead of the first heartbeat in the journal.
        ResumeAfterBoot(booted, nowMs, outputs);
        SendHeartbeat(outputs);
        outputs.Add(new SetTimer(AgentTimer.Heartbeat, nowMs + FirstPollDelayMs()));
        ResendPendingReports(nowMs, outputs);
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

    /// <summary>Continues the persisted update step, or concludes it from the slot that actually booted.</summary>
    private void ResumeAfterBoot(Booted booted, long nowMs, List<AgentOutput> outputs)
    {
        var state = _state;
        switch (state.Phase)
        {
            case AgentPhase.Downloading:
                RequestDownload(outputs);
                break;
            case AgentPhase.Verifying:
                outputs.Add(new ComputeDigest(DigestTarget.DownloadFile));
                break;
            case AgentPhase.Installing:
                outputs.Add(new WriteSlot(state.TargetSlot, state.Offer!.Manifest));
                break;
            case AgentPhase.AwaitingReboot:
            case AgentPhase.Trial:
                ResumeTrial(booted, nowMs, outputs);
                break;
            case AgentPhase.RollingBack:
                if (_running == state.TargetSlot)
                {
                    // The environment write that switches back was lost: write it again.
                    outputs.Add(new WriteBootEnvironment(_environment.SwitchTo(_running.Other())));
                    outputs.Add(new Reboot());
                }
                else
                {
                    StartConfirmingFallback(nowMs, outputs);
                }

                break;
            case AgentPhase.ConfirmingFallback:
                StartConfirmingFallback(nowMs, outputs);
                break;
            case AgentPhase.Idle:
            case AgentPhase.Degraded:
                break;
        }
    }

    private void ResumeTrial(Booted booted, long nowMs, List<AgentOutput> outputs)
    {
        var state = _state;
        if (_running == state.TargetSlot && booted.Environment.Trial)
        {
            Persist(state with { Phase = AgentPhase.Trial }, outputs);
            StartHealthCheck(nowMs, outputs);
            return;
        }

        if (_running == state.TargetSlot)
        {
            // The trial environment was cleared, but the commit was never recorded: the commit write landed
            // before the power cut, so finish the commit.
            Commit(nowMs, outputs);
            return;
        }

        if (state.Phase == AgentPhase.AwaitingReboot && !booted.BootloaderFellBack && !booted.Environment.Trial)
        {
            // Power was lost before the trial environment was written: verify the slot and write it again.
            Persist(state with { Phase = AgentPhase.Installing }, outputs);
            outputs.Add(new ComputeDigest(DigestTargets.Of(state.TargetSlot)));
            return;
        }

        // The bootloader fell back: the new image did not come up within the boot limit.
        Log(outputs, JournalKind.FailureDetected, UpdateStatus.RolledBack.ToWire(), FailureReason.BootFailed.ToText(), state.Offer?.Manifest.Version);
        StartConfirmingFallback(nowMs, outputs, FailureReason.BootFailed);
    }

    /// <summary>Checks the previous slot's health after a fallback, before reporting rolled-back.</summary>
    private void StartConfirmingFallback(long nowMs, List<AgentOutput> outputs, FailureReason reason = FailureReason.HealthCheckFailed)
    {
        if (_state.Phase != AgentPhase.ConfirmingFallback)
        {
            Persist(_state with { Phase = AgentPhase.ConfirmingFallback, LastOutcome = UpdateStatus.RolledBack }, outputs);
            QueueReport(UpdateStatus.RolledBack, reason, nowMs, outputs);
        }

        StartHealthCheck(nowMs, outputs);
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
                Commit(nowMs, outputs);
                break;
            case AgentPhase.Trial:
                Log(outputs, JournalKind.FailureDetected, UpdateStatus.RolledBack.ToWire(), FailureReason.HealthCheckFailed.ToText());
                Persist(_state with { Phase = AgentPhase.RollingBack }, outputs);
                outputs.Add(new WriteBootEnvironment(_environment.SwitchTo(_running.Other())));
                outputs.Add(new Reboot());
                break;
            case AgentPhase.ConfirmingFallback when healthy:
                Persist(_state with { Phase = AgentPhase.Idle }, outputs);
                SendHeartbeat(outputs);
                break;
            case AgentPhase.ConfirmingFallback:
                Persist(_state with { Phase = AgentPhase.Degraded, LastOutcome = UpdateStatus.Degraded }, outputs);
                Log(outputs, JournalKind.Degraded, UpdateStatus.Degraded.ToWire(), "both slots fail their health checks");
                QueueReport(UpdateStatus.Degraded, FailureReason.HealthCheckFailed, nowMs, outputs);
                SendHeartbeat(outputs);
                break;
        }
    }

    private void Commit(long nowMs, List<AgentOutput> outputs)
    {
        var manifest = _state.Offer!.Manifest;
        _environment = _environment.Commit();
        outputs.Add(new WriteBootEnvironment(_environment));
        Persist(_state with
        {
            Phase = AgentPhase.Idle,
            MinimumSecurityVersion = Math.Max(_state.MinimumSecurityVersion, manifest.SecurityVersion),
            LastOutcome = UpdateStatus.Succeeded,
            DownloadedBytes = 0,
        }, outputs);
        outputs.Add(new DiscardDownload());
        Log(outputs, JournalKind.Committed, UpdateStatus.Succeeded.ToWire(), manifest.ReleaseId, manifest.Version);
        QueueReport(UpdateStatus.Succeeded, FailureReason.None, nowMs, outputs);
        SendHeartbeat(outputs);
    }
}
