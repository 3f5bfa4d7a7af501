using FleetOta.Journal;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Tests;

public sealed class ScenarioLoaderTests
{
    private const string Valid = """
        defaults:
          seed: 7
          fleet: { devices: 200, initial-version: 1.0.0 }
        releases:
          r2: { version: 2.0.0, security-version: 1, image-size: 8MiB }
        rollouts:
          fast: { waves: [10%, 100%], gate: { soak: 5m } }
        scenarios:
          - name: nominal
            release: r2
            rollout: fast
            expect: { reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: pass }
        """;

    [Fact]
    public void Parse_ValidFile_ReadsEveryField()
    {
        var catalog = ScenarioLoader.Parse(Valid, "valid.yaml");

        var scenario = catalog.Scenarios.Should().ContainSingle().Subject;
        scenario.Name.Should().Be("nominal");
        scenario.Simulation.Seed.Should().Be(7);
        scenario.Simulation.Fleet.Devices.Should().Be(200);
        scenario.Simulation.Release.ImageBytes.Should().Be(8L << 20);
        scenario.Simulation.Rollout.Waves.Select(w => w.Share).Should().Equal(0.1, 1.0);
        scenario.Simulation.Rollout.GateSoakMs.Should().Be(5 * 60_000);
        scenario.Expected[CriterionIds.Rollback].Should().Be(Verdict.Inconclusive);
        scenario.Line.Should().Be(9);
    }

    [Fact]
    public void Parse_RolloutWithBase_InheritsTheBaseRollout()
    {
        var yaml = Valid.Replace("  fast: { waves: [10%, 100%], gate: { soak: 5m } }",
            "  fast: { waves: [5%, 100%], offer-spread: 2m }\n  slow: { base: fast, gate: { soak: 1m } }").Replace("rollout: fast", "rollout: slow");

        var rollout = ScenarioLoader.Parse(yaml, "base.yaml").Scenarios.Single().Simulation.Rollout;

        rollout.Waves.Select(w => w.Share).Should().Equal(0.05, 1.0);
        rollout.OfferSpreadMs.Should().Be(2 * 60_000);
        rollout.GateSoakMs.Should().Be(60_000);
    }

    [Fact]
    public void Load_CatalogueFile_IsValid()
    {
        var catalog = ScenarioLoader.Load(Path.Combine(RepositoryRoot(), "scenarios.yaml"));

        catalog.Scenarios.Should().HaveCountGreaterThanOrEqualTo(12);
        catalog.Scenarios.Should().OnlyContain(s => s.Simulation.Fleet.Devices >= 10_000);
        catalog.Scenarios.Select(s => s.Name).Should().Contain(["nominal", "corrupt-in-transit", "crash-loop", "slow-burn", "server-restart"]);
    }

