using FleetOta.Journal;
using FleetOta.Server.Alerting;
using FleetOta.Server.Host.Control;
using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Alerts;

/// <summary>Runs the server core's alert dispatcher in the background on virtual time and journals every delivery
/// as <see cref="JournalKind.AlertDelivered"/> with status "delivered" and the latency from the breach as value.</summary>
/// <remarks>A failed sink is retried after 30 s of virtual time, doubled per attempt up to 5 min, as in the simulation
/// host. NOTE: the outbox is in memory, so an alert not yet delivered when the server stops is not retried after a
/// restart.</remarks>
internal sealed class HostAlerts : IAsyncDisposable
{
    private static readonly AlertRetryOptions Retry = new()
    {
        FirstRetryDelay = TimeSpan.FromSeconds(30),
        MaxRetryDelay = TimeSpan.FromMinutes(5),
    };

    private readonly AlertDispatcher _dispatcher;
    private readonly HostJournal _journal;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, RolloutAlert> _raised = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _loop;

    public HostAlerts(IReadOnlyList<IAlertSink> sinks, HostJournal journal, CompressedTimeProvider clock, ILogger logger)
    {
        _journal = journal;
        _dispatcher = new AlertDispatcher(sinks, new InMemoryAlertOutbox(), clock, () => clock.NowMs, Retry, logger);
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
