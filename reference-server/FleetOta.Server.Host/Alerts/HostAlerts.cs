using FleetOta.Journal;
using FleetOta.Server.Alerting;
using FleetOta.Server.Host.Control;
using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Alerts;

/// <summary>Runs the server core's alert dispatcher in the background on virtual time and journals every delivery
/// as <see cref="JournalKind.AlertDelivered"/> with status "delivered" and the latency from the breach as value.</summary>
/// <remarks>A failed sink is retried after 30 s of virtual time, doubled per attempt up to 5 min, as in the simulation
/// host. With a durable outbox, an alert not yet delivered when the server stops is delivered after a restart.</remarks>
internal sealed class HostAlerts : IAsyncDisposable
{
    private static readonly AlertRetryOptions Retry = new()
    {
        FirstRetryDelay = TimeSpan.FromSeconds(30),
        MaxRetryDelay = TimeSpan.FromMinutes(5),
    };

    private readonly AlertDispatcher _dispatcher;
    private readonly IAlertOutbox _outbox;
    private readonly HostJournal _journal;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RolloutAlert> _raised = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    /// <param name="outbox">Where pending and delivered alerts are kept; the host disposes it when it is disposable.</param>
    public HostAlerts(IReadOnlyList<IAlertSink> sinks, IAlertOutbox outbox, HostJournal journal, CompressedTimeProvider clock, ILogger logger)
    {
        _journal = journal;
        _outbox = outbox;
        var pending = outbox.Pending();
        foreach (var (alert, _) in pending)
        {
            _raised[alert.Id] = alert;
        }

        if (pending.Count > 0)
        {
            Log.AlertsResumed(logger, pending.Count, string.Join(", ", pending.Select(entry => $"{entry.Alert.Id} to {entry.Sink}")));
        }

        _dispatcher = new AlertDispatcher(sinks, outbox, clock, () => clock.NowMs, Retry, logger);
        _dispatcher.Delivered += OnDelivered;
        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    public void Dispatch(RolloutAlert alert)
    {
        lock (_gate)
        {
            _raised[alert.Id] = alert;
        }

        _dispatcher.Enqueue(alert);
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _loop.ConfigureAwait(false);
        _stopping.Dispose();
        (_outbox as IDisposable)?.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _dispatcher.RunAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private void OnDelivered(AlertDelivery delivery)
    {
        RolloutAlert? alert;
        lock (_gate)
        {
            _raised.TryGetValue(delivery.AlertId, out alert);
        }

        _journal.Append(new JournalEntry(delivery.DeliveredAtMs, JournalKind.AlertDelivered, Release: alert?.ReleaseId, Status: "delivered",
            Detail: $"{delivery.Sink}: {alert?.Message}", Value: delivery.LatencyMs, Actor: "server"));
    }
}
