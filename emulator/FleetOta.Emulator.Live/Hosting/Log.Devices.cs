using System.Net;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live;

/// <summary>Log messages of the live device host.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information,
        Message = "Device host shard {Shard}/{Shards} starting devices {FirstDevice} to {LastDevice} of scenario {Scenario}, seed {Seed}, time factor {Factor}")]
    public static partial void ShardStarting(ILogger logger, int shard, int shards, int firstDevice, int lastDevice, string scenario, long seed, double factor);

    [LoggerMessage(EventId = 101, Level = LogLevel.Information,
        Message = "Device host shard {Shard}/{Shards} stopped at virtual time {VirtualMs} ms with {JournalEntries} journal entries")]
    public static partial void ShardStopped(ILogger logger, int shard, int shards, long virtualMs, long journalEntries);

    [LoggerMessage(EventId = 102, Level = LogLevel.Debug, Message = "Device {DeviceId}: connecting to the broker at {Broker} failed: {Reason}")]
    public static partial void MqttConnectFailed(ILogger logger, int deviceId, IPEndPoint broker, string reason);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Device {DeviceId}: a publish failed after it left: {Reason}")]
    public static partial void MqttPublishFailed(ILogger logger, int deviceId, string reason);

    [LoggerMessage(EventId = 104, Level = LogLevel.Warning, Message = "Device {DeviceId}: ignored an invalid message on {Topic}: {Reason}")]
    public static partial void InvalidServerMessage(ILogger logger, int deviceId, string topic, string reason);

    [LoggerMessage(EventId = 105, Level = LogLevel.Debug,
        Message = "Device {DeviceId}: the download of {ReleaseId} failed after {Bytes} bytes: {Reason}")]
    public static partial void DownloadFailed(ILogger logger, int deviceId, string releaseId, long bytes, string reason);

    [LoggerMessage(EventId = 106, Level = LogLevel.Error, Message = "Device {DeviceId}: an operation failed unexpectedly")]
    public static partial void DeviceTaskFailed(ILogger logger, int deviceId, Exception exception);

    [LoggerMessage(EventId = 107, Level = LogLevel.Information,
        Message = "Device host shard {Shard}/{Shards}: {Connected} of {Devices} devices connected, virtual time {VirtualMs} ms")]
    public static partial void ShardProgress(ILogger logger, int shard, int shards, int connected, int devices, long virtualMs);

    [LoggerMessage(EventId = 110, Message = "{Shard}: {Line}")]
    public static partial void ShardOutput(ILogger logger, LogLevel level, string shard, string line);

    [LoggerMessage(EventId = 111, Level = LogLevel.Information,
        Message = "Live run of scenario {Scenario} starting: seed {Seed}, {Devices} devices in {Shards} shards, time factor {Factor}, broker {Broker}")]
    public static partial void LiveRunStarting(ILogger logger, string scenario, long seed, int devices, int shards, double factor, string broker);

    [LoggerMessage(EventId = 112, Level = LogLevel.Information, Message = "Live run of scenario {Scenario} finished: {Entries} journal entries in {JournalPath}")]
    public static partial void LiveRunFinished(ILogger logger, string scenario, long entries, string journalPath);

    [LoggerMessage(EventId = 113, Level = LogLevel.Information,
        Message = "Restarting the server at virtual time {VirtualMs} ms; it stays down for {DownMs} virtual ms")]
    public static partial void ServerRestarting(ILogger logger, long virtualMs, long downMs);

    [LoggerMessage(EventId = 108, Level = LogLevel.Information,
        Message = "Device host shard {Shard}/{Shards}: all {Devices} devices connected, {Seconds:0.0} s after the shard started (measured every 10 s)")]
    public static partial void ShardAllConnected(ILogger logger, int shard, int shards, int devices, double seconds);
}
