using FleetOta.Journal;
using FleetOta.Server.Host.Control;
using FleetOta.Server.Host.Timing;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host.Alerts;

/// <summary>Delivers alerts to every sink in the background, retrying a failed sink after 30 s of virtual time,
/// doubled per attempt up to 5 min, and journals each attempt as <see cref="JournalKind.AlertDelivered"/> with
/// status "retry" or "delivered" (value: milliseconds from the breach to the delivery).</summary>
internal sealed class AlertDispatcher(
    IReadOnlyList<IAlertSink> sinks,
    HostJournal journal,
    CompressedTimeProvider clock,
    ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromMinutes(5);

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly List<Task> _deliveries = [];

    public void Dispatch(RolloutAlert alert)
    {
        lock (_gate)
        {
            _deliveries.RemoveAll(task => task.IsCompleted);
            foreach (var sink in sinks)
            {
                _deliveries.Add(Task.Run(() => DeliverAsync(sink, alert, _stopping.Token)));
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        Task[] pending;
        lock (_gate)
        {
            pending = _deliveries.ToArray();
        }

        await Task.WhenAll(pending).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private async Task DeliverAsync(IAlertSink sink, RolloutAlert alert, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        for (var attempt = 1; !cancellationToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await sink.DeliverAsync(alert, cancellationToken).ConfigureAwait(false);
                var now = clock.NowMs;
                journal.Append(new JournalEntry(now, JournalKind.AlertDelivered, Release: alert.ReleaseId, Status: "delivered",
                    Detail: alert.Message, Value: now - alert.BreachAtMs, Actor: "server"));
                return;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Any failure of a sink is retried: sinks are plug-ins, so their exception types are unknown here.
                Log.AlertDeliveryFailed(logger, attempt, alert.Id, sink.Name, delay, error);
                journal.AppendNow(new JournalEntry(0, JournalKind.AlertDelivered, Release: alert.ReleaseId, Status: "retry",
                    Detail: $"alert sink {sink.Name} failed: {error.Message}", Value: attempt, Actor: "server"));
            }

            try
            {
                await Task.Delay(delay, clock, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 > MaxRetryDelay ? MaxRetryDelay : delay * 2;
        }
    }
}
