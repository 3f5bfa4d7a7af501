using FleetOta.Protocol;

namespace FleetOta.Agent;

public sealed partial class AgentCore
{
    /// <summary>Unacknowledged reports kept; past this the oldest is dropped. The server keeps only the report with
    /// the highest sequence number of each device, so a dropped older report changes nothing it records.</summary>
    public const int MaxPendingReports = 16;

    /// <summary>Persists <paramref name="next"/> together with a new status report in one write, then sends the
    /// report. Persisting first means a sequence number is never reused after a power cut, and a report that was
    /// sent is always in the persisted queue, so it is resent until acknowledged.</summary>
    private void PersistWithReport(AgentState next, UpdateStatus status, FailureReason reason, long nowMs, List<AgentOutput> outputs)
    {
        var report = new StatusReport(
            _device.Id, next.NextSequence, next.Offer?.Manifest.ReleaseId ?? "", status, reason, _runningContent.Version);
        var pending = next.PendingReports;
        var wasEmpty = pending.IsEmpty;
        if (pending.Count >= MaxPendingReports)
        {
            pending = pending.RemoveAt(0);
        }

        Persist(next with { NextSequence = next.NextSequence + 1, PendingReports = pending.Add(report) }, outputs);
        outputs.Add(new SendMessage(report));
        if (wasEmpty)
        {
            _reportRetryDelay = _options.ReportRetryInitialMs;
            outputs.Add(new SetTimer(AgentTimer.ReportRetry, nowMs + _reportRetryDelay));
        }
    }

    private void ResendPendingReports(long nowMs, List<AgentOutput> outputs) => Resend(_state.PendingReports, nowMs, outputs);

    private void Resend(IReadOnlyList<StatusReport> reports, long nowMs, List<AgentOutput> outputs)
    {
        if (reports.Count == 0)
        {
            return;
        }

        foreach (var report in reports)
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
