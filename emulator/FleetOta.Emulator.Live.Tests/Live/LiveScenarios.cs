using FleetOta.Agent;
using FleetOta.Emulator.Faults;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;
using FleetOta.Scenarios.Model;
using FleetOta.Server;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Tests.Live;

/// <summary>Short scenarios for live tests: small images, a release two virtual minutes after start, waves with short
/// soaks, and a run of under an hour of virtual time, so that a run at a high time factor takes seconds.</summary>
internal static class LiveScenarios
{
    public static SimulationSpec Small(int devices, long seed = 7, params FaultSpec[] faults) => Small(devices, seed, 45 * 60_000, faults);

    /// <summary>Returns the short scenario with <paramref name="durationAfterReleaseMs"/> of virtual time after the release.</summary>
    public static SimulationSpec Small(int devices, long seed, long durationAfterReleaseMs, params FaultSpec[] faults) => new()
    {
        Name = "live-test",
        Seed = seed,
        Fleet = new FleetSpec
        {
            Devices = devices,
            InitialVersion = "1.0.0",
            InitialSecurityVersion = 1,
            Hardware = [new Share<HardwareTarget>(new HardwareTarget("gw-300", "A"), 1)],
        },
        Release = new ReleaseSpec("r2", "2.0.0", 2, 32 * 1024),
        ReleaseAtMs = 3 * 60_000,
        DurationAfterReleaseMs = durationAfterReleaseMs,
        Rollout = new RolloutOptions
        {
            Waves = [WaveSpec.Percent(20), WaveSpec.Percent(100)],
            GateSoakMs = 2 * 60_000,
            GateFinishedShare = 0.9,
            WaveMaxDurationMs = 10 * 60_000,
            OfferSpreadMs = 2 * 60_000,
            OfferRepeatMs = 3 * 60_000,
            SilentAfterUpdateMs = 10 * 60_000,
            TickMs = 30_000,
            Recovery = new RecoveryPolicyOptions { RetryDelayMs = 3 * 60_000 },
        },
        Agent = new AgentOptions
        {
            HeartbeatIntervalMs = 4 * 60_000,
            ReportRetryInitialMs = 30_000,
            ReportRetryMaxMs = 2 * 60_000,
            DownloadRetryMs = 30_000,
        },
        Faults = faults,
    };

    /// <summary>Returns the short scenario of <see cref="Small(int, long, long, FaultSpec[])"/> as a scenario file, for
    /// shard processes, which read their scenario from a file.</summary>
    public static string ScenarioFile(long seed, int devices, string name, string description, string duration, string expect) => $$"""
        defaults:
          seed: {{seed}}
          fleet:
            devices: {{devices}}
            initial-version: 1.0.0
            initial-security-version: 1
            hardware:
              - { model: gw-300, revision: A, share: 100% }
          agent: { heartbeat: 4m, report-retry: 30s, report-retry-max: 2m, download-retry: 30s }
        releases:
          r2: { version: 2.0.0, security-version: 2, image-size: 32KiB }
        rollouts:
          short:
            waves: [20%, 100%]
            gate: { success: 95%, soak: 2m, finished: 90%, max-duration: 10m }
            offer-spread: 2m
            offer-repeat: 3m
            silent-timeout: 10m
            tick: 30s
            recovery: { retry-delay: 3m }
        scenarios:
          - name: {{name}}
            description: {{description}}
            release: r2
            rollout: short
            release-at: 3m
            duration: {{duration}}
            expect: {{expect}}
        """;

    /// <summary>Criteria of the short scenarios: windows that fit their duration.</summary>
    public static CriteriaThresholds Criteria => new()
    {
        ReachWindowMs = 45 * 60_000,
        RecoveryWithinMs = 40 * 60_000,
    };

    public static ILoggerFactory Loggers() => LoggerFactory.Create(builder => builder
        .SetMinimumLevel(LogLevel.Warning)
        .AddSimpleConsole(console => console.SingleLine = true));
}
