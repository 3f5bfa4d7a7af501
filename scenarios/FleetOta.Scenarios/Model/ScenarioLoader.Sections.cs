using System.Globalization;
using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;
using FleetOta.Server;
using YamlDotNet.RepresentationModel;

namespace FleetOta.Scenarios.Model;

public static partial class ScenarioLoader
{
    private static readonly string[] FleetKeys =
    [
        "devices", "initial-version", "initial-security-version", "hardware", "networks", "connectivity", "power", "customers", "storage",
        "redundant-boot-environment", "boot-limit",
    ];

    private static readonly string[] RolloutKeys =
    [
        "base", "waves", "gate", "offer-spread", "offer-repeat", "silent-timeout", "max-attempts", "tick", "fault-monitor", "recovery",
        "offer-rate", "max-downloads",
    ];

    private static readonly Dictionary<string, ConnectivityKind> ConnectivityKinds = new(StringComparer.Ordinal)
    {
        ["always-on"] = ConnectivityKind.AlwaysOn,
        ["business-hours"] = ConnectivityKind.BusinessHours,
        ["intermittent"] = ConnectivityKind.Intermittent,
        ["rare"] = ConnectivityKind.Rare,
        ["never"] = ConnectivityKind.Never,
    };

    private static readonly Dictionary<string, PowerKind> PowerKinds = new(StringComparer.Ordinal)
    {
        ["mains"] = PowerKind.Mains,
        ["nightly-off"] = PowerKind.NightlyOff,
        ["unstable"] = PowerKind.Unstable,
    };

    private static FleetSpec ReadFleet(YamlNodeReader parent, FleetSpec fallback) =>
        parent.Mapping("fleet", FleetKeys) is { } reader ? ReadFleetKeys(reader, fallback) : fallback;

    private static FleetSpec ReadFleetKeys(YamlNodeReader reader, FleetSpec fallback) => fallback with
    {
        Devices = (int)reader.Integer("devices", fallback.Devices, 1, 10_000_000),
        InitialVersion = reader.String("initial-version", fallback.InitialVersion)!,
        InitialSecurityVersion = (int)reader.Integer("initial-security-version", fallback.InitialSecurityVersion, 0, int.MaxValue),
        Hardware = ReadShares(reader, "hardware", fallback.Hardware, ["model", "revision", "share"],
            item => new HardwareTarget(item.RequiredString("model", "a hardware model such as gw-300"), item.String("revision", "A")!)),
        Networks = ReadShares(reader, "networks", fallback.Networks, ["profile", "share", "bandwidth", "latency", "jitter", "loss"], ReadNetwork),
        Connectivity = ReadShares(reader, "connectivity", fallback.Connectivity, ["pattern", "share", "mean-online", "mean-offline"],
            ReadConnectivity),
        Power = ReadShares(reader, "power", fallback.Power, ["pattern", "share", "off-from", "off-hours", "mean-on", "mean-off"], ReadPower),
        Customers = (int)reader.Integer("customers", fallback.Customers, 1, 1_000_000),
        StorageBytes = reader.Bytes("storage", fallback.StorageBytes),
        RedundantBootEnvironment = reader.Boolean("redundant-boot-environment", fallback.RedundantBootEnvironment),
        BootLimit = (int)reader.Integer("boot-limit", fallback.BootLimit, 1, 100),
    };

    private static IReadOnlyList<Share<T>> ReadShares<T>(
        YamlNodeReader reader, string key, IReadOnlyList<Share<T>> fallback, string[] keys, Func<YamlNodeReader, T> read)
    {
        var sequence = reader.Sequence(key);
        if (sequence is null)
        {
            return fallback;
        }

        var shares = new List<Share<T>>();
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode node)
            {
                reader.Problems.Add(sequence.Children[i], $"{reader.Key(key)}[{i}]", null, $"must be a mapping with the keys {string.Join(", ", keys)}.");
                continue;
            }

