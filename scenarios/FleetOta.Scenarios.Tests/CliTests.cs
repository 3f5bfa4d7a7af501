using System.Text.Json;
using FleetOta.Cli;

namespace FleetOta.Scenarios.Tests;

/// <summary>Runs the fleetota commands in-process and checks their exit codes and messages.</summary>
public sealed class CliTests : IDisposable
{
    private const string File = """
        defaults:
          seed: 5
          fleet: { devices: 300, initial-version: 1.0.0 }
        releases:
          r2: { version: 2.0.0, security-version: 1, image-size: 8MiB }
        rollouts:
          fast: { waves: [20%, 100%], gate: { soak: 10m } }
        scenarios:
          - name: nominal
            release: r2
            rollout: fast
            duration: 12h
            expect: { reach: pass, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: pass }
          - name: crash-loop
            release: r2
            rollout: fast
            duration: 12h
            faults: [ { kind: crash-loop, share: 10% } ]
            expect: { reach: fail, success: fail, rollback: inconclusive, recovery: pass, rollout-control: pass }
          - name: wrong-expectation
            release: r2
            rollout: fast
            duration: 12h
            expect: { reach: fail, success: pass, rollback: inconclusive, recovery: inconclusive, rollout-control: pass }
        """;

    private readonly TempFolder _temp = new();
    private readonly string _file;

    public CliTests()
    {
        _file = Path.Combine(_temp.Path, "scenarios.yaml");
        System.IO.File.WriteAllText(_file, File);
    }

    public void Dispose() => _temp.Dispose();

