using FleetOta.Cli;
using FleetOta.Journal;
using FleetOta.Scenarios.Replay;

namespace FleetOta.Scenarios.Tests;

public sealed class IncidentReplayTests : IDisposable
{
    private const string CrashLoop = """
          - name: crash-loop
            release: r2
            rollout: { waves: [20%, 100%], gate: { soak: 10m } }
            faults: [ { kind: crash-loop, share: 5% }, { kind: corrupt-in-transit, share: 5% } ]
            expect: { reach: fail, success: fail, rollback: inconclusive, recovery: pass, rollout-control: pass }
        """;

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private string RecordCrashLoop() => SmallRuns.Run(SmallRuns.Load(CrashLoop), _temp.Path).JournalFile;

    [Fact]
    public void Replay_UnchangedJournal_ReportsNoDifference()
    {
        var input = IncidentReplay.Load(RecordCrashLoop());

        var report = IncidentReplay.Run(input, new ReplayOverrides());

        report.Differences.Should().BeEmpty();
        report.Counts.Single(c => c.Category == "pauses").Recorded.Should().Be(1);
        report.Counts.Single(c => c.Category == "alerts").Replayed.Should().Be(1);
        report.Counts.Single(c => c.Category == "recovery").Replayed.Should().BeGreaterThan(0);
        report.Counts.Single(c => c.Category == "offers").Replayed.Should().BeGreaterThan(0);
        report.Options.Should().StartWith("auto-pause on, alert on, fault limit 0.50 % over 30 min");
    }

    [Fact]
    public void Replay_AutoPauseOff_ReportsMissingPauseAndMoreOffers()
    {
        var input = IncidentReplay.Load(RecordCrashLoop());

        var report = IncidentReplay.Run(input, new ReplayOverrides { AutoPause = false });

        var pause = report.Differences.Single(d => d.Category == "pauses");
        pause.Recorded.Should().StartWith("rollout.paused by automatic at +");
        pause.Replayed.Should().Be("none");
        report.Differences.Should().NotContain(d => d.Category == "alerts");
        var offers = report.Counts.Single(c => c.Category == "offers");
        offers.Replayed.Should().BeGreaterThan(offers.Recorded);
        report.Differences.Should().Contain(d => d.Category == "offers" && d.Recorded == "not offered" && d.Replayed.StartsWith("offered 1 time"));
        var states = report.Counts.Single(c => c.Category == "final-state");
        states.Replayed.Should().BeGreaterThan(states.Recorded);
        report.Differences.Should().Contain(d => d.Category == "final-state" && d.Recorded == "not offered");
        report.Options.Should().StartWith("auto-pause off");
    }

    [Fact]
    public void Replay_HigherFaultLimit_ReportsNeitherPauseNorAlert()
    {
        var input = IncidentReplay.Load(RecordCrashLoop());

        var report = IncidentReplay.Run(input, new ReplayOverrides { FaultLimit = 0.5 });

        report.Differences.Where(d => d.Category == "alerts").Should().ContainSingle().Which.Replayed.Should().Be("none");
        report.Differences.Where(d => d.Category == "pauses").Should().ContainSingle().Which.Replayed.Should().Be("none");
    }

    [Fact]
    public void Replay_RecoveryOff_ReportsMissingRecoveryActions()
    {
        var input = IncidentReplay.Load(RecordCrashLoop());

        var report = IncidentReplay.Run(input, new ReplayOverrides { Recovery = false });

        report.Counts.Single(c => c.Category == "recovery").Replayed.Should().Be(0);
        report.Differences.Where(d => d.Category == "recovery").Should().NotBeEmpty()
            .And.OnlyContain(d => d.Replayed == "no recovery action" && d.Device != null);
    }