            var item = new YamlNodeReader(node, $"{reader.Key(key)}[{i}]", reader.Problems, keys);
            shares.Add(new Share<T>(read(item), item.Share("share", 1.0)));
        }

        if (shares.Count > 0 && shares.Sum(share => share.Weight) <= 0)
        {
            reader.Problems.Add(sequence, reader.Key(key), null, "needs at least one entry with a share above 0.");
        }

        return shares.Count == 0 ? fallback : shares;
    }

    private static NetworkProfile ReadNetwork(YamlNodeReader item)
    {
        var name = item.RequiredString("profile", "a network profile: " + string.Join(", ", NetworkProfile.Standard.Select(p => p.Name)));
        var standard = NetworkProfile.Find(name);
        if (standard is null && name.Length > 0 && !item.Has("bandwidth"))
        {
            var suggestion = Suggestions.Closest(name, NetworkProfile.Standard.Select(p => p.Name));
            item.Problems.Add(item.Find("profile")!, item.Key("profile"), name,
                $"is not a standard profile ({string.Join(", ", NetworkProfile.Standard.Select(p => p.Name))}); a custom profile needs bandwidth, latency, jitter and loss." +
                (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        }

        var baseline = standard ?? NetworkProfile.Ethernet with { Name = name };
        return baseline with
        {
            BytesPerSecond = item.Bytes("bandwidth", (long)baseline.BytesPerSecond),
            LatencyMs = (int)item.DurationMs("latency", baseline.LatencyMs),
            JitterMs = (int)item.DurationMs("jitter", baseline.JitterMs),
            Loss = item.Share("loss", baseline.Loss),
        };
    }

    private static ConnectivityPattern ReadConnectivity(YamlNodeReader item)
    {
        var kind = item.Choice("pattern", ConnectivityKind.AlwaysOn, ConnectivityKinds);
        var (online, offline) = kind switch
        {
            ConnectivityKind.Intermittent => (2 * 3_600_000L, 3_600_000L),
            ConnectivityKind.Rare => (15 * 60_000L, 24 * 3_600_000L),
            _ => (0L, 0L),
        };
        return new ConnectivityPattern(kind, item.PositiveDurationMs("mean-online", online), item.PositiveDurationMs("mean-offline", offline));
    }

    private static PowerPattern ReadPower(YamlNodeReader item)
    {
        var kind = item.Choice("pattern", PowerKind.Mains, PowerKinds);
        return kind switch
        {
            PowerKind.NightlyOff => PowerPattern.Nightly(
                (int)item.Integer("off-from", PowerPattern.NightlyOff.OffFromHour, 0, 23),
                (int)item.Integer("off-hours", PowerPattern.NightlyOff.OffHours, 1, 23)),
            PowerKind.Unstable => PowerPattern.Unstable(
                item.PositiveDurationMs("mean-on", 12 * 3_600_000L),
                item.PositiveDurationMs("mean-off", 5 * 60_000L)),
            _ => PowerPattern.Mains,
        };
    }

    private static CriteriaThresholds ReadCriteria(YamlNodeReader parent, CriteriaThresholds fallback)
    {
        var reader = parent.Mapping("criteria", "reach", "success", "rollback", "recovery", "rollout-control");
        if (reader is null)
        {
            return fallback;
        }

        var result = fallback;
        if (reader.Mapping("reach", "share", "window") is { } reach)
        {
            result = result with { Reach = reach.Share("share", result.Reach), ReachWindowMs = reach.PositiveDurationMs("window", result.ReachWindowMs) };
        }

        if (reader.Mapping("success", "share") is { } success)
        {
            result = result with { Success = success.Share("share", result.Success) };
        }

        if (reader.Mapping("rollback", "share", "within", "min-devices") is { } rollback)
        {
            result = result with
            {
                Rollback = rollback.Share("share", result.Rollback),
                RollbackWithinMs = rollback.PositiveDurationMs("within", result.RollbackWithinMs),
                RollbackMinimumDevices = (int)rollback.Integer("min-devices", result.RollbackMinimumDevices, 0, int.MaxValue),
            };
        }

        if (reader.Mapping("recovery", "share", "within") is { } recovery)
        {
            result = result with
            {
                Recovery = recovery.Share("share", result.Recovery),
                RecoveryWithinMs = recovery.PositiveDurationMs("within", result.RecoveryWithinMs),
            };
        }

        if (reader.Mapping("rollout-control", "limit", "window", "min-sample", "pause-within", "alert-within") is { } control)
        {
            result = result with
            {
                FaultRateLimit = control.Share("limit", result.FaultRateLimit),
                FaultWindowMs = control.PositiveDurationMs("window", result.FaultWindowMs),
                FaultMinimumSample = (int)control.Integer("min-sample", result.FaultMinimumSample, 1, int.MaxValue),
                PauseWithinMs = control.DurationMs("pause-within", result.PauseWithinMs),
                AlertWithinMs = control.DurationMs("alert-within", result.AlertWithinMs),
            };
        }

        return result;
    }

    private static AgentOptions ReadAgent(YamlNodeReader parent, AgentOptions fallback)
    {
        var reader = parent.Mapping("agent", "heartbeat", "report-retry", "report-retry-max", "health-check-timeout", "download-retry",
            "max-download-resumes");
        if (reader is null)
        {
            return fallback;
        }

        var agent = fallback with
        {
            HeartbeatIntervalMs = reader.PositiveDurationMs("heartbeat", fallback.HeartbeatIntervalMs),
            ReportRetryInitialMs = reader.PositiveDurationMs("report-retry", fallback.ReportRetryInitialMs),
            ReportRetryMaxMs = reader.PositiveDurationMs("report-retry-max", fallback.ReportRetryMaxMs),
            HealthCheckTimeoutMs = reader.PositiveDurationMs("health-check-timeout", fallback.HealthCheckTimeoutMs),
            DownloadRetryMs = reader.PositiveDurationMs("download-retry", fallback.DownloadRetryMs),
            MaxDownloadResumes = (int)reader.Integer("max-download-resumes", fallback.MaxDownloadResumes, 0, 10_000),
        };
        if (agent.ReportRetryMaxMs < agent.ReportRetryInitialMs)
        {
            var node = reader.Find("report-retry-max") ?? reader.Find("report-retry") ?? reader.Node;
            reader.Problems.Add(node, reader.Key("report-retry-max"), Units.FormatDuration(agent.ReportRetryMaxMs),
                $"must be at least report-retry ({Units.FormatDuration(agent.ReportRetryInitialMs)}): the retry delay doubles up to it.");
        }

        return agent;
    }

    private static DeviceTiming ReadTiming(YamlNodeReader parent, DeviceTiming fallback)
    {
        var reader = parent.Mapping("timing", "boot", "health-check", "crash-after", "write-speed", "digest-speed", "power-off", "alert-latency");
        if (reader is null)
        {
            return fallback;
        }

        return fallback with
        {
            BootMs = reader.PositiveDurationMs("boot", fallback.BootMs),
            HealthCheckMs = reader.DurationMs("health-check", fallback.HealthCheckMs),
            CrashAfterMs = reader.DurationMs("crash-after", fallback.CrashAfterMs),
            WriteBytesPerSecond = reader.Bytes("write-speed", (long)fallback.WriteBytesPerSecond),
            DigestBytesPerSecond = reader.Bytes("digest-speed", (long)fallback.DigestBytesPerSecond),
            PowerOffMs = reader.DurationMs("power-off", fallback.PowerOffMs),
            AlertLatencyMs = reader.DurationMs("alert-latency", fallback.AlertLatencyMs),
        };
    }

    private static RolloutOptions ReadScenarioRollout(YamlNodeReader reader, Dictionary<string, RolloutOptions> rollouts)
    {
        var node = reader.Find("rollout");
        switch (node)
        {
            case null:
                return rollouts["default"];
            case YamlMappingNode mapping:
                var inline = new YamlNodeReader(mapping, reader.Key("rollout"), reader.Problems, RolloutKeys);
                var baseName = inline.String("base", "default")!;
                return ReadRollout(inline, LookUpRollout(inline, "base", baseName, rollouts));
            default:
                return LookUpRollout(reader, "rollout", reader.String("rollout", "default")!, rollouts);
        }
    }

    private static RolloutOptions LookUpRollout(YamlNodeReader reader, string key, string name, Dictionary<string, RolloutOptions> rollouts)
    {
        if (rollouts.TryGetValue(name, out var rollout))
        {
            return rollout;
        }

        var suggestion = Suggestions.Closest(name, rollouts.Keys);
        reader.Problems.Add(reader.Find(key) ?? reader.Node, reader.Key(key), name,
            $"is not a rollout defined under rollouts ({string.Join(", ", rollouts.Keys.Order(StringComparer.Ordinal))})." +
            (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        return new RolloutOptions();
    }

    private static RolloutOptions ReadRollout(YamlNodeReader reader, RolloutOptions fallback)
    {
        var result = fallback with
        {
            Waves = ReadWaves(reader, fallback.Waves),
            OfferSpreadMs = reader.DurationMs("offer-spread", fallback.OfferSpreadMs),
            OfferRepeatMs = reader.PositiveDurationMs("offer-repeat", fallback.OfferRepeatMs),
            SilentAfterUpdateMs = reader.PositiveDurationMs("silent-timeout", fallback.SilentAfterUpdateMs),
            MaxAttempts = (int)reader.Integer("max-attempts", fallback.MaxAttempts, 1, 100),
            TickMs = reader.PositiveDurationMs("tick", fallback.TickMs),
            MaxConcurrentDownloads = ReadDeviceQuota(reader, "max-downloads", fallback.MaxConcurrentDownloads),
        };
        if (reader.Mapping("offer-rate", "start", "factor", "every", "max") is { } rate)
        {
            var baseRate = result.OfferRate ?? new OfferRateOptions();
            result = result with
            {
                OfferRate = baseRate with
                {
                    StartPerMinute = rate.Number("start", baseRate.StartPerMinute, 0),
                    GrowthFactor = rate.Number("factor", baseRate.GrowthFactor, 1),
                    SuccessesPerStep = (int)rate.Integer("every", baseRate.SuccessesPerStep, 1, int.MaxValue),
                    MaxPerMinute = rate.Number("max", baseRate.MaxPerMinute, 0),
                },
            };
        }

        if (reader.Mapping("gate", "success", "soak", "finished", "max-duration") is { } gate)
        {
            result = result with
            {
                GateSuccessShare = gate.Share("success", result.GateSuccessShare),
                GateSoakMs = gate.DurationMs("soak", result.GateSoakMs),
                GateFinishedShare = gate.Share("finished", result.GateFinishedShare),
                WaveMaxDurationMs = gate.PositiveDurationMs("max-duration", result.WaveMaxDurationMs),
            };
        }

        if (reader.Mapping("fault-monitor", "limit", "window", "min-sample", "auto-pause", "alert") is { } monitor)
        {
            result = result with
            {
                FaultMonitor = result.FaultMonitor with
                {
                    Limit = monitor.Share("limit", result.FaultMonitor.Limit),
                    WindowMs = monitor.PositiveDurationMs("window", result.FaultMonitor.WindowMs),
                    MinimumSample = (int)monitor.Integer("min-sample", result.FaultMonitor.MinimumSample, 1, int.MaxValue),
                    AutoPause = monitor.Boolean("auto-pause", result.FaultMonitor.AutoPause),
                    Alert = monitor.Boolean("alert", result.FaultMonitor.Alert),
                },
            };
        }

        if (reader.Mapping("recovery", "enabled", "retry-delay", "redeploy-previous", "force-rollback-stuck") is { } recovery)
        {
            result = result with
            {
                Recovery = result.Recovery with
                {
                    Enabled = recovery.Boolean("enabled", result.Recovery.Enabled),
                    RetryDelayMs = recovery.PositiveDurationMs("retry-delay", result.Recovery.RetryDelayMs),
                    RedeployPrevious = recovery.Boolean("redeploy-previous", result.Recovery.RedeployPrevious),
                    ForceRollbackStuck = recovery.Boolean("force-rollback-stuck", result.Recovery.ForceRollbackStuck),
                },
            };
        }

        return result;
    }

    private static DeviceQuota? ReadDeviceQuota(YamlNodeReader reader, string key, DeviceQuota? fallback)
    {
        if (reader.Find(key) is not YamlScalarNode { Value: { } text } node)
        {
            return fallback;
        }

        if (text.EndsWith('%') && Units.TryParseShare(text, out var share) && share is > 0 and <= 1)
        {
            return new DeviceQuota(share, null);
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            return new DeviceQuota(null, count);
        }

        reader.Problems.Add(node, reader.Key(key), text, "must be a share of the targeted devices (such as 5%) or a device count (such as 50).");
        return fallback;
    }

    private static IReadOnlyList<WaveSpec> ReadWaves(YamlNodeReader reader, IReadOnlyList<WaveSpec> fallback)
    {
        var sequence = reader.Sequence("waves");
        if (sequence is null)
        {
            return fallback;
        }

        var waves = new List<WaveSpec>();
        foreach (var item in sequence.Children)
        {
            var text = (item as YamlScalarNode)?.Value ?? "";
            if (text.EndsWith('%') && Units.TryParseShare(text, out var share) && share > 0)
            {
                waves.Add(new WaveSpec(share, null));
            }
            else if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var count) && count > 0)
            {
                waves.Add(new WaveSpec(null, count));
            }
            else
            {
                reader.Problems.Add(item, reader.Key("waves"), text, "must list cumulative wave sizes as percentages (such as 10%) or device counts (such as 50).");
            }
        }

        if (waves.Count == 0)
        {
            reader.Problems.Add(sequence, reader.Key("waves"), null, "needs at least one wave.");
            return fallback;
        }

        for (var i = 1; i < waves.Count; i++)
        {
            var (previous, current) = (waves[i - 1], waves[i]);
            var shrinks = previous.Share is { } a && current.Share is { } b ? b <= a
                : previous.Count is { } m && current.Count is { } n && n <= m;
            if (shrinks)
            {
                var item = sequence.Children[i];
                reader.Problems.Add(item, reader.Key("waves"), (item as YamlScalarNode)?.Value,
                    "must be larger than the wave before it: waves are cumulative, such as [1%, 10%, 50%, 100%].");
            }
        }

        return waves;
    }

    private static readonly string[] FaultKeys =
    [
        "kind", "share", "count", "hardware", "network", "site", "connectivity", "at", "step", "duration", "repeat", "interval", "rate",
        "delay", "latency", "bandwidth", "free",
    ];

    private static readonly Dictionary<string, FaultKind> FaultKindsByName =
        FaultKinds.Names.ToDictionary(name => name, name => FaultKinds.TryParse(name, out var kind) ? kind : default, StringComparer.Ordinal);

    private static readonly Dictionary<string, PowerCutStep> Steps =
        Enum.GetValues<PowerCutStep>().ToDictionary(step => step.ToName(), step => step, StringComparer.Ordinal);

    private static readonly string[] TargetKeys = ["share", "count", "hardware", "network", "site", "connectivity"];

    /// <summary>The keys of a fault window; declared before the table that uses it, because static fields initialise in order.</summary>
    private static readonly string[] Window = ["at", "duration", "repeat", "interval"];

    /// <summary>The keys each fault kind takes besides kind and the device selectors, and which of them it requires.
    /// Continuous kinds take a window (at, duration, repeat, interval; default the whole run); timed kinds happen at a
    /// time or, for power-cut, brownout and partition, at an agent step (default the release start). A rate, amount or
    /// duration left out takes the emulator's default for the kind.</summary>
    private static readonly Dictionary<FaultKind, (string[] Keys, string[] Required)> FaultKindKeys = new()
    {
        [FaultKind.MessageLoss] = (["rate", .. Window], []),
        [FaultKind.Latency] = (["latency", "rate", .. Window], []),
        [FaultKind.BandwidthCap] = (["bandwidth", .. Window], ["bandwidth"]),
        [FaultKind.ConnectionReset] = (["rate", .. Window], []),
        [FaultKind.Partition] = (["step", .. Window], []),
        [FaultKind.BrokerOutage] = (["at", "duration"], []),
        [FaultKind.PowerCut] = (["step", .. Window], []),
        [FaultKind.Brownout] = (["step", .. Window], []),
        [FaultKind.CorruptInTransit] = (["repeat"], []),
        [FaultKind.CorruptAtRest] = (["repeat"], []),
        [FaultKind.BitFlipOnWrite] = (["repeat"], []),
        [FaultKind.Truncated] = ([], []),
        [FaultKind.BadSignature] = (["repeat"], []),
        [FaultKind.WrongHardware] = (["repeat"], []),
        [FaultKind.Downgrade] = (["repeat"], []),
        [FaultKind.StorageFull] = (["free"], ["free"]),
        [FaultKind.CrashLoop] = (Window, []),
        [FaultKind.HealthCheckFailure] = (Window, []),
        [FaultKind.SlowBurn] = (["delay", "repeat", "interval"], []),
        [FaultKind.ControllerRestart] = (["at", "duration"], []),
        [FaultKind.DelayedTelemetry] = (["delay", .. Window], []),
        [FaultKind.DuplicateReports] = (["rate", "delay", .. Window], []),
        [FaultKind.LateReports] = (["rate", "delay", .. Window], []),
        [FaultKind.AlertSinkDown] = (["at", "duration"], []),
    };

    private static List<FaultSpec> ReadFaults(YamlNodeReader reader, RunLimits limits)
    {
        var faults = new List<FaultSpec>();
        var sequence = reader.Sequence("faults");
        if (sequence is null)
        {
            return faults;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode node)
            {
                reader.Problems.Add(sequence.Children[i], $"{reader.Key("faults")}[{i}]", null, "must be a mapping with at least a kind.");
                continue;
            }

            var item = new YamlNodeReader(node, $"{reader.Key("faults")}[{i}]", reader.Problems, FaultKeys);
            if (!item.Has("kind"))
            {
                item.Problems.Add(node, item.Key("kind"), null, "is missing; one of: " + string.Join(", ", FaultKindsByName.Keys) + ".");
                continue;
            }

            var kindName = item.String("kind") ?? "";
            if (!FaultKindsByName.ContainsKey(kindName))
            {
                item.Choice("kind", FaultKind.MessageLoss, FaultKindsByName);
                continue;
            }

            if (ReadFault(item, node, FaultKindsByName[kindName], limits) is { } fault)
            {
                faults.Add(fault);
            }
        }

        return faults;
    }

    private static FaultSpec? ReadFault(YamlNodeReader item, YamlMappingNode node, FaultKind kind, RunLimits limits)
    {
        var problemsBefore = item.Problems.Items.Count;
        // A kind added to the emulator after this table takes every key until the table lists it.
        var (keys, required) = FaultKindKeys.TryGetValue(kind, out var known) ? known : (FaultKeys[1..], []);
        var name = kind.ToName();
        foreach (var key in FaultKeys.Where(key => key != "kind" && item.Has(key)))
        {
            if (kind.IsServerSide() && TargetKeys.Contains(key))
            {
                item.Problems.Add(item.Find(key)!, item.Key(key), item.String(key), $"does not apply to {name}, which acts on the server, not on devices; remove it.");
            }
            else if (!keys.Contains(key) && !TargetKeys.Contains(key))
            {
                var takes = keys.Length == 0 ? "no other keys" : string.Join(", ", keys);
                item.Problems.Add(item.Find(key)!, item.Key(key), item.String(key), $"does not apply to {name}, which takes {takes} besides the device selectors.");
            }
        }

        foreach (var key in required.Where(key => !item.Has(key)))
        {
            item.Problems.Add(node, item.Key(key), null, $"is missing; {name} needs {string.Join(" and ", required)}.");
        }

        if (item.Has("share") && item.Has("count"))
        {
            item.Problems.Add(item.Find("count")!, item.Key("count"), item.String("count"), "contradicts share: give either share or count, not both.");
        }

        PowerCutStep? step = item.Has("step") && keys.Contains("step") ? item.Choice("step", PowerCutStep.Download, Steps) : null;
        if (step is not null && item.Has("at"))
        {
            item.Problems.Add(item.Find("at")!, item.Key("at"), item.String("at"),
                $"contradicts step: a {name} happens at a time (at) or at an agent step (step), not both.");
        }

        if (step is not null && item.Has("interval"))
        {
            item.Problems.Add(item.Find("interval")!, item.Key("interval"), item.String("interval"),
                $"applies only to a {name} at a time; at a step it repeats on each pass through that step.");
        }

        var target = new FaultTarget(
            item.Has("share") ? item.Share("share", 1) : null,
            item.Has("count") ? (int)item.Integer("count", 0, 1, int.MaxValue) : null,
            item.String("hardware"),
            item.String("network"),
            item.String("site"),
            item.String("connectivity"));
        var amount = kind switch
        {
            FaultKind.Latency => item.Has("latency") ? item.PositiveDurationMs("latency", 0) : 0,
            FaultKind.BandwidthCap => item.Bytes("bandwidth", 1),
            FaultKind.StorageFull => item.Bytes("free", 1),
            _ => item.DurationMs("delay", 0),
        };
        var duration = item.Has("duration") ? item.PositiveDurationMs("duration", 0) : 0;
        var rate = item.Has("rate") ? PositiveShare(item, "rate") : 0;
        var fault = new FaultSpec(
            kind,
            target,
            item.Has("at") ? item.DurationMs("at", 0) : null,
            step,
            duration,
            (int)item.Integer("repeat", 1, 1, 1_000_000),
            item.DurationMs("interval", 0),
            rate,
            amount);
        if (item.Problems.Items.Count == problemsBefore)
        {
            CheckFaultTimes(item, fault, limits);
        }

        return item.Problems.Items.Count == problemsBefore ? fault : null;
    }

    /// <summary>Reports a fault that starts, or with its duration ends, after the end of the run.</summary>
    private static void CheckFaultTimes(YamlNodeReader item, FaultSpec fault, RunLimits limits)
    {
        if (limits.ReleaseAtMs is not { } releaseAtMs || limits.EndMs is not { } endMs)
        {
            return;
        }

        var name = fault.Kind.ToName();
        if (fault.AtMs > endMs)
        {
            item.Problems.Add(item.Find("at")!, item.Key("at"), item.String("at"),
                $"is after the end of the run at {limits.DescribeEnd()}, so the {name} would never happen. Give an earlier time, or a longer duration of the scenario.");
            return;
        }

        // Without at, a continuous kind lasts the whole run whatever its duration, and a timed kind happens at its
        // agent step or else at the release start.
        var startMs = fault.AtMs ?? (fault.IsContinuous || fault.Step is not null ? null : releaseAtMs);
        if (fault.DurationMs <= 0 || startMs is not { } start || start + fault.DurationMs <= endMs)
        {
            return;
        }

        var from = fault.AtMs is null ? $"the release start {Units.FormatDuration(start)}" : $"at {Units.FormatDuration(start)}";
        item.Problems.Add(item.Find("duration")!, item.Key("duration"), item.String("duration"),
            $"makes the {name} last until {Units.FormatDuration(start + fault.DurationMs)} ({from} plus {Units.FormatDuration(fault.DurationMs)}), " +
            $"after the end of the run at {limits.DescribeEnd()}. Give a shorter duration, or a longer duration of the scenario.");
    }

    private static double PositiveShare(YamlNodeReader item, string key)
    {
        var share = item.Share(key, 0);
        if (share <= 0 && item.Find(key) is { } node && Units.TryParseShare(item.String(key) ?? "", out _))
        {
            item.Problems.Add(node, item.Key(key), item.String(key), "must be a share above 0 (such as 10%).");
        }

        return share;
    }

    private static readonly Dictionary<string, OperatorActionKind> OperatorActions = new(StringComparer.Ordinal)
    {
        ["pause"] = OperatorActionKind.Pause,
        ["resume"] = OperatorActionKind.Resume,
        ["abort"] = OperatorActionKind.Abort,
        ["retry-failed"] = OperatorActionKind.RetryFailed,
        ["force-rollback"] = OperatorActionKind.ForceRollback,
        ["redeploy-previous"] = OperatorActionKind.RedeployPrevious,
    };

    private static List<OperatorStep> ReadOperator(YamlNodeReader reader, RunLimits limits)
    {
        var steps = new List<OperatorStep>();
        var sequence = reader.Sequence("operator");
        if (sequence is null)
        {
            return steps;
        }

        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode node)
            {
                reader.Problems.Add(sequence.Children[i], $"{reader.Key("operator")}[{i}]", null, "must be a mapping with at and action.");
                continue;
            }

            var item = new YamlNodeReader(node, $"{reader.Key("operator")}[{i}]", reader.Problems, "at", "action", "device");
            if (!item.Has("at") || !item.Has("action"))
            {
                item.Problems.Add(node, item.Key("at"), null, "an operator step needs both at (a duration since the run started) and action.");
                continue;
            }

            var problemsBefore = item.Problems.Items.Count;
            var step = new OperatorStep(
                item.DurationMs("at", 0),
                item.Choice("action", OperatorActionKind.Pause, OperatorActions),
                item.Has("device") ? (int)item.Integer("device", 0, 0, int.MaxValue) : null);
            if (item.Problems.Items.Count == problemsBefore)
            {
                CheckOperatorStep(item, step, limits);
            }

            steps.Add(step);
        }

        return steps;
    }

    private static void CheckOperatorStep(YamlNodeReader item, OperatorStep step, RunLimits limits)
    {
        if (limits.EndMs is { } endMs && step.AtMs > endMs)
        {
            item.Problems.Add(item.Find("at")!, item.Key("at"), item.String("at"),
                $"is after the end of the run at {limits.DescribeEnd()}, so the step would never run. Give an earlier time, or a longer duration of the scenario.");
        }

        if (limits.Devices is { } devices && step.Device >= devices)
        {
            item.Problems.Add(item.Find("device")!, item.Key("device"), item.String("device"),
                $"is outside the fleet of {devices} devices, whose numbers run from 0 to {devices - 1}. Give a device number in that range, or a larger fleet.devices.");
        }
    }
}
