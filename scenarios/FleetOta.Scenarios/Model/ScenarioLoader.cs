using FleetOta.Agent;
using FleetOta.Emulator.Fleet;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Protocol;
using FleetOta.Server;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace FleetOta.Scenarios.Model;

/// <summary>Loads and validates a scenario file. Every problem is collected and reported together, with file,
/// line, column, key, value and what is allowed; nothing runs from an invalid file.</summary>
public static partial class ScenarioLoader
{
    private static readonly Dictionary<string, Verdict> Verdicts = new(StringComparer.Ordinal)
    {
        ["pass"] = Verdict.Pass,
        ["fail"] = Verdict.Fail,
        ["inconclusive"] = Verdict.Inconclusive,
    };

    public static ScenarioCatalog Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new ScenarioValidationException(
            [
                new ValidationProblem(path, 0, 0, "(file)", null,
                    "does not exist. Give the path of a scenario file, or run in a folder that has scenarios.yaml."),
            ]);
        }

        return Parse(File.ReadAllText(path), path);
    }

    public static ScenarioCatalog Parse(string text, string file)
    {
        var problems = new ProblemList(file);
        var stream = LoadYaml(text, file, out var documentStarts);
        if (stream.Documents.Count == 0)
        {
            throw new ScenarioValidationException(
                [new ValidationProblem(file, 1, 1, "(file)", null, "is empty; a scenario file needs releases and scenarios, and may have defaults and rollouts.")]);
        }

        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new ScenarioValidationException(
                [new ValidationProblem(file, 1, 1, "(root)", null, "must be a mapping with the keys defaults, releases, rollouts and scenarios.")]);
        }

        if (stream.Documents.Count > 1)
        {
            problems.Add(documentStarts[1], "(file)", null,
                "starts a second YAML document, and a scenario file is one document. Remove this '---' and move what follows it into the first document.");
        }

        var top = new YamlNodeReader(root, "", problems, "defaults", "releases", "rollouts", "scenarios");
        var defaults = ReadDefaults(top);
        var releases = ReadReleases(top);
        var rollouts = ReadRollouts(top);
        var scenarios = ReadScenarios(top, defaults, releases, rollouts);
        if (problems.Items.Count > 0)
        {
            throw new ScenarioValidationException(problems.Items.OrderBy(problem => problem.Line).ThenBy(problem => problem.Column).ToList());
        }

        return new ScenarioCatalog(file, scenarios);
    }

    /// <summary>The defaults section. <paramref name="FleetValid"/> is false when the fleet had a problem, so that no
    /// check of a scenario against its fleet reports a fallback value.</summary>
    private sealed record Defaults(long Seed, FleetSpec Fleet, CriteriaThresholds Criteria, AgentOptions Agent, DeviceTiming Timing, bool FleetValid = true);

    private static Defaults ReadDefaults(YamlNodeReader top)
    {
        var reader = top.Mapping("defaults", "seed", "fleet", "criteria", "agent", "timing");
        if (reader is null)
        {
            return new Defaults(1, new FleetSpec(), new CriteriaThresholds(), new AgentOptions(), new DeviceTiming());
        }

        var seed = reader.Integer("seed", 1);
        var problemsBefore = reader.Problems.Items.Count;
        var fleet = ReadFleet(reader, new FleetSpec());
        var fleetValid = reader.Problems.Items.Count == problemsBefore;
        return new Defaults(
            seed,
            fleet,
            ReadCriteria(reader, new CriteriaThresholds()),
            ReadAgent(reader, new AgentOptions()),
            ReadTiming(reader, new DeviceTiming()),
            fleetValid);
    }

    private static Dictionary<string, ReleaseSpec> ReadReleases(YamlNodeReader top)
    {
        var releases = new Dictionary<string, ReleaseSpec>(StringComparer.Ordinal);
        var reader = top.Find("releases");
        if (reader is null)
        {
            top.Problems.Add(top.Node, "releases", null, "is missing; define at least one release with its version.");
            return releases;
        }

        if (reader is not YamlMappingNode mapping)
        {
            top.Problems.Add(reader, "releases", null, "must be a mapping from release id to its version, security-version and image-size.");
            return releases;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var id = (key as YamlScalarNode)?.Value ?? "";
            if (value is not YamlMappingNode releaseNode)
            {
                top.Problems.Add(value, $"releases.{id}", null, "must be a mapping with version, security-version and image-size.");
                continue;
            }

            var release = new YamlNodeReader(releaseNode, $"releases.{id}", top.Problems, "version", "security-version", "image-size", "hardware");
            releases[id] = new ReleaseSpec(
                id,
                release.RequiredString("version", "the version the release installs, such as 2.0.0"),
                (int)release.Integer("security-version", 1, 0, int.MaxValue),
                release.Bytes("image-size", 64L << 20),
                ReadHardwareList(release));
        }

        return releases;
    }

    private static List<HardwareTarget>? ReadHardwareList(YamlNodeReader reader)
    {
        var sequence = reader.Sequence("hardware");
        if (sequence is null)
        {
            return null;
        }

        var targets = new List<HardwareTarget>();
        foreach (var item in sequence.Children)
        {
            var text = (item as YamlScalarNode)?.Value ?? "";
            var parts = text.Split('/');
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                reader.Problems.Add(item, reader.Key("hardware"), text, "must list entries as model/revision, such as gw-300/A.");
                continue;
            }

            targets.Add(new HardwareTarget(parts[0], parts[1]));
        }

        return targets;
    }

    private static Dictionary<string, RolloutOptions> ReadRollouts(YamlNodeReader top)
    {
        var rollouts = new Dictionary<string, RolloutOptions>(StringComparer.Ordinal) { ["default"] = new RolloutOptions() };
        var node = top.Find("rollouts");
        if (node is null)
        {
            return rollouts;
        }

        if (node is not YamlMappingNode mapping)
        {
            top.Problems.Add(node, "rollouts", null, "must be a mapping from rollout name to its waves, gate and monitor.");
            return rollouts;
        }

        foreach (var (key, value) in mapping.Children)
        {
            var name = (key as YamlScalarNode)?.Value ?? "";
            if (value is not YamlMappingNode rolloutNode)
            {
                top.Problems.Add(value, $"rollouts.{name}", null, "must be a mapping.");
                continue;
            }

            // A named rollout may build on one defined above it, or on the controller's defaults.
            var reader = new YamlNodeReader(rolloutNode, $"rollouts.{name}", top.Problems, RolloutKeys);
            var baseline = reader.Has("base") ? LookUpRollout(reader, "base", reader.String("base", "default")!, rollouts) : new RolloutOptions();
            rollouts[name] = ReadRollout(reader, baseline);
        }

        return rollouts;
    }

    private static List<Scenario> ReadScenarios(
        YamlNodeReader top, Defaults defaults, Dictionary<string, ReleaseSpec> releases, Dictionary<string, RolloutOptions> rollouts)
    {
        var scenarios = new List<Scenario>();
        var sequence = top.Sequence("scenarios");
        if (sequence is null)
        {
            if (!top.Has("scenarios"))
            {
                top.Problems.Add(top.Node, "scenarios", null, "is missing; list at least one scenario with a name and a release.");
            }

            return scenarios;
        }

        if (sequence.Children.Count == 0)
        {
            top.Problems.Add(sequence, "scenarios", null, "is empty; list at least one scenario with a name and a release.");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < sequence.Children.Count; i++)
        {
            if (sequence.Children[i] is not YamlMappingNode node)
            {
                top.Problems.Add(sequence.Children[i], $"scenarios[{i}]", null, "must be a mapping with name, release and expect.");
                continue;
            }

            var scenario = ReadScenario(new YamlNodeReader(node, $"scenarios[{i}]", top.Problems, ScenarioKeys), defaults, releases, rollouts);
            if (scenario is null)
            {
                continue;
            }

            if (!names.Add(scenario.Name))
            {
                var nameNode = node.Children.First(pair => pair.Key is YamlScalarNode { Value: "name" }).Value;
                top.Problems.Add(nameNode, $"scenarios[{i}].name", scenario.Name, "is used by another scenario; scenario names must be unique.");
            }

            scenarios.Add(scenario);
        }

        return scenarios;
    }

    private static readonly string[] ScenarioKeys =
    [
        "name", "description", "release", "rollout", "seed", "fleet", "release-at", "duration", "faults", "operator", "criteria",
        "expect", "agent", "timing",
    ];

    private static Scenario? ReadScenario(
        YamlNodeReader reader, Defaults defaults, Dictionary<string, ReleaseSpec> releases, Dictionary<string, RolloutOptions> rollouts)
    {
        var name = reader.RequiredString("name", "a unique scenario name such as nominal");
        var releaseId = reader.RequiredString("release", "the id of a release defined under releases");
        var release = releases.GetValueOrDefault(releaseId);
        if (release is null && releaseId.Length > 0)
        {
            var suggestion = Suggestions.Closest(releaseId, releases.Keys);
            reader.Problems.Add(reader.Find("release")!, reader.Key("release"), releaseId,
                $"is not a release defined under releases ({string.Join(", ", releases.Keys)})." +
                (suggestion is null ? "" : $" Did you mean '{suggestion}'?"));
        }

        var rollout = ReadScenarioRollout(reader, rollouts);
        var problemsBefore = reader.Problems.Items.Count;
        var fleet = reader.Mapping("fleet", FleetKeys) is { } fleetReader ? ReadFleetKeys(fleetReader, defaults.Fleet) : defaults.Fleet;
        var fleetValid = defaults.FleetValid && reader.Problems.Items.Count == problemsBefore;
        var criteria = ReadCriteria(reader, defaults.Criteria);

        problemsBefore = reader.Problems.Items.Count;
        var releaseAtMs = reader.DurationMs("release-at", 10 * 60_000);
        var durationMs = reader.PositiveDurationMs("duration", 48 * 3_600_000L);
        var timesValid = reader.Problems.Items.Count == problemsBefore;
        var limits = new RunLimits(fleetValid ? fleet.Devices : null, timesValid ? releaseAtMs : null, timesValid ? durationMs : null);

        var simulation = new SimulationSpec
        {
            Name = name,
            Seed = reader.Integer("seed", defaults.Seed),
            Fleet = fleet,
            Release = release ?? new ReleaseSpec("invalid", "0", 0, 1),
            ReleaseAtMs = releaseAtMs,
            DurationAfterReleaseMs = durationMs,
            Rollout = rollout,
            Agent = ReadAgent(reader, defaults.Agent),
            Timing = ReadTiming(reader, defaults.Timing),
            Faults = ReadFaults(reader, limits),
            Operator = ReadOperator(reader, limits),
        };

        if (release is not null && simulation.Release.SecurityVersion < fleet.InitialSecurityVersion)
        {
            reader.Problems.Add(reader.Find("release")!, reader.Key("release"), releaseId,
                $"has security version {release.SecurityVersion}, below the fleet's {fleet.InitialSecurityVersion}; every device would reject it.");
        }

        if (release is not null && fleetValid)
        {
            CheckReleaseHardware(reader, release, fleet);
        }

        var expected = ReadExpectations(reader);
        return name.Length == 0 ? null : new Scenario(name, reader.String("description", "")!, simulation, criteria, expected,
            (int)reader.Node.Start.Line);
    }

    /// <summary>Reports the release's hardware entries that no device of the scenario's fleet has. The release
    /// reaches only devices with listed hardware, so such an entry is a typo or targets nothing.</summary>
    private static void CheckReleaseHardware(YamlNodeReader reader, ReleaseSpec release, FleetSpec fleet)
    {
        if (release.Hardware is null)
        {
            return;
        }

        var fleetHardware = fleet.Hardware.Where(share => share.Weight > 0).Select(share => share.Value).Distinct().ToList();
        var missing = release.Hardware.Where(target => !fleetHardware.Contains(target)).Distinct().ToList();
        if (missing.Count == 0)
        {
            return;
        }

        reader.Problems.Add(reader.Find("release")!, reader.Key("release"), release.Id,
            $"lists hardware that no device of the fleet has: {FormatHardware(missing)}. The fleet has {FormatHardware(fleetHardware)}. " +
            $"Remove it from releases.{release.Id}.hardware, or add it to the fleet's hardware.");
    }

    private static string FormatHardware(IEnumerable<HardwareTarget> hardware) =>
        string.Join(", ", hardware.Select(target => $"{target.Model}/{target.Revision}"));

    /// <summary>The limits that a scenario's faults and operator steps must keep: the file's own fleet size, and the
    /// release time and run length in milliseconds. A <c>fleetota run --devices</c> override comes later and is not
    /// checked here. A limit is null when the file's value is invalid, so that no check reports a fallback.</summary>
    private sealed record RunLimits(int? Devices, long? ReleaseAtMs, long? DurationMs)
    {
        public long? EndMs => ReleaseAtMs + DurationMs;

        public string DescribeEnd() =>
            $"{Units.FormatDuration(EndMs ?? 0)} (release-at {Units.FormatDuration(ReleaseAtMs ?? 0)} plus duration {Units.FormatDuration(DurationMs ?? 0)})";
    }

    private static Dictionary<string, Verdict> ReadExpectations(YamlNodeReader reader)
    {
        var expected = new Dictionary<string, Verdict>(StringComparer.Ordinal);
        var expect = reader.Mapping("expect", CriterionIds.All.ToArray());
        if (expect is null)
        {
            reader.Problems.Add(reader.Node, reader.Key("expect"), null,
                "is missing; give the expected verdict (pass, fail or inconclusive) of each criterion: " + string.Join(", ", CriterionIds.All) + ".");
            return expected;
        }

        foreach (var id in CriterionIds.All)
        {
            if (!expect.Has(id))
            {
                expect.Problems.Add(expect.Node, expect.Key(id), null, "is missing; every criterion needs an expected verdict: pass, fail or inconclusive.");
                continue;
            }

            expected[id] = expect.Choice(id, Verdict.Pass, Verdicts);
        }

        return expected;
    }
}