    /// <summary>Broken files: each with the one problem it must report, as file:line:column: key (value): message.</summary>
    public static TheoryData<string, string, string> BrokenFiles => new()
    {
        {
            "empty file",
            "",
            "broken.yaml:1:1: (file): is empty; a scenario file needs releases and scenarios, and may have defaults and rollouts."
        },
        {
            "not a mapping",
            "- just\n- a list\n",
            "broken.yaml:1:1: (root): must be a mapping with the keys defaults, releases, rollouts and scenarios."
        },
        {
            "syntax error",
            "releases:\n  r2: { version: 2.0.0\n",
            "broken.yaml:3:1: (syntax): is not valid YAML: While parsing a flow mapping, did not find expected ',' or '}'."
        },
        {
            "unclosed flow mapping before an unterminated quoted string",
            "releases:\n  r2: { version: 2.0.0 }\nscenarios:\n  - name: nominal\n    release: r2\n    duration: 1h\n" +
            "    expect: { reach: pass, success: pass\n  - name: \"unterminated\n",
            "broken.yaml:8:3: (syntax): is not valid YAML: the YAML parser stopped here without describing the problem. " +
            "Look on this line and the lines before it for an unclosed { or [, an unterminated quoted string or a tab."
        },
        {
            "tab as indentation on a later line",
            Valid.Replace("    rollout: fast", "\trollout: fast"),
            "broken.yaml:11:1: (syntax): is not valid YAML: While scanning a plain scalar, found a tab character that violate indentation. " +
            "The value starts at 10:14. YAML does not allow tabs in indentation; indent with spaces."
        },
        {
            "tab as indentation of a nested mapping",
            Valid.Replace("    rollout: fast", "    rollout:\n\t  base: fast"),
            "broken.yaml:12:1: (syntax): is not valid YAML: While scanning a mapping, found invalid tab as indentation. " +
            "YAML does not allow tabs in indentation; indent with spaces."
        },
        {
            "alias of an unknown anchor",
            Valid.Replace("    release: r2", "    release: *r2"),
            "broken.yaml:10:14: (syntax) (value '*r2'): is not valid YAML: no value has the anchor &r2. Put &r2 before the value to repeat, or remove the alias."
        },
        {
            "second YAML document",
            Valid + "\n---\nreleases: {}\n",
            "broken.yaml:13:1: (file): starts a second YAML document, and a scenario file is one document. Remove this '---' and move what follows it into the first document."
        },
        {
            "unknown top-level key with suggestion",
            Valid.Replace("defaults:", "default:"),
            "broken.yaml:1:1: default: is not a known key. Allowed here: defaults, releases, rollouts, scenarios. Did you mean 'defaults'?"
        },
        {
            "unknown scenario key with suggestion",
            Valid.Replace("    rollout: fast", "    rolout: fast"),
            "broken.yaml:11:5: scenarios[0].rolout: is not a known key. Allowed here: agent, criteria, description, duration, expect, faults, fleet, name, operator, release, release-at, rollout, seed, timing. Did you mean 'rollout'?"
        },
        {
            "wrong type: text for a number",
            Valid.Replace("devices: 200", "devices: many"),
            "broken.yaml:3:21: defaults.fleet.devices (value 'many'): must be a whole number."
        },
        {
            "wrong type: mapping for a value",
            Valid.Replace("seed: 7", "seed: { value: 7 }"),
            "broken.yaml:2:9: defaults.seed: must be a single value, not a list or a mapping."
        },
        {
            "wrong type: value for a list",
            Valid.Replace("waves: [10%, 100%]", "waves: 10%"),
            "broken.yaml:7:18: rollouts.fast.waves: must be a list."
        },
        {
            "number out of range",
            Valid.Replace("devices: 200", "devices: 0"),
            "broken.yaml:3:21: defaults.fleet.devices (value '0'): must be between 1 and 10000000."
        },
        {
            "unknown release with suggestion",
            Valid.Replace("    release: r2", "    release: r3"),
            "broken.yaml:10:14: scenarios[0].release (value 'r3'): is not a release defined under releases (r2). Did you mean 'r2'?"
        },
        {
            "unknown rollout with suggestion",
            Valid.Replace("    rollout: fast", "    rollout: fats"),
            "broken.yaml:11:14: scenarios[0].rollout (value 'fats'): is not a rollout defined under rollouts (default, fast). Did you mean 'fast'?"
        },
        {
            "invalid duration",
            Valid.Replace("soak: 5m", "soak: 5 minutes"),
            "broken.yaml:7:45: rollouts.fast.gate.soak (value '5 minutes'): must be a duration with a unit: ms, s, m, h or d (such as 30m or 48h)."
        },
        {
            "zero window",
            Valid.Replace("rollouts:\n  fast: { waves: [10%, 100%], gate: { soak: 5m } }", "rollouts:\n  fast: { waves: [10%, 100%], fault-monitor: { window: 0s } }"),
            "broken.yaml:7:56: rollouts.fast.fault-monitor.window (value '0s'): must be a duration above 0 (such as 30m)."
        },
        {
            "share above 100%",
            Valid.Replace("waves: [10%, 100%]", "waves: [10%, 100%], gate: { success: 150% }").Replace(", gate: { soak: 5m }", ""),
            "broken.yaml:7:48: rollouts.fast.gate.success (value '150%'): must be a share from 0 to 1 (such as 0.05) or a percentage (such as 5%)."
        },
        {
            "waves that shrink",
            Valid.Replace("waves: [10%, 100%]", "waves: [50%, 10%]"),
            "broken.yaml:7:24: rollouts.fast.waves (value '10%'): must be larger than the wave before it: waves are cumulative, such as [1%, 10%, 50%, 100%]."
        },
        {
            "negative run duration",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    duration: -1h"),
            "broken.yaml:12:15: scenarios[0].duration (value '-1h'): must be a duration above 0 (such as 30m)."
        },
        {
            "negative release time",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    release-at: -5m"),
            "broken.yaml:12:17: scenarios[0].release-at (value '-5m'): must be a duration of 0 or more (such as 30m)."
        },
        {
            "negative size",
            Valid.Replace("image-size: 8MiB", "image-size: -48MiB"),
            "broken.yaml:5:58: releases.r2.image-size (value '-48MiB'): must be a size above 0 (such as 64MiB)."
        },
        {
            "zero size",
            Valid.Replace("image-size: 8MiB", "image-size: 0"),
            "broken.yaml:5:58: releases.r2.image-size (value '0'): must be a size above 0 (such as 64MiB)."
        },
        {
            "seed above the 64-bit range",
            Valid.Replace("seed: 7", "seed: 9223372036854775808"),
            "broken.yaml:2:9: defaults.seed (value '9223372036854775808'): must be between -9223372036854775808 and 9223372036854775807."
        },
        {
            "invalid size",
            Valid.Replace("image-size: 8MiB", "image-size: 8 megs"),
            "broken.yaml:5:58: releases.r2.image-size (value '8 megs'): must be a size such as 64MiB, 1GB, 500KB or a number of bytes."
        },
        {
            "missing release version",
            Valid.Replace("version: 2.0.0, ", ""),
            "broken.yaml:5:7: releases.r2.version: is missing; give the version the release installs, such as 2.0.0."
        },
        {
            "invalid expected verdict with suggestion",
            Valid.Replace("reach: pass", "reach: passed"),
            "broken.yaml:12:22: scenarios[0].expect.reach (value 'passed'): is not one of: pass, fail, inconclusive. Did you mean 'pass'?"
        },
        {
            "missing expected verdict",
            Valid.Replace("rollout-control: pass ", ""),
            "broken.yaml:12:13: scenarios[0].expect.rollout-control: is missing; every criterion needs an expected verdict: pass, fail or inconclusive."
        },
        {
            "empty scenario list",
            Valid[..Valid.IndexOf("  - name", StringComparison.Ordinal)].TrimEnd() + " []\n",
            "broken.yaml:8:12: scenarios: is empty; list at least one scenario with a name and a release."
        },
        {
            "fault without kind",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { share: 5% }"),
            "broken.yaml:13:9: scenarios[0].faults[0].kind: is missing; one of: alert-sink-down, bad-signature, bandwidth-cap, bit-flip-on-write, broker-outage, brownout, connection-reset, controller-restart, corrupt-at-rest, corrupt-in-transit, crash-loop, delayed-telemetry, downgrade, duplicate-reports, health-check-failure, late-reports, latency, message-loss, partition, power-cut, slow-burn, storage-full, truncated, wrong-hardware."
        },
        {
            "unknown fault kind with suggestion",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: crashloop, share: 5% }"),
            "broken.yaml:13:17: scenarios[0].faults[0].kind (value 'crashloop'): is not one of: alert-sink-down, bad-signature, bandwidth-cap, bit-flip-on-write, broker-outage, brownout, connection-reset, controller-restart, corrupt-at-rest, corrupt-in-transit, crash-loop, delayed-telemetry, downgrade, duplicate-reports, health-check-failure, late-reports, latency, message-loss, partition, power-cut, slow-burn, storage-full, truncated, wrong-hardware. Did you mean 'crash-loop'?"
        },
        {
            "power cut with time and step",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: power-cut, step: download, at: 1h }"),
            "broken.yaml:13:48: scenarios[0].faults[0].at (value '1h'): contradicts step: a power-cut happens at a time (at) or at an agent step (step), not both."
        },
        {
            "share and count together",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: crash-loop, share: 5%, count: 10 }"),
            "broken.yaml:13:47: scenarios[0].faults[0].count (value '10'): contradicts share: give either share or count, not both."
        },
        {
            "key that does not apply to the kind",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: crash-loop, share: 5%, step: download }"),
            "broken.yaml:13:46: scenarios[0].faults[0].step (value 'download'): does not apply to crash-loop, which takes at, duration, repeat, interval besides the device selectors."
        },
        {
            "partition window interval at a step",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: partition, share: 5%, step: download, interval: 1h }"),
            "broken.yaml:13:65: scenarios[0].faults[0].interval (value '1h'): applies only to a partition at a time; at a step it repeats on each pass through that step."
        },
        {
            "server fault aimed at devices",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: controller-restart, share: 5%, duration: 5m }"),
            "broken.yaml:13:44: scenarios[0].faults[0].share (value '5%'): does not apply to controller-restart, which acts on the server, not on devices; remove it."
        },
        {
            "report retry maximum below the first retry",
            Valid.Replace("  seed: 7", "  seed: 7\n  agent: { report-retry: 5m, report-retry-max: 1m }"),
            "broken.yaml:3:48: defaults.agent.report-retry-max (value '1m'): must be at least report-retry (5m): the retry delay doubles up to it."
        },
        {
            "bandwidth cap without bandwidth",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: bandwidth-cap, at: 1h, duration: 2h }"),
            "broken.yaml:13:9: scenarios[0].faults[0].bandwidth: is missing; bandwidth-cap needs bandwidth."
        },
        {
            "release hardware that the fleet lacks",
            Valid.Replace("image-size: 8MiB }", "image-size: 8MiB, hardware: [gw-300/A, gw-400/A] }"),
            "broken.yaml:10:14: scenarios[0].release (value 'r2'): lists hardware that no device of the fleet has: gw-400/A. The fleet has gw-300/A. " +
            "Remove it from releases.r2.hardware, or add it to the fleet's hardware."
        },
        {
            "fault after the end of the run",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: broker-outage, at: 49h }"),
            "broken.yaml:13:36: scenarios[0].faults[0].at (value '49h'): is after the end of the run at 2890m (release-at 10m plus duration 2d), " +
            "so the broker-outage would never happen. Give an earlier time, or a longer duration of the scenario."
        },
        {
            "fault lasting past the end of the run",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: partition, at: 48h, duration: 1h }"),
            "broken.yaml:13:47: scenarios[0].faults[0].duration (value '1h'): makes the partition last until 49h (at 2d plus 1h), " +
            "after the end of the run at 2890m (release-at 10m plus duration 2d). Give a shorter duration, or a longer duration of the scenario."
        },
        {
            "fault from the release start lasting past the end of the run",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    faults:\n      - { kind: alert-sink-down, duration: 49h }"),
            "broken.yaml:13:44: scenarios[0].faults[0].duration (value '49h'): makes the alert-sink-down last until 2950m (the release start 10m plus 49h), " +
            "after the end of the run at 2890m (release-at 10m plus duration 2d). Give a shorter duration, or a longer duration of the scenario."
        },
        {
            "operator step after the end of the run",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    duration: 2h\n    operator:\n      - { at: 3h, action: resume }"),
            "broken.yaml:14:15: scenarios[0].operator[0].at (value '3h'): is after the end of the run at 130m (release-at 10m plus duration 2h), " +
            "so the step would never run. Give an earlier time, or a longer duration of the scenario."
        },
        {
            "operator device outside the fleet",
            Valid.Replace("    rollout: fast", "    rollout: fast\n    operator:\n      - { at: 1h, action: retry-failed, device: 200 }"),
            "broken.yaml:13:49: scenarios[0].operator[0].device (value '200'): is outside the fleet of 200 devices, whose numbers run from 0 to 199. " +
            "Give a device number in that range, or a larger fleet.devices."
        },
    };

    [Theory]
    [MemberData(nameof(BrokenFiles))]
    public void Parse_BrokenFile_ReportsLineColumnKeyAndMessage(string name, string yaml, string expected)
    {
        var act = () => ScenarioLoader.Parse(yaml, "broken.yaml");

        var problems = act.Should().Throw<ScenarioValidationException>(name).Which.Problems;
        problems.Select(problem => problem.ToString()).Should().Equal([expected], name);
    }

    [Fact]
    public void Parse_DuplicateScenarioNames_PointsAtSecondName()
    {
        var yaml = Valid + "\n  - name: nominal\n    release: r2\n    expect: { reach: pass, success: pass, rollback: pass, recovery: pass, rollout-control: pass }\n";

        var problems = Assert.Throws<ScenarioValidationException>(() => ScenarioLoader.Parse(yaml, "broken.yaml")).Problems;

        problems.Should().ContainSingle().Which.ToString().Should().Be(
            "broken.yaml:13:11: scenarios[1].name (value 'nominal'): is used by another scenario; scenario names must be unique.");
    }

    [Fact]
    public void Parse_SeveralProblems_ListsEveryOne()
    {
        var yaml = Valid.Replace("devices: 200", "devices: -3").Replace("    release: r2", "    release: r9").Replace("soak: 5m", "soak: forever");

        var problems = Assert.Throws<ScenarioValidationException>(() => ScenarioLoader.Parse(yaml, "broken.yaml")).Problems;

        problems.Select(p => (p.Line, p.Key)).Should().BeEquivalentTo(new[]
        {
            (3, "defaults.fleet.devices"),
            (7, "rollouts.fast.gate.soak"),
            (10, "scenarios[0].release"),
        });
    }

    [Fact]
    public void Parse_ProblemsFoundOutOfOrder_SortsByPosition()
    {
        // The loader reads defaults before scenarios, and it finds a missing expect after the scenario's other keys.
        const string yaml = """
            releases:
              r2: { version: 2.0.0 }
            scenarios:
              - name: nominal
                release: r2
                rollout: fats
                seed: x
            defaults:
              seed: y
            """;

        var problems = Assert.Throws<ScenarioValidationException>(() => ScenarioLoader.Parse(yaml, "broken.yaml")).Problems;

        problems.Select(p => $"{p.Line}:{p.Column} {p.Key}").Should().Equal(
            "4:5 scenarios[0].expect",
            "6:14 scenarios[0].rollout",
            "7:11 scenarios[0].seed",
            "9:9 defaults.seed");
    }

    [Fact]
    public void Parse_NegativeSeed_IsAccepted()
    {
        var catalog = ScenarioLoader.Parse(Valid.Replace("seed: 7", "seed: -1"), "negative-seed.yaml");

        catalog.Scenarios.Single().Simulation.Seed.Should().Be(-1);
    }

    [Fact]
    public void Parse_StepsAtTheLimits_AreAccepted()
    {
        // The scenario's own fleet of 300 devices counts, and a window may end exactly when the run ends (at 2h10m).
        var yaml = Valid.Replace("    rollout: fast", """
                rollout: fast
                fleet: { devices: 300, hardware: [{ model: gw-300 }, { model: gw-400 }] }
                duration: 2h
                faults:
                  - { kind: partition, at: 1h, duration: 70m }
                  - { kind: broker-outage, at: 130m }
                  - { kind: crash-loop, share: 1%, duration: 5h }
                operator:
                  - { at: 130m, action: retry-failed, device: 299 }
            """).Replace("image-size: 8MiB }", "image-size: 8MiB, hardware: [gw-300/A, gw-400/A] }");

        var simulation = ScenarioLoader.Parse(yaml, "limits.yaml").Scenarios.Single().Simulation;

        simulation.Faults.Should().HaveCount(3);
        simulation.Operator.Should().ContainSingle().Which.Device.Should().Be(299);
        simulation.EndMs.Should().Be(130 * 60_000);
    }

    [Fact]
    public void Parse_InvalidRunDuration_SkipsTheTimeChecks()
    {
        var yaml = Valid.Replace("    rollout: fast", "    rollout: fast\n    duration: soon\n    operator:\n      - { at: 100h, action: resume }");

        var problems = Assert.Throws<ScenarioValidationException>(() => ScenarioLoader.Parse(yaml, "broken.yaml")).Problems;

        problems.Should().ContainSingle().Which.Key.Should().Be("scenarios[0].duration");
    }

    [Fact]
    public void Load_MissingFile_ReportsWhatToDo()
    {
        var problem = Assert.Throws<ScenarioValidationException>(() => ScenarioLoader.Load("/nonexistent/scenarios.yaml")).Problems.Single();

        problem.Message.Should().Contain("does not exist");
    }

    /// <summary>Returns the repository root, found from this source file's path because test binaries may be built
    /// outside the repository.</summary>
    internal static string RepositoryRoot([System.Runtime.CompilerServices.CallerFilePath] string source = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(source)!, "..", ".."));
}