    [Fact]
    public void JournalSource_DeliveredMessages_RoundTrip()
    {
        var journal = JournalReader.Read(RecordCrashLoop());

        var messages = journal.Entries.Where(e => e.Kind == JournalKind.MessageDelivered && e.Actor == "server").ToList();

        messages.Should().NotBeEmpty();
        messages.Select(e => JournalReplaySource.ToMessage(e)).Should().NotContainNulls();
        messages.Select(e => JournalReplaySource.ToMessage(e)!.Type).Distinct().Should().BeEquivalentTo(["heartbeat", "status", "fault"]);
    }

    private static readonly string[] Events =
    [
        """{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "previous_version": "1.0.0", "devices": 100}""",
        "# fifty devices connect on the old version",
        .. Enumerable.Range(0, 100).Select(d => $$"""{"t_ms": {{1000 + d}}, "type": "connect", "device": {{d}}, "version": "1.0.0"}"""),
        .. Enumerable.Range(0, 100).Select(d => $$"""{"time": "20m", "type": "heartbeat", "device": {{d}}, "version": "2.0.0"}"""),
        """{"time": "25m", "type": "fault", "device": 3, "version": "2.0.0", "code": "crash-on-start"}""",
        """{"time": "25m", "type": "status", "device": 3, "status": "rolled-back", "reason": "boot failed", "version": "1.0.0"}""",
        """{"time": "26m", "type": "disconnect", "device": 4}""",
        """{"time": "25m", "type": "pause", "actor": "automatic"}""",
        """{"time": "2h", "type": "end"}""",
    ];

    [Fact]
    public void JsonLines_DeviceEvents_ReplayPausesAsRecorded()
    {
        var input = JsonLinesReplaySource.Parse(Events, "events.jsonl");

        var report = IncidentReplay.Run(input, new ReplayOverrides());

        input.Devices.Should().Be(100);
        input.EndMs.Should().Be(2 * 3_600_000);
        report.Counts.Single(c => c.Category == "pauses").Should().Be(new ReplayCount("pauses", 1, 1));
        report.Differences.Should().NotContain(d => d.Category == "pauses");
        report.Counts.Single(c => c.Category == "alerts").Compared.Should().BeFalse();
        report.Unrecorded.Should().Contain(d => d.Category == "alerts" && d.Replayed.StartsWith("alert r2-breach-1 at +"));
        report.Differences.Should().BeEmpty();
    }

    [Fact]
    public void JsonLines_AlertWithoutId_MatchesReplayedAlert()
    {
        var input = JsonLinesReplaySource.Parse([.. Events, """{"time": "25m", "type": "alert"}"""], "events.jsonl");

        var report = IncidentReplay.Run(input, new ReplayOverrides());

        report.Counts.Single(c => c.Category == "alerts").Should().Be(new ReplayCount("alerts", 1, 1));
        report.Differences.Should().NotContain(d => d.Category == "alerts");
    }

    [Fact]
    public void JsonLines_AlertWithOtherId_ReportsDifference()
    {
        var input = JsonLinesReplaySource.Parse([.. Events, """{"time": "25m", "type": "alert", "id": "page-7"}"""], "events.jsonl");

        var report = IncidentReplay.Run(input, new ReplayOverrides());

        var alert = report.Differences.Should().ContainSingle(d => d.Category == "alerts").Which;
        alert.Recorded.Should().Be("alert page-7 at +25.0 min");
        alert.Replayed.Should().Be("alert r2-breach-1 at +25.0 min");
    }

    /// <summary>The example of docs/scenarios.md: device events and no controller decisions.</summary>
    private static readonly string[] DocsExample =
    [
        """{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "previous_version": "1.0.0", "devices": 100}""",
        """{"t_ms": 1000, "type": "connect", "device": 0, "version": "1.0.0"}""",
        """{"time": "20m", "type": "heartbeat", "device": 0, "version": "2.0.0"}""",
        """{"time": "25m", "type": "fault", "device": 3, "version": "2.0.0", "code": "crash-on-start"}""",
        """{"time": "25m", "type": "status", "device": 3, "status": "rolled-back", "reason": "boot failed", "version": "1.0.0"}""",
        """{"time": "26m", "type": "disconnect", "device": 4}""",
        """{"time": "2h", "type": "end"}""",
    ];

