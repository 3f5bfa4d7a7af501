using System.Globalization;
using FleetOta.Protocol;

namespace FleetOta.Server.Host.Http;

/// <summary>A release registration that passed validation: the manifest fields without digest and size, and the image.</summary>
internal sealed record ReleaseRegistration(string ReleaseId, string Version, int SecurityVersion, IReadOnlyList<HardwareTarget> Hardware, byte[] Image);

/// <summary>A deployment request that passed validation, with the release ids not yet looked up.</summary>
internal sealed record DeploymentRequest(string ReleaseId, string? PreviousReleaseId, int[] Targets, RolloutOptions Options);

/// <summary>Turns management API bodies into validated values, raising <see cref="ApiException"/> with the JSON path
/// of the first invalid member, its value and the fix.</summary>
internal static class RequestValidation
{
    /// <summary>Largest device id a deployment may target; the controller allocates state for every id below it.</summary>
    public const int MaxDeviceId = 9_999_999;

    public static ReleaseRegistration Validate(RegisterReleaseRequest? request, long maxImageBytes)
    {
        if (request is null)
        {
            throw ApiException.BadRequest("$", "The request body is empty; send a JSON object with releaseId, version, securityVersion, compatibleHardware and image.");
        }

        var releaseId = Identifier(request.ReleaseId, "releaseId", "rel-2");
        var version = Required(request.Version, "version", "a version such as \"2.0.0\"");
        if (request.SecurityVersion is not { } securityVersion || securityVersion < 0)
        {
            throw ApiException.BadRequest("securityVersion",
                $"Member securityVersion is {Show(request.SecurityVersion)}; set it to the anti-rollback security version, an integer of 0 or more.");
        }

        var hardware = Hardware(request.CompatibleHardware);
        var image = Image(request.Image, maxImageBytes);
        if (request.ImageDigest is { } expected && !string.Equals(expected, Digests.Sha256Hex(image), StringComparison.OrdinalIgnoreCase))
        {
            throw ApiException.BadRequest("imageDigest",
                $"Member imageDigest is '{expected}', but the SHA-256 of the image is {Digests.Sha256Hex(image)}; send the digest of these bytes or omit imageDigest.");
        }

        return new ReleaseRegistration(releaseId, version, securityVersion, hardware, image);
    }

    public static DeploymentRequest Validate(StartDeploymentRequest? request)
    {
        if (request is null)
        {
            throw ApiException.BadRequest("$", "The request body is empty; send a JSON object with releaseId and targets or deviceCount.");
        }

        var releaseId = Required(request.ReleaseId, "releaseId", "the id of a registered release");
        var previous = request.PreviousReleaseId is null ? null : Required(request.PreviousReleaseId, "previousReleaseId", "the id of a registered release, or null");
        var targets = Targets(request.Targets, request.DeviceCount);
        var options = Options(request.Options);
        try
        {
            options.Validate();
        }
        catch (RolloutOptionException error)
        {
            var field = OptionField(error.Option);
            throw ApiException.BadRequest(field, $"Member {field} is {error.Value}; {error.Fix}.");
        }
        catch (ArgumentException error)
        {
            throw ApiException.BadRequest("options", error.Message);
        }

        return new DeploymentRequest(releaseId, previous, targets, options);
    }

    public static int? Device(DeviceSelection? selection)
    {
        if (selection?.Device is not { } device)
        {
            return null;
        }

        return device is >= 0 and <= MaxDeviceId
            ? device
            : throw ApiException.BadRequest("device", $"Member device is {device}; use a device id from 0 to {MaxDeviceId}, or omit it for every eligible device.");
    }

    private static string Identifier(string? value, string field, string example)
    {
        var text = Required(value, field, $"an id such as \"{example}\"");
        if (text.Length > 64 || !text.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))
        {
            throw ApiException.BadRequest(field,
                $"Member {field} is '{text}'; use 1 to 64 ASCII letters, digits, '.', '-' or '_', such as \"{example}\".");
        }

