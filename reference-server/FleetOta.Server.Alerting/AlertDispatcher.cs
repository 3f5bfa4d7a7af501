using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FleetOta.Server.Alerting;

/// <summary>Retry timing of alert delivery: exponential backoff from <see cref="FirstRetryDelay"/>, multiplied by
/// <see cref="Multiplier"/> per failed attempt, at most <see cref="MaxRetryDelay"/>. Delivery never gives up, so an
/// alert is not lost while a sink is down.</summary>
public sealed record AlertRetryOptions
{
    /// <summary>Delay after the first failed attempt. Default 1 s.</summary>
    public TimeSpan FirstRetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Factor applied to the delay after each further failed attempt. Default 2.</summary>
    public double Multiplier { get; init; } = 2;

    /// <summary>Upper bound of the delay between two attempts. Default 30 s.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Returns the delay after failed attempt number <paramref name="attempt"/> (from 1).</summary>
    public TimeSpan DelayAfter(int attempt)
    {
        var factor = Math.Pow(Multiplier, Math.Min(attempt - 1, 64));
        var ms = Math.Min(FirstRetryDelay.TotalMilliseconds * factor, MaxRetryDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ms);
    }
}

/// <summary>Delivers rollout alerts to every sink, exactly once per sink and alert id, retrying a failed sink with
/// exponential backoff. Time comes from a <see cref="TimeProvider"/>, so tests drive it with a fake clock.</summary>
/// <remarks>Call <see cref="Enqueue"/> for every <see cref="RaiseAlert"/> output of the controller, and either run
/// <see cref="RunAsync"/> in the background or call <see cref="DeliverDueAsync"/> yourself.</remarks>
public sealed class AlertDispatcher
{
    private readonly IReadOnlyList<IAlertSink> _sinks;
    private readonly IAlertOutbox _outbox;
    private readonly TimeProvider _time;
    private readonly Func<long> _controllerNowMs;
    private readonly AlertRetryOptions _retry;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly Dictionary<(string AlertId, string Sink), (int Attempts, DateTimeOffset DueAt)> _attempts = [];
    private readonly SemaphoreSlim _wakeUp = new(0);

    /// <param name="controllerNowMs">Returns the controller time now, the clock of <see cref="RolloutAlert.BreachAtMs"/>,
    /// so that the latency of a delivery is measured from the breach.</param>
    public AlertDispatcher(
        IEnumerable<IAlertSink> sinks,
        IAlertOutbox outbox,
        TimeProvider time,
        Func<long> controllerNowMs,
        AlertRetryOptions? retry = null,
        ILogger? logger = null)
    {
        _sinks = sinks.ToArray();
        var duplicate = _sinks.GroupBy(sink => sink.Name, StringComparer.Ordinal).FirstOrDefault(group => group.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two alert sinks are named '{duplicate.Key}'; give each sink a distinct name.", nameof(sinks));
        }

        _outbox = outbox;
        _time = time;
        _controllerNowMs = controllerNowMs;
        _retry = retry ?? new AlertRetryOptions();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Raised after each delivery, for the host's journal.</summary>
    public event Action<AlertDelivery>? Delivered;

    /// <summary>Queues an alert for every sink that does not have it yet.</summary>
    public void Enqueue(RolloutAlert alert)
    {
        _outbox.Add(alert, _sinks.Select(sink => sink.Name).ToArray());
        _wakeUp.Release();
    }

    /// <summary>Attempts every pending delivery that is due, and returns the time until the next one is due, or null when
    /// nothing is pending.</summary>
    public async Task<TimeSpan?> DeliverDueAsync(CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        foreach (var (alert, sinkName) in _outbox.Pending())
        {
            var sink = _sinks.FirstOrDefault(candidate => candidate.Name == sinkName);
            if (sink is null || DueAt(alert.Id, sinkName) > now)
            {
                continue;
            }

            await AttemptAsync(alert, sink, cancellationToken).ConfigureAwait(false);
        }

        return NextDue();
    }

    /// <summary>Delivers alerts until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var next = await DeliverDueAsync(cancellationToken).ConfigureAwait(false);
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var wokenUp = _wakeUp.WaitAsync(wait.Token);
            var retryDue = next is { } delay ? Task.Delay(delay, _time, wait.Token) : Task.Delay(Timeout.InfiniteTimeSpan, wait.Token);
            await Task.WhenAny(wokenUp, retryDue).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(wokenUp, retryDue).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // The task that did not finish first was cancelled above.
            }
        }
    }

    private async Task AttemptAsync(RolloutAlert alert, IAlertSink sink, CancellationToken cancellationToken)
    {
        var key = (alert.Id, sink.Name);
        int attempt;
        lock (_lock)
        {
            attempt = (_attempts.TryGetValue(key, out var previous) ? previous.Attempts : 0) + 1;
        }

        try
        {
            await sink.DeliverAsync(alert, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var delay = _retry.DelayAfter(attempt);
            lock (_lock)
            {
                _attempts[key] = (attempt, _time.GetUtcNow() + delay);
            }

            if (attempt == 1)
            {
                Log.AlertDeliveryFailed(_logger, error, alert.Id, sink.Name, attempt, delay);
            }
            else
            {
                Log.AlertDeliveryFailedAgain(_logger, alert.Id, sink.Name, attempt, error.Message, delay);
            }

            return;
        }

        var deliveredAtMs = _controllerNowMs();
        var delivery = new AlertDelivery(alert.Id, sink.Name, attempt, deliveredAtMs, deliveredAtMs - alert.BreachAtMs);
        _outbox.MarkDelivered(delivery);
        lock (_lock)
        {
            _attempts.Remove(key);
        }

        Log.AlertDelivered(_logger, alert.Id, sink.Name, attempt, delivery.LatencyMs);
        Delivered?.Invoke(delivery);
    }

    private DateTimeOffset DueAt(string alertId, string sink)
    {
        lock (_lock)
        {
            return _attempts.TryGetValue((alertId, sink), out var state) ? state.DueAt : DateTimeOffset.MinValue;
        }
    }

    private TimeSpan? NextDue()
    {
        var pending = _outbox.Pending();
        if (pending.Count == 0)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var next = pending.Min(entry => DueAt(entry.Alert.Id, entry.Sink));
        return next <= now ? TimeSpan.Zero : next - now;
    }
}
