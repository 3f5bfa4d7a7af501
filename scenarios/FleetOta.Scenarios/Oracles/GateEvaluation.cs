using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Model;

namespace FleetOta.Scenarios.Oracles;

/// <summary>The five criteria of one run, computed from its journal alone, with the per-wave figures and the chart
/// series of the report.</summary>
public sealed record GateEvaluation(
    IReadOnlyList<CriterionResult> Results,
    IReadOnlyList<WaveRow> Waves,
    ReportSeries Series,
    IReadOnlyList<TimeMark> Marks)
{
    public static GateEvaluation Evaluate(JournalData journal, CriteriaThresholds criteria)
    {
        var facts = JournalFacts.Build(journal);
        var reach = ReachOracle.Evaluate(facts, criteria);
        var success = SuccessOracle.Evaluate(facts, criteria);
        var rollback = RollbackOracle.Evaluate(facts, criteria);
        var recovery = RecoveryOracle.Evaluate(facts, criteria);
        var control = RolloutControlOracle.Evaluate(facts, criteria);

        var results = new List<CriterionResult> { reach.Result, success.Release, rollback.Result, recovery.Result, control.Result };
        results.AddRange(success.Waves);
        var start = Math.Max(facts.ReleaseStartMs, 0);
        return new GateEvaluation(
            results,
            WaveRows(facts, criteria, reach, success, rollback, recovery, control),
            BuildSeries(facts, start, reach, rollback, recovery, control),
            BuildMarks(start, control));
    }

    private static List<WaveRow> WaveRows(
        JournalFacts facts, CriteriaThresholds criteria, ReachOracle.Outcome reach, SuccessOracle.Outcome success,
        RollbackOracle.Outcome rollback, RecoveryOracle.Outcome recovery, RolloutControlOracle.Outcome control)
    {
        var waveStarts = facts.Journal.Entries.Where(e => e.Kind == JournalKind.WaveStarted).Select(e => e.TimeMs).ToList();
        var rows = new List<WaveRow>();
        for (var w = 1; w <= facts.WaveCount; w++)
        {
            var wave = w;
            bool InWave(int device) => facts.Wave[device] == wave;

            var activeInWave = Enumerable.Range(0, facts.Devices).Where(d => InWave(d) && reach.Active[d]).ToList();
            var cases = rollback.Cases.Where(c => InWave(c.Device)).ToList();
            var incidents = recovery.Incidents.Where(i => InWave(i.Device) && !i.Censored).ToList();
            var from = (waveStarts.ElementAtOrDefault(w - 1) - Math.Max(facts.ReleaseStartMs, 0)) / 60_000.0;
            var to = w < waveStarts.Count ? (waveStarts[w] - Math.Max(facts.ReleaseStartMs, 0)) / 60_000.0 : double.MaxValue;
            var rates = control.RateOverTime.Where(p => p.Minutes - facts.ReleaseStartMs / 60_000.0 >= from
                                                        && p.Minutes - facts.ReleaseStartMs / 60_000.0 < to).Select(p => p.Rate).ToList();
            rows.Add(new WaveRow(
                w,
                success.Offered.ElementAtOrDefault(w),
                activeInWave.Count == 0 ? null : (double)activeInWave.Count(d => reach.Reached[d]) / activeInWave.Count,
                success.Waves.FirstOrDefault(r => r.Scope == $"wave {w}")?.Measured,
                cases.Count == 0 ? null : (double)cases.Count(c => c.DurationMs >= 0 && c.DurationMs <= criteria.RollbackWithinMs) / cases.Count,
                rates.Count == 0 ? null : rates.Max(),
                incidents.Count == 0 ? null : (double)incidents.Count(i => i.ResolvedMs >= 0) / incidents.Count));
        }

        return rows;
    }

    private static ReportSeries BuildSeries(
        JournalFacts facts, long start, ReachOracle.Outcome reach, RollbackOracle.Outcome rollback, RecoveryOracle.Outcome recovery,
        RolloutControlOracle.Outcome control)
    {
        var startMinutes = start / 60_000.0;
        var open = new List<SeriesPoint>();
        var resolved = new List<SeriesPoint>();
        var incidents = recovery.Incidents;
        var horizon = Math.Min(facts.EndMs - start, 48 * 3_600_000L);
        for (var t = 0L; t <= horizon; t += 30 * 60_000)
        {
            var at = start + t;
            var opened = incidents.Count(i => i.StartMs <= at);
            var closed = incidents.Count(i => i.ResolvedMs >= 0 && i.ResolvedMs <= at);
            open.Add(new SeriesPoint(t / 3_600_000.0, opened - closed));
            resolved.Add(new SeriesPoint(t / 3_600_000.0, closed));
        }

        return new ReportSeries(
            reach.OverTime.Select(p => new SeriesPoint(p.Hours, p.Share)).ToList(),
            rollback.Cases.Select(c => c.DurationMs < 0 ? double.PositiveInfinity : c.DurationMs / 1000.0).ToList(),
            control.RateOverTime.Where(p => p.Minutes >= startMinutes).Select(p => new SeriesPoint(p.Minutes - startMinutes, p.Rate)).ToList(),
            open,
            resolved);
    }

    private static List<TimeMark> BuildMarks(long start, RolloutControlOracle.Outcome control)
    {
        var marks = new List<TimeMark>();
        void Add(string label, long ms)
        {
            if (ms >= 0)
            {
                marks.Add(new TimeMark(label, (ms - start) / 60_000.0));
            }
        }

        Add("breach", control.BreachMs);
        Add("paused", control.PauseMs);
        Add("alerted", control.AlertMs);
        return marks;
    }
}
