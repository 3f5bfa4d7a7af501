using System.Globalization;
using FleetOta.Journal;
using FleetOta.Scenarios.Model;
using FleetOta.Scenarios.Oracles;
using FleetOta.Scenarios.Running;

namespace FleetOta.Scenarios.Tests;

/// <summary>Checks the verdicts judged while a scenario runs against the oracles applied afterwards to the same
/// prefix of the journal file.</summary>
public sealed class LiveVerdictTests : IDisposable
{
    private const string Expect = "expect: { reach: pass, success: pass, rollback: pass, recovery: pass, rollout-control: pass }";

    private readonly TempFolder _temp = new();

    public void Dispose() => _temp.Dispose();

    private sealed record Judgement(long VirtualTimeMs, long JournalEntries, IReadOnlyList<CriterionResult> Results)
    {
        public CriterionResult Result(string id) => Results.Single(result => result.Id == id);
    }

    /// <summary>Runs the scenario, judging at every tenth progress step (every step would repeat the oracles a
    /// hundred times), and checks each judgement against the oracles on the journal file cut at that step.</summary>
    private List<Judgement> RunAndCompare(Scenario scenario)
    {
        var judgements = new List<Judgement>();
        var steps = 0;
        var result = ScenarioRunner.Run(scenario, new RunSettings(_temp.Path), progress =>
        {
            if (steps++ % 10 == 0)
            {
                judgements.Add(new Judgement(progress.Simulation.VirtualTimeMs, progress.JournalEntries, progress.JudgeSoFar()));
            }
        });

        judgements.Should().HaveCountGreaterThan(5);
        judgements.Select(j => j.JournalEntries).Should().BeInAscendingOrder();
        var journal = JournalReader.Read(result.JournalFile);
        judgements.Last().JournalEntries.Should().BeLessThanOrEqualTo(journal.Entries.Count);
        foreach (var judgement in judgements)
        {
            var prefix = new JournalData
            {
                Run = new Dictionary<string, string>(journal.Run) { ["end_ms"] = judgement.VirtualTimeMs.ToString(CultureInfo.InvariantCulture) },
                Devices = journal.Devices,
                Releases = journal.Releases,
                Entries = journal.Entries.Where(entry => entry.Sequence <= judgement.JournalEntries).ToList(),
            };
            var expected = GateEvaluation.Evaluate(prefix, scenario.Criteria).Results.Where(r => r.Scope == "release").ToList();

            judgement.Results.Select(r => r.Id).Should().Equal(CriterionIds.All);
            judgement.Results.Select(r => (r.Id, r.Verdict, r.Measured, r.Sample)).Should()
                .Equal(expected.Select(r => (r.Id, r.Verdict, r.Measured, r.Sample)), $"the judgement at {judgement.VirtualTimeMs} ms should match");
            judgement.Results.Select(r => r.Summary).Should().Equal(expected.Select(r => r.Summary));
        }

        return judgements;
    }

    [Fact]
    public void JudgeSoFar_CrashLoop_MatchesJournalPrefix()
    {
        var scenario = SmallRuns.Load($$"""
              - name: crash-loop
                release: r2
                rollout: { waves: [20%, 100%], gate: { soak: 10m } }
                duration: 6h
                faults: [ { kind: crash-loop, share: 10% } ]
                {{Expect}}
            """);

        var judgements = RunAndCompare(scenario);

        // The first judgement comes before the first devices committed, and the last after the automatic pause.
        judgements.First().Result(CriterionIds.Reach).Measured.Should().Be(0);
        judgements.Last().Result(CriterionIds.Reach).Measured.Should().BeGreaterThan(0);
        judgements.Last().Result(CriterionIds.RolloutControl).Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public void JudgeSoFar_UnresolvedIncidents_TurnFailAfter24Hours()
    {
        var scenario = SmallRuns.Load($$"""
              - name: no-recovery
                release: r2
                rollout: { waves: [100%], recovery: { enabled: false } }
                duration: 30h
                faults: [ { kind: corrupt-in-transit, share: 10% } ]
                {{Expect}}
            """);

        var judgements = RunAndCompare(scenario);

        // An unresolved incident counts only once its 24 h window has closed, so the judgement's end time decides.
        var early = judgements.Where(j => j.VirtualTimeMs < 20 * 3_600_000L).Select(j => j.Result(CriterionIds.Recovery)).ToList();
        var late = judgements.Where(j => j.VirtualTimeMs > 26 * 3_600_000L).Select(j => j.Result(CriterionIds.Recovery)).ToList();
        early.Should().NotBeEmpty().And.OnlyContain(result => result.Verdict == Verdict.Inconclusive);
        late.Should().NotBeEmpty().And.OnlyContain(result => result.Verdict == Verdict.Fail);
    }
}
