using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host;

/// <summary>Log messages of the live server host, generated at compile time.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "FleetOta server started: HTTP {HttpUrl}, MQTT broker {BrokerUrl}, time factor {TimeFactor}, journal {JournalPath}")]
    public static partial void ServerStarted(ILogger logger, string httpUrl, string brokerUrl, double timeFactor, string journalPath);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information,
        Message = "FleetOta server stopped after {Uptime}: {Received} device messages received, {Sent} server messages sent")]
    public static partial void ServerStopped(ILogger logger, TimeSpan uptime, long received, long sent);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Embedded MQTT broker listening on 127.0.0.1:{Port}")]
    public static partial void EmbeddedBrokerStarted(ILogger logger, int port);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Embedded MQTT broker on port {Port} stopped")]
    public static partial void EmbeddedBrokerStopped(ILogger logger, int port);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Connected to MQTT broker {BrokerUrl} as client {ClientId}")]
    public static partial void BrokerConnected(ILogger logger, Uri brokerUrl, string clientId);

    [LoggerMessage(EventId = 6, Level = LogLevel.Warning, Message = "Disconnected from MQTT broker {BrokerUrl} ({Reason}); reconnecting")]
    public static partial void BrokerDisconnected(ILogger logger, Uri brokerUrl, string reason, Exception? exception);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning,
        Message = "Connection attempt {Attempt} to MQTT broker {BrokerUrl} failed ({Error}); retrying in {RetryDelay}")]
    public static partial void BrokerConnectFailed(ILogger logger, int attempt, Uri brokerUrl, string error, TimeSpan retryDelay);

    [LoggerMessage(EventId = 8, Level = LogLevel.Information, Message = "Reconnected to MQTT broker {BrokerUrl} after {Attempts} attempts")]
    public static partial void BrokerReconnected(ILogger logger, Uri brokerUrl, int attempts);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning,
        Message = "Rejected a message from device {DeviceId} on topic {Topic} ({InvalidCount} invalid so far): {Error}")]
    public static partial void InvalidDeviceMessage(ILogger logger, int deviceId, string topic, long invalidCount, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning,
        Message = "Failed to publish the {MessageType} message to device {DeviceId}; the controller repeats what it needs")]
    public static partial void PublishFailed(ILogger logger, string messageType, int deviceId, Exception exception);

    [LoggerMessage(EventId = 11, Level = LogLevel.Debug,
        Message = "Dropped the {MessageType} message to device {DeviceId} because the broker is not connected")]
    public static partial void MessageDropped(ILogger logger, string messageType, int deviceId);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information,
        Message = "Deployment {DeploymentId} of release {ReleaseId} started on {TargetCount} devices")]
    public static partial void DeploymentStarted(ILogger logger, string deploymentId, string releaseId, int targetCount);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information,
        Message = "Operator action {Action} on deployment {DeploymentId} (device {Device}) sent {CommandCount} commands")]
    public static partial void OperatorActionApplied(ILogger logger, string action, string deploymentId, string device, int commandCount);


    [LoggerMessage(EventId = 16, Level = LogLevel.Error, Message = "The rollout controller failed on a message from device {DeviceId}")]
    public static partial void ControllerFailed(ILogger logger, int deviceId, Exception exception);

    [LoggerMessage(EventId = 17, Level = LogLevel.Error, Message = "The rollout controller failed on its timer tick at {NowMs} ms")]
    public static partial void TickFailed(ILogger logger, long nowMs, Exception exception);

    [LoggerMessage(EventId = 18, Level = LogLevel.Information,
        Message = "Release {ReleaseId} version {Version} registered: {ImageSize} bytes, SHA-256 {ImageDigest}")]
    public static partial void ReleaseRegistered(ILogger logger, string releaseId, string version, long imageSize, string imageDigest);

    [LoggerMessage(EventId = 19, Level = LogLevel.Debug, Message = "Ignored a message on topic {Topic}, which is not a device up topic")]
    public static partial void UnknownTopic(ILogger logger, string topic);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "Writing the journal {JournalPath} failed")]
    public static partial void JournalFlushFailed(ILogger logger, string journalPath, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Information, Message = "Signing key {KeyId} loaded from {KeyPath}")]
    public static partial void SigningKeyLoaded(ILogger logger, string keyId, string keyPath);

    [LoggerMessage(EventId = 22, Level = LogLevel.Information, Message = "Signing key {KeyId} created at {KeyPath}")]
    public static partial void SigningKeyCreated(ILogger logger, string keyId, string keyPath);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "MQTT client {ClientId} connected to the embedded broker")]
    public static partial void BrokerClientConnected(ILogger logger, string clientId);

    [LoggerMessage(EventId = 24, Level = LogLevel.Error, Message = "The rollout controller failed on operator action {Action} of deployment {DeploymentId}")]
    public static partial void OperatorActionFailed(ILogger logger, string action, string deploymentId, Exception exception);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information,
        Message = "Deployment {DeploymentId} of release {ReleaseId} restored at {NowMs} ms; {PendingOutputs} pending outputs carried out")]
    public static partial void DeploymentRestored(ILogger logger, string deploymentId, string releaseId, int pendingOutputs, long nowMs);

    [LoggerMessage(EventId = 27, Level = LogLevel.Warning,
        Message = "Rejected {Method} {Path} with 413 because its body (Content-Length {ContentLength}) is larger than the limit: {Error}")]
    public static partial void RequestBodyTooLarge(ILogger logger, string method, string path, long? contentLength, string error);

    [LoggerMessage(EventId = 28, Level = LogLevel.Warning,
        Message = "The embedded MQTT broker cannot reuse port {Port} of the last start ({Error}), so it listens on a new port; point the devices at the new broker URL")]
    public static partial void BrokerPortChanged(ILogger logger, int port, string error);

    [LoggerMessage(EventId = 26, Level = LogLevel.Information,
        Message = "{Count} alert deliveries pending from before the restart are retried: {Deliveries}")]
    public static partial void AlertsResumed(ILogger logger, int count, string deliveries);
}
