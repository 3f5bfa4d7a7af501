namespace FleetOta.Server.Alerting;

/// <summary>One alert delivered to one sink.</summary>
/// <param name="DeliveredAtMs">Controller time of the delivery.</param>
/// <param name="LatencyMs">Time from the breach the alert reports to its delivery.</param>
public sealed record AlertDelivery(string AlertId, string Sink, int Attempts, long DeliveredAtMs, long LatencyMs);

/// <summary>Where the dispatcher records which alert still has to reach which sink. A durable implementation makes
/// delivery survive a restart; a delivery recorded here is never sent to that sink again.</summary>
public interface IAlertOutbox
{
    /// <summary>Adds an alert for the named sinks; sinks that already have it, pending or delivered, are left as they are.</summary>
    void Add(RolloutAlert alert, IReadOnlyList<string> sinks);

    /// <summary>Returns the alerts not yet delivered, with their sink, in the order they were added.</summary>
    IReadOnlyList<(RolloutAlert Alert, string Sink)> Pending();

    void MarkDelivered(AlertDelivery delivery);

    /// <summary>Returns the deliveries recorded so far, in order.</summary>
    IReadOnlyList<AlertDelivery> Delivered();
}

/// <summary>Keeps the alert outbox in memory: delivery is exactly once per sink for the life of the process.</summary>
/// <remarks>An alert still pending when the process stops is lost. The live server keeps its outbox in SQLite
/// (SqliteAlertOutbox in FleetOta.Server.Persistence) when it has a data folder.</remarks>
public sealed class InMemoryAlertOutbox : IAlertOutbox
{
    private readonly Lock _lock = new();
    private readonly List<(RolloutAlert Alert, string Sink)> _pending = [];
    private readonly List<AlertDelivery> _delivered = [];

    public void Add(RolloutAlert alert, IReadOnlyList<string> sinks)
    {
        lock (_lock)
        {
            foreach (var sink in sinks)
            {
                var known = _pending.Exists(entry => entry.Alert.Id == alert.Id && entry.Sink == sink)
                            || _delivered.Exists(entry => entry.AlertId == alert.Id && entry.Sink == sink);
                if (!known)
                {
                    _pending.Add((alert, sink));
                }
            }
        }
    }

    public IReadOnlyList<(RolloutAlert Alert, string Sink)> Pending()
    {
        lock (_lock)
        {
            return _pending.ToArray();
        }
    }

    public void MarkDelivered(AlertDelivery delivery)
    {
        lock (_lock)
        {
            _pending.RemoveAll(entry => entry.Alert.Id == delivery.AlertId && entry.Sink == delivery.Sink);
            _delivered.Add(delivery);
        }
    }

    public IReadOnlyList<AlertDelivery> Delivered()
    {
        lock (_lock)
        {
            return _delivered.ToArray();
        }
    }
}