    private static (int Code, string Out, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Invoke(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void Validate_ValidFile_ExitsZero()
    {
        var (code, output, error) = Invoke("validate", _file);

        code.Should().Be(ExitCodes.Passed);
        output.Should().Contain("is valid: 3 scenarios.");
        error.Should().BeEmpty();
    }

    [Fact]
    public void Validate_BrokenFile_ListsEveryProblemAndExitsTwo()
    {
        var broken = Path.Combine(_temp.Path, "broken.yaml");
        System.IO.File.WriteAllText(broken, File.Replace("devices: 300", "devices: lots").Replace("soak: 10m", "soak: 10 min"));

        var (code, _, error) = Invoke("validate", broken);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("error: the scenario file is invalid (2 problems); nothing was run.");
        error.Should().Contain($"{broken}:3:21: defaults.fleet.devices (value 'lots'): must be a whole number.");
        error.Should().Contain($"{broken}:7:45: rollouts.fast.gate.soak (value '10 min'): must be a duration with a unit");
        error.Should().NotContain("   at ");
    }

    [Fact]
    public void Validate_LiveMode_AcceptsSupportedFile()
    {
        var (code, output, error) = Invoke("validate", _file, "--mode", "live");

        code.Should().Be(ExitCodes.Passed, error);
        output.Should().Contain("is valid for live mode: 3 scenarios.");
    }

    [Fact]
    public void Validate_LiveMode_ListsUnsupportedSettings()
    {
        var file = Path.Combine(_temp.Path, "flaky.yaml");
        System.IO.File.WriteAllText(file, File.Replace(
            "fleet: { devices: 300, initial-version: 1.0.0 }",
            "fleet: { devices: 300, initial-version: 1.0.0, connectivity: [ { pattern: intermittent, share: 100% } ] }"));

        var plain = Invoke("validate", file);
        var (code, _, error) = Invoke("validate", file, "--mode", "live");

        plain.Code.Should().Be(ExitCodes.Passed, plain.Error);
        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("error: scenario nominal: Connectivity pattern intermittent is not available in live mode");
        error.Should().Contain("error: scenario crash-loop: Connectivity pattern intermittent");
    }

    [Fact]
    public void Validate_MissingFile_SaysWhatToDo()
    {
        var (code, _, error) = Invoke("validate", Path.Combine(_temp.Path, "none.yaml"));

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("does not exist. Give the path of a scenario file (YAML), or run in the folder that has scenarios.yaml.");
    }

    [Fact]
    public void Run_UnknownScenario_SuggestsTheClosestName()
    {
        var (code, _, error) = Invoke("run", _file, "--scenario", "nominl", "--out", _temp.Path);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("has no scenario named 'nominl'. Did you mean 'nominal'?");
        error.Should().Contain("The scenarios are: nominal, crash-loop, wrong-expectation.");
    }

    [Fact]
    public void Run_ExpectationsMet_ExitsZeroAndWritesReports()
    {
        var output = Path.Combine(_temp.Path, "out");

        var (code, text, _) = Invoke("run", _file, "--scenario", "nominal", "--scenario", "crash-loop", "--out", output);

        code.Should().Be(ExitCodes.Passed, text);
        text.Should().Contain("nominal: release r2 (2.0.0) on 300 devices, seed 5");
        text.Should().Contain("so far 1 met their expectations, 0 did not");
        // Redirected output judges the running scenario at 25, 50 and 75% of its virtual time.
        var judgements = text.Split('\n').Where(line => line.TrimStart().StartsWith("current verdicts at ", StringComparison.Ordinal) && line.Contains(" h: reach ")).ToList();
        judgements.Should().HaveCount(6);
        judgements.Should().AllSatisfy(line => line.Should().Contain(", rollout-control "));
        text.Should().Contain("virtual time 3.0 h of 12.2 h");
        text.Should().Contain("pause <= 600 s, alert <= 300 s");
        text.Should().MatchRegex(@"expectations met; [\d,]+ simulation events, [\d,]+ journal entries in [\d.]+ s");
        text.Should().Contain("breach at").And.Contain("min after the release start");
        text.Should().Contain("Gate passed: all 2 scenarios met their expectations.");
        System.IO.File.Exists(Path.Combine(output, "index.html")).Should().BeTrue();
        System.IO.File.Exists(Path.Combine(output, "junit.xml")).Should().BeTrue();
        System.IO.File.Exists(Path.Combine(output, "r2", "crash-loop", "journal.sqlite")).Should().BeTrue();
    }

    [Fact]
    public void Run_ExpectationNotMet_ExitsOne()
    {
        var (code, text, _) = Invoke("run", _file, "--scenario", "wrong-expectation", "--out", Path.Combine(_temp.Path, "out"));

        code.Should().Be(ExitCodes.GateFailed);
        text.Should().Contain("Gate failed: 1 of 1 scenarios did not meet their expectations: wrong-expectation.");
    }

    [Fact]
    public void Run_JsonFormat_WritesOneJsonArray()
    {
        var (code, text, error) = Invoke("run", _file, "--scenario", "nominal", "--devices", "60", "--seed", "9", "--format", "json",
            "--out", Path.Combine(_temp.Path, "out"));

        code.Should().Be(ExitCodes.Passed);
        using var document = JsonDocument.Parse(text);
        document.RootElement.GetArrayLength().Should().Be(1);
        error.Should().Contain("nominal: release r2 (2.0.0) on 60 devices, seed 9");
    }

    [Fact]
    public void Run_MarkdownFormat_LinksEachReport()
    {
        var output = Path.Combine(_temp.Path, "markdown");

        var (code, text, _) = Invoke("run", _file, "--scenario", "nominal", "--format", "markdown", "--out", output);

        code.Should().Be(ExitCodes.Passed, text);
        text.Should().StartWith("### ");
        text.Should().Contain($"Full report with charts and evidence: `{Path.Combine(output, "r2", "nominal", "report.html")}`.");
        text.Should().NotContain("in this folder");
    }

    [Fact]
    public void Run_ZeroDevices_ExitsTwo()
    {
        var (code, _, error) = Invoke("run", _file, "--devices", "0");

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("--devices must be from 1 to 10,000,000, but is 0.");
    }

    [Theory]
    [InlineData("abc", "--devices must be a whole number from 1 to 10,000,000, such as 10000 or 10_000, but is 'abc'.")]
    [InlineData("20000000", "--devices must be from 1 to 10,000,000, but is 20,000,000.")]
    public void Run_InvalidDevices_ExitsTwo(string value, string message)
    {
        var (code, _, error) = Invoke("run", _file, "--devices", value);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain(message);
        error.Should().NotContain("System.");
    }

    [Fact]
    public void Run_DevicesWithSeparators_Accepted()
    {
        var output = Path.Combine(_temp.Path, "separated");

        var (code, text, _) = Invoke("run", _file, "--scenario", "nominal", "--devices", "1_00", "--seed", "1_2", "--out", output);

        code.Should().Be(ExitCodes.Passed, text);
        text.Should().Contain("nominal: release r2 (2.0.0) on 100 devices, seed 12");
    }

    [Fact]
    public void Run_RepeatedScenario_RunsOnce()
    {
        var (code, text, _) = Invoke("run", _file, "--scenario", "nominal", "--scenario", "nominal", "--out", Path.Combine(_temp.Path, "twice"));

        code.Should().Be(ExitCodes.Passed, text);
        text.Should().Contain("Gate passed: the scenario met its expectations.");
        text.Split('\n').Count(line => line.StartsWith("nominal: release", StringComparison.Ordinal)).Should().Be(1);
    }

    [Fact]
    public void Run_OutputIsFile_ExitsTwoBeforeRunning()
    {
        var file = Path.Combine(_temp.Path, "not-a-folder");
        System.IO.File.WriteAllText(file, "");

        var (code, text, error) = Invoke("run", _file, "--scenario", "nominal", "--out", file);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain($"error: --out '{file}' is a file; give a folder for the reports");
        text.Should().NotContain("virtual time", "nothing runs when the reports cannot be written");
    }

    [Theory]
    [InlineData("1.0.0+be1d5f14c0ffee0123456789", "be1d5f14c0ff")]
    [InlineData("1.0.0+abc123", "abc123")]
    [InlineData("1.0.0", null)]
    [InlineData("1.0.0+", null)]
    [InlineData("1.0.0+local-build", null)]
    [InlineData(null, null)]
    public void GitCommit_FromBuild_ReadsCommitAfterPlus(string? version, string? commit)
    {
        GitCommit.FromBuild(version).Should().Be(commit);
    }

    [Fact]
    public void Run_UnknownOption_ExitsTwoWithHelpHint()
    {
        var (code, _, error) = Invoke("run", _file, "--sed", "3");

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("error:").And.Contain("--sed");
        error.Should().Contain("Run 'fleetota --help' or 'fleetota <command> --help'");
    }

    [Fact]
    public void Run_Help_ListsEveryOptionWithDefault()
    {
        var (code, text, _) = Invoke("run", "--help");

        code.Should().Be(ExitCodes.Passed);
        foreach (var option in new[] { "--scenario", "--seed", "--devices", "--out", "--format", "--mode" })
        {
            text.Should().Contain(option);
        }

        text.Should().Contain("Default: the scenario's seed").And.Contain("Fleet size in devices").And.Contain("Default: out");
    }

    [Fact]
    public void List_ValidFile_PrintsEveryScenario()
    {
        var (code, text, _) = Invoke("list", _file);

        code.Should().Be(ExitCodes.Passed);
        text.Should().Contain("nominal").And.Contain("crash-loop").And.Contain("wrong-expectation");
    }

    [Fact]
    public void Replay_UnchangedRun_ExitsZero()
    {
        var journal = RecordCrashLoop();

        var (code, text, _) = Invoke("replay", journal);

        code.Should().Be(ExitCodes.Passed, text);
        text.Should().Contain("No difference: the current controller makes the recorded decisions.");
    }

    [Fact]
    public void Replay_AutoPauseOff_ListsDifferencesAndExitsOne()
    {
        var journal = RecordCrashLoop();

        var (code, text, _) = Invoke("replay", journal, "--auto-pause", "off", "--show", "3");

        code.Should().Be(ExitCodes.GateFailed);
        text.Should().Contain("Options: auto-pause off");
        text.Should().Contain("pauses: 1 difference");
        text.Should().Contain("recorded rollout.paused by automatic at +");
        text.Should().MatchRegex(@"\d+ differences from the recording; the first at \+\d+\.\d min\.");
    }

    [Fact]
    public void Replay_InvalidOptionValue_ExitsTwo()
    {
        var (code, _, error) = Invoke("replay", "whatever.sqlite", "--fault-limit", "lots");

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("--fault-limit 'lots' is not a share above 0");
    }

    [Fact]
    public void Replay_MissingFile_ExitsTwo()
    {
        var (code, _, error) = Invoke("replay", Path.Combine(_temp.Path, "missing.sqlite"));

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("the file does not exist. Give a journal.sqlite from a run folder or a JSON-lines file of device events.");
    }

    [Fact]
    public void Replay_TextThatIsNoRecording_ExitsTwoWithLine()
    {
        var events = Path.Combine(_temp.Path, "events.jsonl");
        System.IO.File.WriteAllText(events, "{\"t_ms\": 0, \"type\": \"start\", \"release\": \"r2\", \"version\": \"2.0.0\"}\n");

        var (code, _, error) = Invoke("replay", events);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain($"{events}:1: has no devices.");
    }

    private string RecordCrashLoop()
    {
        var output = Path.Combine(_temp.Path, "recorded");
        var (code, text, _) = Invoke("run", _file, "--scenario", "crash-loop", "--out", output);
        code.Should().Be(ExitCodes.Passed, text);
        return Path.Combine(output, "r2", "crash-loop", "journal.sqlite");
    }
}
