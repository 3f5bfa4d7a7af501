using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Alerting;

/// <summary>Log messages of the alerting components.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Warning, Message = "Rollout alert {AlertId} for release {ReleaseId}: {Message}")]
    public static partial void RolloutAlert(ILogger logger, string alertId, string releaseId, string message);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Delivered alert {AlertId} to sink {Sink} after {Attempts} attempts, {LatencyMs} ms after the breach")]
    public static partial void AlertDelivered(ILogger logger, string alertId, string sink, int attempts, long latencyMs);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning,
        Message = "Delivery of alert {AlertId} to sink {Sink} failed (attempt {Attempt}); retrying in {RetryDelay}")]
    public static partial void AlertDeliveryFailed(ILogger logger, Exception error, string alertId, string sink, int attempt, TimeSpan retryDelay);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug,
        Message = "Delivery of alert {AlertId} to sink {Sink} failed again (attempt {Attempt}): {Error}; retrying in {RetryDelay}")]
    public static partial void AlertDeliveryFailedAgain(ILogger logger, string alertId, string sink, int attempt, string error, TimeSpan retryDelay);
}
