using FleetOta.Emulator.Live.Devices;
using FleetOta.Emulator.Live.Hosting;
using FleetOta.Emulator.Simulation;

namespace FleetOta.Emulator.Live.Running;

/// <summary>Settings of one live run.</summary>
public sealed record LiveRunOptions
{
    public required SimulationSpec Spec { get; init; }

    /// <summary>Folder of the run: the merged journal, the shard journals, the server's data and the device folders.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Virtual seconds per real second. Default 60: one virtual hour per real minute.</summary>
    public double TimeFactor { get; init; } = 60;

    /// <summary>Shards the fleet is split into, each one device host. Default 1.</summary>
    public int Shards { get; init; } = 1;

    /// <summary><c>embedded</c> for the server's embedded MQTTnet broker, or the URL of an external broker such as
    /// <c>mqtt://127.0.0.1:1883</c>. Default embedded.</summary>
    public string Broker { get; init; } = "embedded";

    /// <summary>Starts the shards: in this process by default, or as processes (see <see cref="ProcessShardLauncher"/>).</summary>
    public IShardLauncher Launcher { get; init; } = new InProcessShardLauncher();

    /// <summary>Real time allowed after the first power-on time for shards to get ready; the run epoch is placed
    /// this far ahead of the server's start. Default 2 s.</summary>
    public TimeSpan StartupAllowance { get; init; } = TimeSpan.FromSeconds(2);

    public MqttLinkOptions Mqtt { get; init; } = new();

    /// <summary>See <see cref="DeviceHostOptions.ProxyEveryDevice"/>. Default true.</summary>
    public bool ProxyEveryDevice { get; init; } = true;

    /// <summary>Broker connection attempts in flight across all shards, split evenly between them. Default 64, because
    /// mosquitto's listen queue drops connects that arrive in larger bursts.</summary>
    public int MaxConnectsInFlight { get; init; } = 64;

    /// <summary>Keeps the device folders (slot images, boot environments, agent state) after a successful merge.
    /// Default false: they take about two images per device, so the runner deletes them.</summary>
    public bool KeepDevices { get; init; }

    /// <summary>Called at each quarter of the virtual time and once at the end, on a thread-pool thread. Default none.</summary>
    public Action<LiveProgress>? Progress { get; init; }
}

/// <summary>The state of a live run at one virtual time, as the server's management API reports it.</summary>
/// <param name="DevicesUpdated">Devices that report the release's version; null when the server did not respond.</param>
/// <param name="Phase">The deployment's phase, such as <c>wave</c> or <c>completed</c>; null before the deployment
/// starts or when the server did not respond.</param>
public sealed record LiveProgress(long VirtualMs, long EndMs, int Devices, int? DevicesUpdated, string? Phase);

/// <summary>Thrown when a live run stops early because its cancellation token was cancelled, such as on Ctrl+C. The
/// shards and the server are stopped and no merged journal is written.</summary>
public sealed class LiveRunInterruptedException(long virtualMs, long endMs)
    : OperationCanceledException($"The live run was interrupted at virtual time {virtualMs / 3_600_000.0:0.00} h of {endMs / 3_600_000.0:0.00} h.")
{
    public long VirtualMs { get; } = virtualMs;

    public long EndMs { get; } = endMs;
}

/// <summary>Thrown when a part of a live run fails (a shard process, the broker, the server), so that the run cannot
/// complete. The shards and the server are stopped and no merged journal is written.</summary>
public sealed class LiveRunFailedException(string message, long virtualMs, Exception? inner = null) : Exception(message, inner)
{
    /// <summary>Virtual time at which the failure was noticed.</summary>
    public long VirtualMs { get; } = virtualMs;
}

/// <summary>What a finished live run returns.</summary>
/// <param name="JournalPath">The merged journal of the server and every shard, next to the report.</param>
/// <param name="JournalEntries">Entries in the merged journal.</param>
/// <param name="EndMs">Virtual time at which the run ended.</param>
public sealed record LiveRunResult(string JournalPath, long JournalEntries, long EndMs, int Devices);
