namespace FleetOta.Emulator.Live.Proxy;

/// <summary>Byte counts of one direction of all connections of a proxy.</summary>
/// <param name="BytesReceived">Bytes the proxy read from the sending peer.</param>
/// <param name="BytesForwarded">Bytes the proxy wrote to the receiving peer.</param>
/// <param name="BytesDropped">Bytes read but never forwarded: swallowed by a blackhole or cut off by a reset.</param>
/// <param name="BytesCorrupted">Forwarded bytes that had a bit flipped.</param>
public readonly record struct DirectionCounters(long BytesReceived, long BytesForwarded, long BytesDropped, long BytesCorrupted);

/// <summary>Snapshot of the counters of a proxy since it was created.</summary>
/// <param name="ConnectionsAccepted">Client connections accepted.</param>
/// <param name="ConnectionsOpen">Connections open when the snapshot was taken.</param>
/// <param name="UpstreamConnectFailures">Accepted connections that were reset because the upstream server could
/// not be reached in time.</param>
/// <param name="Upstream">Bytes from clients to the server.</param>
/// <param name="Downstream">Bytes from the server to clients.</param>
/// <param name="ToxicApplications">Per kind, the number of times a toxic applied to a connection, that is,
/// passed its probability draw. Every kind is present, in the order of <see cref="ToxicKind"/>.</param>
public sealed record ProxyCounters(
    long ConnectionsAccepted,
    long ConnectionsOpen,
    long UpstreamConnectFailures,
    DirectionCounters Upstream,
    DirectionCounters Downstream,
    IReadOnlyDictionary<ToxicKind, long> ToxicApplications);

/// <summary>Thread-safe counters behind <see cref="ProxyCounters"/>.</summary>
internal sealed class ProxyCounterSet
{
    private readonly long[] _toxicApplications = new long[Enum.GetValues<ToxicKind>().Length];
    private long _connectionsAccepted;
    private long _connectionsOpen;
    private long _upstreamConnectFailures;

    public DirectionCounterSet Upstream { get; } = new();

    public DirectionCounterSet Downstream { get; } = new();

    public DirectionCounterSet For(ToxicDirection direction) =>
        direction == ToxicDirection.Upstream ? Upstream : Downstream;

    public void ConnectionAccepted()
    {
        Interlocked.Increment(ref _connectionsAccepted);
        Interlocked.Increment(ref _connectionsOpen);
    }

    public void ConnectionClosed() => Interlocked.Decrement(ref _connectionsOpen);

    public void UpstreamConnectFailed() => Interlocked.Increment(ref _upstreamConnectFailures);

    public void ToxicApplied(ToxicKind kind) => Interlocked.Increment(ref _toxicApplications[(int)kind]);

    public ProxyCounters Snapshot()
    {
        var applications = new SortedDictionary<ToxicKind, long>();
        foreach (var kind in Enum.GetValues<ToxicKind>())
        {
            applications[kind] = Interlocked.Read(ref _toxicApplications[(int)kind]);
        }

        return new ProxyCounters(
            Interlocked.Read(ref _connectionsAccepted),
            Interlocked.Read(ref _connectionsOpen),
            Interlocked.Read(ref _upstreamConnectFailures),
            Upstream.Snapshot(),
            Downstream.Snapshot(),
            applications);
    }
}

internal sealed class DirectionCounterSet
{
    private long _received;
    private long _forwarded;
    private long _dropped;
    private long _corrupted;

    public void Received(long count) => Interlocked.Add(ref _received, count);

    public void Forwarded(long count) => Interlocked.Add(ref _forwarded, count);

    public void Dropped(long count) => Interlocked.Add(ref _dropped, count);

    public void Corrupted(long count) => Interlocked.Add(ref _corrupted, count);

    public DirectionCounters Snapshot() => new(
        Interlocked.Read(ref _received),
        Interlocked.Read(ref _forwarded),
        Interlocked.Read(ref _dropped),
        Interlocked.Read(ref _corrupted));
}
