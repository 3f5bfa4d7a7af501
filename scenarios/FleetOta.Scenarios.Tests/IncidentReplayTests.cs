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
        report.Differences.Should().Contain(d => d.Category == "alerts" && d.Recorded == "none");
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
        problems[4].Should().StartWith("bad.jsonl:6: is not valid JSON:");
    }

    [Fact]
    public void JsonLines_NoStartLine_IsRejected()
    {
        var problems = Assert.Throws<ReplayInputException>(() => JsonLinesReplaySource.Parse([], "empty.jsonl")).Problems;

        problems.Should().ContainSingle().Which.Should().StartWith("empty.jsonl: has no line of type start;");
    }
}