    [Fact]
    public void JsonLines_NoDecisions_ListsOutcomeOnly()
    {
        var input = JsonLinesReplaySource.Parse(DocsExample, "events.jsonl");

        var report = IncidentReplay.Run(input, new ReplayOverrides());

        report.Compared.Should().BeFalse();
        report.Identical.Should().BeTrue();
        report.Differences.Should().BeEmpty();
        report.Counts.Should().OnlyContain(c => !c.Compared && c.Recorded == 0);
        report.Unrecorded.Should().Contain(new ReplayDecision("waves", null, "wave 1 started at +0.0 min", 0));
        report.Unrecorded.Should().Contain(d => d.Category == "recovery" && d.Device == 3 && d.Replayed.StartsWith("retry by automatic at +"));
    }

    [Fact]
    public void Replay_DocsExample_ExitsZeroAndListsOutcome()
    {
        var file = WriteLines("events.jsonl", DocsExample);

        var (code, output, error) = Invoke("replay", file);

        code.Should().Be(ExitCodes.Passed, error);
        output.Should().Contain("│ waves       │ not recorded │ 1        │");
        output.Should().Contain("  wave 1 started at +0.0 min");
        output.Should().Contain("Nothing is compared, because the recording has no controller decisions.");
        output.Should().NotContain("difference");
    }

    [Fact]
    public void Replay_DocsExampleWithPause_ComparesOnlyPauses()
    {
        var file = WriteLines("events.jsonl", [.. DocsExample, """{"time": "25m", "type": "pause"}"""]);

        var (code, output, _) = Invoke("replay", file);

        code.Should().Be(ExitCodes.GateFailed);
        output.Should().Contain("│ pauses      │ 1            │ 0        │");
        output.Should().Contain("Not compared, because the recording has no decisions of these categories: waves, offers, alerts, recovery, final-state.");
        output.Should().Contain("  recorded rollout.paused by automatic at +25.0 min; replayed none");
        output.Should().Contain("1 difference from the recording; the first at +25.0 min.");
    }

    [Fact]
    public void Replay_MatchingPause_ExitsZeroNamingCompared()
    {
        var file = WriteLines("events.jsonl", Events);

        var (code, output, _) = Invoke("replay", file);

        code.Should().Be(ExitCodes.Passed, output);
        output.Should().Contain("No difference: the current controller makes the recorded decisions (compared: pauses).");
        output.Should().Contain("alerts (replay only): 1 decision");
    }

    [Fact]
    public void Replay_Help_ListsEveryExitCode()
    {
        var (code, output, _) = Invoke("replay", "--help");

        code.Should().Be(ExitCodes.Passed);
        output.Should().Contain("Exit code 0: no difference (or nothing to compare), 1: differences, 2: invalid input or usage.");
    }