        return text;
    }

    private static string Required(string? value, string field, string what) =>
        string.IsNullOrWhiteSpace(value)
            ? throw ApiException.BadRequest(field, $"Member {field} is missing or empty; set it to {what}.")
            : value;

    private static HardwareTarget[] Hardware(IReadOnlyList<HardwareModel>? hardware)
    {
        if (hardware is null || hardware.Count == 0)
        {
            throw ApiException.BadRequest("compatibleHardware",
                "Member compatibleHardware is missing or empty; list at least one {\"model\": \"gw-300\", \"revision\": \"B\"}.");
        }

        var targets = new HardwareTarget[hardware.Count];
        for (var i = 0; i < hardware.Count; i++)
        {
            var path = $"compatibleHardware[{i}]";
            var model = Required(hardware[i]?.Model, path + ".model", "a hardware model such as \"gw-300\"");
            var revision = Required(hardware[i]?.Revision, path + ".revision", "a hardware revision such as \"B\"");
            targets[i] = new HardwareTarget(model, revision);
        }

        return targets;
    }

    private static byte[] Image(string? base64, long maxImageBytes)
    {
        if (string.IsNullOrEmpty(base64))
        {
            throw ApiException.BadRequest("image", "Member image is missing or empty; set it to the image bytes in base64.");
        }

        byte[] image;
        try
        {
            image = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw ApiException.BadRequest("image", "Member image is not valid base64; encode the image bytes with standard base64 (RFC 4648, with padding).");
        }

        if (image.Length > maxImageBytes)
        {
            throw ApiException.BadRequest("image",
                $"Member image has {image.Length} bytes, above the limit of {maxImageBytes} bytes; register a smaller image or raise the server's image limit.");
        }

        return image;
    }

    private static int[] Targets(IReadOnlyList<int>? targets, int? deviceCount)
    {
        if ((targets is null) == (deviceCount is null))
        {
            throw ApiException.BadRequest("targets",
                "Set exactly one of targets (a list of device ids) and deviceCount (devices 0 to deviceCount - 1).");
        }

        if (deviceCount is { } count)
        {
            return count is >= 1 and <= MaxDeviceId + 1
                ? Enumerable.Range(0, count).ToArray()
                : throw ApiException.BadRequest("deviceCount", $"Member deviceCount is {count}; use 1 to {MaxDeviceId + 1} devices.");
        }

        if (targets!.Count == 0)
        {
            throw ApiException.BadRequest("targets", "Member targets is empty; list at least one device id.");
        }

        var seen = new HashSet<int>();
        for (var i = 0; i < targets.Count; i++)
        {
            var device = targets[i];
            if (device is < 0 or > MaxDeviceId)
            {
                throw ApiException.BadRequest($"targets[{i}]", $"Device id {device} is out of range; use ids from 0 to {MaxDeviceId}.");
            }

            if (!seen.Add(device))
            {
                throw ApiException.BadRequest($"targets[{i}]", $"Device id {device} is listed twice; list each device once.");
            }
        }

        return targets.ToArray();
    }

    private static RolloutOptions Options(RolloutOptionsModel? model)
    {
        var defaults = new RolloutOptions();
        if (model is null)
        {
            return defaults;
        }

        return defaults with
        {
            Waves = model.Waves is null ? defaults.Waves : Waves(model.Waves),
            GateSuccessShare = Share(model.GateSuccessShare, "options.gateSuccessShare", defaults.GateSuccessShare),
            GateSoakMs = Duration(model.GateSoakMs, "options.gateSoakMs", defaults.GateSoakMs, allowZero: true),
            GateFinishedShare = Share(model.GateFinishedShare, "options.gateFinishedShare", defaults.GateFinishedShare),
            WaveMaxDurationMs = Duration(model.WaveMaxDurationMs, "options.waveMaxDurationMs", defaults.WaveMaxDurationMs, allowZero: false),
            OfferSpreadMs = Duration(model.OfferSpreadMs, "options.offerSpreadMs", defaults.OfferSpreadMs, allowZero: true),
            OfferRepeatMs = Duration(model.OfferRepeatMs, "options.offerRepeatMs", defaults.OfferRepeatMs, allowZero: false),
            SilentAfterUpdateMs = Duration(model.SilentAfterUpdateMs, "options.silentAfterUpdateMs", defaults.SilentAfterUpdateMs, allowZero: false),
            MaxAttempts = model.MaxAttempts is { } attempts
                ? attempts >= 1 ? attempts : throw ApiException.BadRequest("options.maxAttempts", $"Member options.maxAttempts is {attempts}; allow at least 1 attempt.")
                : defaults.MaxAttempts,
            TickMs = Duration(model.TickMs, "options.tickMs", defaults.TickMs, allowZero: false),
            Seed = model.Seed ?? defaults.Seed,
            FaultMonitor = FaultMonitor(model.FaultMonitor, defaults.FaultMonitor),
            Recovery = Recovery(model.Recovery, defaults.Recovery),
        };
    }

    private static WaveSpec[] Waves(IReadOnlyList<WaveModel> waves)
    {
        if (waves.Count == 0)
        {
            throw ApiException.BadRequest("options.waves", "Member options.waves is empty; list cumulative waves such as [{\"percent\": 10}, {\"percent\": 100}].");
        }

        var specs = new WaveSpec[waves.Count];
        for (var i = 0; i < waves.Count; i++)
        {
            var path = $"options.waves[{i}]";
            specs[i] = waves[i] switch
            {
                { Percent: { } percent, Count: null } when percent is > 0 and <= 100 => WaveSpec.Percent(percent),
                { Percent: null, Count: { } count } when count > 0 => new WaveSpec(null, count),
                _ => throw ApiException.BadRequest(path,
                    $"Member {path} is {Show(waves[i])}; give exactly one of percent (above 0, at most 100) and count (above 0), cumulative over the targets."),
            };
        }

        return specs;
    }

    private static FaultMonitorOptions FaultMonitor(FaultMonitorModel? model, FaultMonitorOptions defaults) => model is null
        ? defaults
        : defaults with
        {
            Limit = Share(model.Limit, "options.faultMonitor.limit", defaults.Limit),
            WindowMs = Duration(model.WindowMs, "options.faultMonitor.windowMs", defaults.WindowMs, allowZero: false),
            MinimumSample = model.MinimumSample is { } sample
                ? sample >= 0 ? sample : throw ApiException.BadRequest("options.faultMonitor.minimumSample",
                    $"Member options.faultMonitor.minimumSample is {sample}; use 0 or more activated devices.")
                : defaults.MinimumSample,
            AutoPause = model.AutoPause ?? defaults.AutoPause,
            Alert = model.Alert ?? defaults.Alert,
        };

    private static RecoveryPolicyOptions Recovery(RecoveryModel? model, RecoveryPolicyOptions defaults) => model is null
        ? defaults
        : defaults with
        {
            Enabled = model.Enabled ?? defaults.Enabled,
            RetryDelayMs = Duration(model.RetryDelayMs, "options.recovery.retryDelayMs", defaults.RetryDelayMs, allowZero: true),
            RedeployPrevious = model.RedeployPrevious ?? defaults.RedeployPrevious,
            ForceRollbackStuck = model.ForceRollbackStuck ?? defaults.ForceRollbackStuck,
        };

    private static double Share(double? value, string field, double fallback)
    {
        if (value is not { } share)
        {
            return fallback;
        }

        return share is >= 0 and <= 1
            ? share
            : throw ApiException.BadRequest(field, $"Member {field} is {share.ToString(CultureInfo.InvariantCulture)}; use a share from 0 to 1, such as 0.95.");
    }

    private static long Duration(long? value, string field, long fallback, bool allowZero)
    {
        if (value is not { } duration)
        {
            return fallback;
        }

        return duration > 0 || (allowZero && duration == 0)
            ? duration
            : throw ApiException.BadRequest(field,
                $"Member {field} is {duration}; use a duration in milliseconds of virtual time {(allowZero ? "of 0 or more" : "above 0")}.");
    }

    private static string Show(int? value) => value?.ToString(CultureInfo.InvariantCulture) ?? "missing";

    /// <summary>Formats a wave as the JSON object that the request contained.</summary>
    private static string Show(WaveModel? wave)
    {
        if (wave is null)
        {
            return "null";
        }

        var members = new List<string>(2);
        if (wave.Percent is { } percent)
        {
            members.Add("\"percent\": " + percent.ToString(CultureInfo.InvariantCulture));
        }

        if (wave.Count is { } count)
        {
            members.Add("\"count\": " + count.ToString(CultureInfo.InvariantCulture));
        }

        return "{" + string.Join(", ", members) + "}";
    }

    /// <summary>Turns a rollout option name such as "Waves[1]" or "FaultMonitor.Limit" into the request's JSON path,
    /// such as "options.waves[1]" or "options.faultMonitor.limit".</summary>
    private static string OptionField(string option) =>
        "options." + string.Join('.', option.Split('.').Select(part => part.Length == 0 ? part : char.ToLowerInvariant(part[0]) + part[1..]));
}
