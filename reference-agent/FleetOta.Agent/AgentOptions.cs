namespace FleetOta.Agent;

/// <summary>Agent timing. All durations are in milliseconds of (virtual) time.</summary>
public sealed record AgentOptions
{
    /// <summary>Interval between heartbeats, which also serve as polls for offers. Default 1 h.</summary>
    public long HeartbeatIntervalMs { get; init; } = 3_600_000;

    /// <summary>First delay before an unacknowledged status report is sent again; doubles up to
    /// <see cref="ReportRetryMaxMs"/>. Default 30 s.</summary>
    public long ReportRetryInitialMs { get; init; } = 30_000;

    /// <summary>Upper bound of the report retry delay. Default 10 min.</summary>
    public long ReportRetryMaxMs { get; init; } = 600_000;

    /// <summary>Time the application health check may take after a trial boot before it counts as failed. Default 60 s.</summary>
    public long HealthCheckTimeoutMs { get; init; } = 60_000;

    /// <summary>Delay before an interrupted download resumes. Default 30 s.</summary>
    public long DownloadRetryMs { get; init; } = 30_000;

    /// <summary>Interrupted transfers resumed per attempt before the download counts as failed. Default 20.</summary>
    public int MaxDownloadResumes { get; init; } = 20;

    public void Validate()
    {
        Require(HeartbeatIntervalMs > 0, nameof(HeartbeatIntervalMs), HeartbeatIntervalMs);
        Require(ReportRetryInitialMs > 0, nameof(ReportRetryInitialMs), ReportRetryInitialMs);
        Require(ReportRetryMaxMs >= ReportRetryInitialMs, nameof(ReportRetryMaxMs), ReportRetryMaxMs);
        Require(HealthCheckTimeoutMs > 0, nameof(HealthCheckTimeoutMs), HealthCheckTimeoutMs);
        Require(DownloadRetryMs > 0, nameof(DownloadRetryMs), DownloadRetryMs);
        Require(MaxDownloadResumes >= 0, nameof(MaxDownloadResumes), MaxDownloadResumes);
    }

    private static void Require(bool condition, string name, long value)
    {
        if (!condition)
        {
            throw new ArgumentOutOfRangeException(name, value, $"Agent option {name} is {value}; it must be positive (and the retry maximum at least the initial delay).");
        }
    }
}

/// <summary>The device facts the agent checks a manifest against.</summary>
public sealed record DeviceIdentity(int Id, string HardwareModel, string HardwareRevision);
