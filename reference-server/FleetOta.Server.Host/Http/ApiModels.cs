using System.Text.Json;
using System.Text.Json.Serialization;

namespace FleetOta.Server.Host.Http;

// Request and response bodies of the management API. Request members are nullable so that validation can name a
// missing member instead of the JSON reader failing on it. Durations are milliseconds of virtual time.

public sealed record HardwareModel(string? Model, string? Revision);

public sealed record RegisterReleaseRequest(
    string? ReleaseId,
    string? Version,
    int? SecurityVersion,
    IReadOnlyList<HardwareModel>? CompatibleHardware,
    string? Image,
    string? ImageDigest);

public sealed record ReleaseView(
    string ReleaseId,
    string Version,
    int SecurityVersion,
    string ImageDigest,
    long ImageSize,
    IReadOnlyList<HardwareModel> CompatibleHardware,
    string KeyId,
    string Signature,
    string ArtifactUrl,
    long RegisteredAtMs);

public sealed record WaveModel(double? Percent, int? Count);

public sealed record FaultMonitorModel(double? Limit, long? WindowMs, int? MinimumSample, bool? AutoPause, bool? Alert);

public sealed record RecoveryModel(bool? Enabled, long? RetryDelayMs, bool? RedeployPrevious, bool? ForceRollbackStuck);

public sealed record RolloutOptionsModel(
    IReadOnlyList<WaveModel>? Waves,
    double? GateSuccessShare,
    long? GateSoakMs,
    double? GateFinishedShare,
    long? WaveMaxDurationMs,
    long? OfferSpreadMs,
    long? OfferRepeatMs,
    long? SilentAfterUpdateMs,
    int? MaxAttempts,
    long? TickMs,
    long? Seed,
    FaultMonitorModel? FaultMonitor,
    RecoveryModel? Recovery);

/// <summary>Starts a deployment on <see cref="Targets"/>, or on devices 0 to <see cref="DeviceCount"/> - 1.</summary>
public sealed record StartDeploymentRequest(
    string? ReleaseId,
    string? PreviousReleaseId,
    IReadOnlyList<int>? Targets,
    int? DeviceCount,
    RolloutOptionsModel? Options);

public sealed record DeploymentView(
    string DeploymentId,
    string ReleaseId,
    string Version,
    string? PreviousReleaseId,
    string Phase,
    int CurrentWave,
    int WaveCount,
    int TargetCount,
    IReadOnlyDictionary<string, int> States,
    long StartedAtMs,
    long NowMs);

/// <summary>Body of the recovery actions; a null device applies the action to every eligible device.</summary>
public sealed record DeviceSelection(int? Device);

/// <summary>Result of a recovery action.</summary>
/// <param name="Devices">The devices that the action sent a command to.</param>
/// <param name="Skipped">Count per action state of the selected devices that the action skipped, because the
/// action does not apply to devices in that state.</param>
/// <param name="SkipReason">Why devices were skipped, naming the states the action applies to; null when none were.</param>
public sealed record RecoveryResult(
    string DeploymentId,
    string Action,
    IReadOnlyList<int> Devices,
    IReadOnlyDictionary<string, int> Skipped,
    string? SkipReason,
    DeploymentView Deployment);

public sealed record DeviceView(
    int DeviceId,
    string ActionState,
    string? RunningVersion,
    string? ActiveSlot,
    bool? Healthy,
    bool? Degraded,
    long? LastSeenMs);

public sealed record FleetView(
    string? DeploymentId,
    long NowMs,
    int DeviceCount,
    IReadOnlyDictionary<string, int> States,
    IReadOnlyDictionary<string, int> Versions,
    IReadOnlyList<DeviceView> Devices);

/// <summary>The server's signing key: <see cref="PublicKey"/> is the base64 DER SubjectPublicKeyInfo.</summary>
public sealed record SigningKeyView(string KeyId, string Algorithm, string PublicKey);

public sealed record ServerInfoView(string HttpUrl, string BrokerUrl, double TimeFactor, long NowMs, string KeyId);

// Unknown members are rejected, so that a misspelt option is not silently left at its default.
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RegisterReleaseRequest))]
[JsonSerializable(typeof(ReleaseView))]
[JsonSerializable(typeof(IReadOnlyList<ReleaseView>))]
[JsonSerializable(typeof(StartDeploymentRequest))]
[JsonSerializable(typeof(DeploymentView))]
[JsonSerializable(typeof(IReadOnlyList<DeploymentView>))]
[JsonSerializable(typeof(DeviceSelection))]
[JsonSerializable(typeof(RecoveryResult))]
[JsonSerializable(typeof(FleetView))]
[JsonSerializable(typeof(SigningKeyView))]
[JsonSerializable(typeof(ServerInfoView))]
public sealed partial class ApiJsonContext : JsonSerializerContext;