    [Fact]
    public void JsonLines_InvalidLines_ReportsEveryProblemWithItsLine()
    {
        string[] lines =
        [
            """{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 10}""",
            """{"t_ms": 5, "type": "conect", "device": 1, "version": "1.0.0"}""",
            """{"type": "fault", "device": 1, "version": "2.0.0"}""",
            """{"t_ms": 7, "type": "status", "device": 12, "status": "succeeded", "version": "2.0.0"}""",
            """{"t_ms": 8, "type": "status", "device": 2, "status": "done", "version": "2.0.0"}""",
            "not json",
        ];

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "bad.jsonl")).Problems;

        problems.Should().HaveCount(5);
        problems[0].Should().StartWith("bad.jsonl:2: type 'conect' is not one of:").And.EndWith("Did you mean 'connect'?");
        problems[1].Should().Be("bad.jsonl:3: has no time; give t_ms (milliseconds since the recording started) or time (such as \"90m\").");
        problems[2].Should().Be("bad.jsonl:4: device 12 is outside the fleet: device numbers run from 0 to 9.");
        problems[3].Should().StartWith("bad.jsonl:5: status 'done' is not one of: offered, downloading,");
        problems[4].Should().StartWith("bad.jsonl:6: is not valid JSON at column 2: ");
    }

    [Fact]
    public void JsonLines_NoStartLine_IsRejected()
    {
        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([], "empty.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith("empty.jsonl: has no line of type start;");
    }

    private const string Start = """{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 10}""";

    [Theory]
    [InlineData("""{"t_ms": "1000", "type": "connect", "device": 1, "version": "1.0.0"}""",
        """t_ms "1000" must be a whole number of milliseconds from 0 to 31622400000 (366 days). Write the number without quotes.""")]
    [InlineData("""{"t_ms": null, "type": "connect", "device": 1, "version": "1.0.0"}""",
        """t_ms null must be a whole number of milliseconds from 0 to 31622400000 (366 days).""")]
    [InlineData("""{"t_ms": true, "type": "connect", "device": 1, "version": "1.0.0"}""",
        """t_ms true must be a whole number of milliseconds from 0 to 31622400000 (366 days).""")]
    [InlineData("""{"t_ms": 1.5, "type": "connect", "device": 1, "version": "1.0.0"}""",
        """t_ms 1.5 must be a whole number of milliseconds from 0 to 31622400000 (366 days).""")]
    [InlineData("""{"time": 90, "type": "connect", "device": 1, "version": "1.0.0"}""",
        """time 90 must be a duration with a unit: ms, s, m, h or d (such as "90m"), at most 366d. For a number of milliseconds, give t_ms instead.""")]
    [InlineData("""{"t_ms": 5, "type": "connect", "device": "3", "version": "1.0.0"}""",
        """device "3" must be a whole number from 0 to 9. Write the number without quotes.""")]
    [InlineData("""{"t_ms": 5, "type": "connect", "device": null, "version": "1.0.0"}""",
        """device null must be a whole number from 0 to 9.""")]
    [InlineData("""{"t_ms": 5, "type": "connect", "device": [3], "version": "1.0.0"}""",
        """device [3] must be a whole number from 0 to 9.""")]
    [InlineData("""{"t_ms": 5, "type": "status", "device": 3, "status": "failed", "version": "1.0.0", "sequence": "4"}""",
        """sequence "4" must be a whole number from 1 to 2147483647. Write the number without quotes.""")]
    [InlineData("""{"t_ms": 5, "type": "status", "device": 3, "status": "failed", "version": "1.0.0", "sequence": 0}""",
        """sequence 0 must be a whole number from 1 to 2147483647.""")]
    [InlineData("""{"t_ms": 5, "type": "status", "device": 3, "status": 4, "version": "1.0.0"}""",
        """status 4 must be a string, such as "4".""")]
    [InlineData("""{"t_ms": 5, "type": "heartbeat", "device": 3, "version": 2}""",
        """version 2 must be a string, such as "2".""")]
    [InlineData("""{"t_ms": 5, "type": "heartbeat", "device": 3, "version": "2.0.0", "healthy": "yes"}""",
        """healthy "yes" must be true or false, without quotes.""")]
    [InlineData("""{"t_ms": 5, "type": "fault", "device": 3, "version": "2.0.0", "code": {"id": 1}}""",
        """code {"id": 1} must be a string.""")]
    [InlineData("""{"t_ms": 5, "type": 7}""",
        """type 7 must be a string, such as "7".""")]
    [InlineData("""{"t_ms": 5, "type": "operator", "action": "pause", "device": "all"}""",
        """device "all" must be a whole number from 0 to 9.""")]
    public void JsonLines_WrongJsonType_ReportsFieldAndValue(string line, string expected)
    {
        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([Start, line], "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().Be("events.jsonl:2: " + expected);
    }

    [Theory]
    [InlineData("""{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": "100"}""",
        """devices "100" must be a whole number from 1 to 10000000. Write the number without quotes.""")]
    [InlineData("""{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 20000000}""",
        """devices 20000000 must be a whole number from 1 to 10000000.""")]
    [InlineData("""{"t_ms": 0, "type": "start", "release": 2, "version": "2.0.0", "devices": 10}""",
        """release 2 must be a string, such as "2".""")]
    [InlineData("""{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 10, "targets": "all"}""",
        """targets "all" must be a list of device numbers from 0 to 9, such as [0, 1, 2].""")]
    [InlineData("""{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 10, "targets": [1, "2"]}""",
        """targets item "2" is invalid: targets must be device numbers from 0 to 9. Write the number without quotes.""")]
    [InlineData("""{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 10, "targets": [1, 1]}""",
        """targets lists device 1 twice; list each device once.""")]
    public void JsonLines_WrongStartField_ReportsFieldAndValue(string start, string expected)
    {
        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([start], "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().Be("events.jsonl:1: " + expected);
    }

    [Fact]
    public void Replay_StringTime_ExitsTwoWithProblem()
    {
        var file = WriteLines("events.jsonl", [Start, """{"t_ms": "1000", "type": "connect", "device": 1, "version": "1.0.0"}"""]);

        var (code, _, error) = Invoke("replay", file);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain($"{file}:2: t_ms \"1000\" must be a whole number of milliseconds");
        error.Should().NotContain("InvalidOperationException");
    }

    [Fact]
    public void JsonLines_TimeAndMilliseconds_IsRejected()
    {
        string[] lines = [Start, """{"t_ms": 5, "time": "1m", "type": "connect", "device": 1, "version": "1.0.0"}"""];

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().Be(
            "events.jsonl:2: has both t_ms 5 and time \"1m\". Keep one of them: t_ms (whole milliseconds) or time (a duration such as \"90m\").");
    }

    [Fact]
    public void JsonLines_InvalidJson_ReportsColumn()
    {
        const string broken = """  {"t_ms": 5, "type": "connect", "version": "ü", oops}""";

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([Start, broken], "events.jsonl")).Problems;

        var column = broken.IndexOf("oops", StringComparison.Ordinal) + 1;
        problems.Should().ContainSingle().Which.Should().StartWith($"events.jsonl:2: is not valid JSON at column {column}: ");
        problems[0].Should().NotContain("LineNumber").And.NotContain("BytePositionInLine");
    }

    [Fact]
    public void JsonLines_TrailingComma_OmitsReaderOptionsAdvice()
    {
        const string broken = """{"t_ms": 5, "type": "connect", "device": 1, "version": "1.0.0",}""";

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([Start, broken], "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith($"events.jsonl:2: is not valid JSON at column {broken.Length}: ");
        problems[0].Should().NotContain("reader options");
    }

    [Fact]
    public void JsonLines_InvalidStartLine_ReportsRootCauseOnce()
    {
        string[] lines =
        [
            """{"t_ms": 0, "type": "start", "release": "r2", "version": "2.0.0", "devices": 0}""",
            .. Enumerable.Range(0, 50).Select(d => $$"""{"t_ms": {{1000 + d}}, "type": "connect", "device": {{d}}, "version": "1.0.0"}"""),
        ];

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "events.jsonl")).Problems;

        problems.Should().Equal(
            "events.jsonl:1: devices 0 must be a whole number from 1 to 10000000.",
            "events.jsonl: 50 lines that name a device were not checked, because the start line (line 1) is invalid.");
    }

    [Fact]
    public void JsonLines_DevicesBeforeStart_ReportsFirstLineOnce()
    {
        string[] lines =
        [
            .. Enumerable.Range(0, 3).Select(d => $$"""{"t_ms": {{1000 + d}}, "type": "connect", "device": {{d}}, "version": "1.0.0"}"""),
            Start,
        ];

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().Be(
            "events.jsonl:1: names a device before the start line (line 4). Move the start line up, because it gives the fleet size. " +
            "2 more lines name a device before it.");
    }

    [Fact]
    public void JsonLines_DevicesWithoutStart_ReportsMissingStartOnce()
    {
        var lines = Enumerable.Range(0, 30).Select(d => $$"""{"t_ms": {{1000 + d}}, "type": "connect", "device": {{d}}, "version": "1.0.0"}""").ToArray();

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "events.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith("events.jsonl: has no line of type start; give one before any line that names a device");
    }

    [Fact]
    public void JsonLines_PrettyPrintedJson_StopsAfterFirstLines()
    {
        var read = 0;
        var lines = new[] { "{", "  \"schemaVersion\": 1," }
            .Concat(Enumerable.Range(0, 10_000).Select(i => $"  \"key{i}\": {i},"))
            .Select(line =>
            {
                read++;
                return line;
            });

        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse(lines, "summary.json")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith(
            "summary.json: is not a JSON-lines file of device events, because none of its first 5 lines is a JSON object with a \"type\". " +
            "It starts like one JSON document spread over several lines (such as a summary.json).");
        read.Should().Be(5);
    }

    [Fact]
    public void JsonLines_JsonWithoutType_IsNotEventFile()
    {
        var problems = Assert.Throws<ReplayInputException>(
            () => JsonLinesReplaySource.Parse(["""{"schemaVersion": 1, "scenario": "crash-loop"}"""], "summary.json")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith(
            "summary.json: is not a JSON-lines file of device events, because its only line is not a JSON object with a \"type\". Give a journal.sqlite");
    }

    [Fact]
    public void Replay_ManyProblems_ListsFirstTwenty()
    {
        var lines = Enumerable.Range(0, 30).Select(d => $$"""{"t_ms": 5, "type": "conect", "device": {{d % 10}}, "version": "1.0.0"}""");
        var file = WriteLines("events.jsonl", [Start, .. lines]);

        var (code, _, error) = Invoke("replay", file);

        code.Should().Be(ExitCodes.Usage);
        error.Should().Contain("error: the recording cannot be replayed (30 problems; the first 20):");
        error.Should().Contain($"{file}:21: type 'conect'");
        error.Should().NotContain($"{file}:22: ");
        error.Should().Contain("  ... and 10 more problems.");
    }

    [Fact]
    public void Load_Folder_NamesTheJournalInside()
    {
        var runFolder = Directory.CreateDirectory(Path.Combine(_temp.Path, "r2", "crash-loop")).FullName;
        var journal = Path.Combine(runFolder, "journal.sqlite");
        File.Copy(RecordCrashLoop(), journal);

        var problems = Assert.Throws<ReplayInputException>(() => IncidentReplay.Load(_temp.Path)).Problems;

        problems.Should().ContainSingle().Which.Should().Be($"{_temp.Path}: is a folder, not a file. Give the journal inside it: {journal}");
    }

    [Fact]
    public void Load_FolderWithoutJournal_SaysWhatToGive()
    {
        var problems = Assert.Throws<ReplayInputException>(() => IncidentReplay.Load(_temp.Path)).Problems;

        problems.Should().ContainSingle().Which.Should().Be(
            $"{_temp.Path}: is a folder, not a file. Give a journal.sqlite from a run folder or a JSON-lines file of device events. " +
            "This folder has no journal.sqlite within three levels.");
    }

    [Fact]
    public void Load_EmptySqliteFile_ReportsEmptyFile()
    {
        var file = WriteLines("journal.sqlite", []);

        var problems = Assert.Throws<ReplayInputException>(() => IncidentReplay.Load(file)).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith($"{file}: is an empty file, so neither a journal nor a file of device events.");
    }

    [Fact]
    public void Load_SqliteNameWithoutHeader_ReportsNotJournal()
    {
        var file = WriteLines("journal.sqlite", DocsExample);

        var problems = Assert.Throws<ReplayInputException>(() => IncidentReplay.Load(file)).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith($"{file}: is not a journal, because it does not start with the SQLite header.");
    }

    private string WriteLines(string name, IEnumerable<string> lines)
    {
        var file = Path.Combine(_temp.Path, name);
        File.WriteAllLines(file, lines);
        return file;
    }

    private static (int Code, string Out, string Error) Invoke(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = CliApp.Invoke(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}
