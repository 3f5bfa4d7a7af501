using System.Net;
using FleetOta.Emulator.Live.Proxy;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live;

/// <summary>Log messages of this assembly, generated at compile time.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "Fault proxy {ProxyName} listening on {EndPoint}, forwarding to {UpstreamHost}:{UpstreamPort}, seed {Seed}")]
    public static partial void ProxyStarted(ILogger logger, string proxyName, IPEndPoint endPoint, string upstreamHost, int upstreamPort, int seed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "Fault proxy {ProxyName} stopped after {ConnectionsAccepted} connections, {UpstreamBytes} bytes forwarded upstream and {DownstreamBytes} downstream")]
    public static partial void ProxyStopped(ILogger logger, string proxyName, long connectionsAccepted, long upstreamBytes, long downstreamBytes);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information,
        Message = "Fault proxy {ProxyName} disabled, so its listener is closed and {ConnectionCount} open connections were reset")]
    public static partial void ProxyDisabled(ILogger logger, string proxyName, int connectionCount);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information,
        Message = "Fault proxy {ProxyName} enabled and listening on {EndPoint} again")]
    public static partial void ProxyEnabled(ILogger logger, string proxyName, IPEndPoint endPoint);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Fault proxy {ProxyName} added toxic {Toxic}")]
    public static partial void ToxicAdded(ILogger logger, string proxyName, Toxic toxic);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "Fault proxy {ProxyName} removed toxic {ToxicName}")]
    public static partial void ToxicRemoved(ILogger logger, string proxyName, string toxicName);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Fault proxy {ProxyName} removed all {ToxicCount} toxics")]
    public static partial void AllToxicsRemoved(ILogger logger, string proxyName, int toxicCount);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Fault proxy {ProxyName} failed to accept a connection; retrying in {RetryDelay}")]
    public static partial void AcceptFailed(ILogger logger, string proxyName, TimeSpan retryDelay, Exception exception);

    [LoggerMessage(EventId = 10, Level = LogLevel.Debug, Message = "Connection {ConnectionId} accepted from {RemoteEndPoint}")]
    public static partial void ConnectionAccepted(ILogger logger, string connectionId, EndPoint? remoteEndPoint);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed")]
    public static partial void ConnectionClosed(ILogger logger, string connectionId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: connecting to upstream {UpstreamHost}:{UpstreamPort} failed, so the client connection was reset")]
    public static partial void UpstreamConnectFailed(ILogger logger, string connectionId, string upstreamHost, int upstreamPort, Exception exception);

    [LoggerMessage(EventId = 13, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: connecting to upstream {UpstreamHost}:{UpstreamPort} timed out after {Timeout}, so the client connection was reset")]
    public static partial void UpstreamConnectTimedOut(ILogger logger, string connectionId, string upstreamHost, int upstreamPort, TimeSpan timeout);

    // Failed reads and writes are expected under fault injection, when a peer resets or a device loses power,
    // so they are logged at Debug. Other exception types point to a bug and are logged as warnings.
    [LoggerMessage(EventId = 14, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId}: forwarding {Direction} failed, so the connection was reset")]
    public static partial void ForwardingFailed(ILogger logger, string connectionId, ToxicDirection direction, Exception exception);

    [LoggerMessage(EventId = 15, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId}: forwarding {Direction} failed with an unexpected error, so the connection was reset")]
    public static partial void ForwardingFailedUnexpectedly(ILogger logger, string connectionId, ToxicDirection direction, Exception exception);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning,
        Message = "Connection {ConnectionId} failed with an unexpected error, so it was reset")]
    public static partial void ConnectionFailed(ILogger logger, string connectionId, Exception exception);

    [LoggerMessage(EventId = 20, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: toxic {ToxicName} ({ToxicKind}) applies")]
    public static partial void ToxicApplied(ILogger logger, string connectionId, string toxicName, ToxicKind toxicKind);

    [LoggerMessage(EventId = 21, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} reset by toxic {ToxicName} after {ByteCount} bytes")]
    public static partial void ConnectionResetByToxic(ILogger logger, string connectionId, string toxicName, long byteCount);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug,
        Message = "Connection {ConnectionId} closed by toxic {ToxicName} after its time-out of {Timeout}")]
    public static partial void BlackholeTimedOut(ILogger logger, string connectionId, string toxicName, TimeSpan timeout);
}
