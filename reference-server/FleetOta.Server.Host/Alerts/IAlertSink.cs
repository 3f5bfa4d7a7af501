using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Alerts;

/// <summary>A destination of rollout alerts, such as a log, a file or a webhook.</summary>
public interface IAlertSink
{
    /// <summary>Short name for logs and the journal, such as "log".</summary>
    string Name { get; }

    /// <summary>Delivers one alert; an exception means the delivery failed and is retried.</summary>
    Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken);
}

/// <summary>Writes each alert to the host's log at Warning level. This is the default sink.</summary>
public sealed class LogAlertSink(ILogger logger) : IAlertSink
{
    public string Name => "log";

    public Task DeliverAsync(RolloutAlert alert, CancellationToken cancellationToken)
    {
        Log.AlertRaised(logger, alert.Id, alert.Message);
        return Task.CompletedTask;
    }
}
