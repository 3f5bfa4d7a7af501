using System.Diagnostics;
using System.Globalization;
using FleetOta.Emulator.Simulation;
using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Running;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace FleetOta.Cli;

/// <summary>Shows a run's progress: the virtual time, the devices updated, the rollout phase, the current verdicts of
/// the running scenario and the tally of the scenarios finished so far. A terminal gets a live display that updates
/// in place, and redirected output (as in CI) gets plain lines at every quarter of the virtual time.</summary>
internal static class ProgressDisplay
{
    private const int BarWidth = 40;

    /// <summary>Least wall time between two judgements of the current verdicts on a terminal.</summary>
    private static readonly TimeSpan MinimumJudgeInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>After a judgement that took t, the next one waits at least this many times t, so judging takes at
    /// most a fifth of the wall time however large the journal grows.</summary>
    private const int JudgeCostFactor = 4;

    public static T Run<T>(IAnsiConsole console, string name, string tally, Func<Action<ScenarioProgress>, T> work) =>
        console.Profile.Capabilities.Interactive ? RunLive(console, name, tally, work) : RunPlain(console, tally, work);

    private static T RunPlain<T>(IAnsiConsole console, string tally, Func<Action<ScenarioProgress>, T> work)
    {
        var nextQuarter = 1;
        return work(progress =>
        {
            var step = progress.Simulation;
            var share = Share(step);
            if (share * 4 < nextQuarter)
            {
                return;
            }

            nextQuarter = (int)(share * 4) + 1;
            console.WriteLine($"{Describe(step)}; {tally}");
            // The final verdicts follow at the end of the run, so only the quarters before it are judged here.
            if (step.VirtualTimeMs < step.EndMs)
            {
                console.WriteLine("  " + Verdicts(progress.JudgeSoFar(), step.VirtualTimeMs, markup: false));
            }
        });
    }

    private static T RunLive<T>(IAnsiConsole console, string name, string tally, Func<Action<ScenarioProgress>, T> work)
    {
        T result = default!;
        var clock = Stopwatch.StartNew();
        var verdicts = "[grey]current verdicts: not judged yet[/]";
        var nextJudgement = TimeSpan.Zero;
        console.Live(Render(name, null, verdicts, tally, clock.Elapsed))
            .AutoClear(true)
            .Start(context =>
            {
                result = work(progress =>
                {
                    var step = progress.Simulation;
                    if (step.VirtualTimeMs < step.EndMs && clock.Elapsed >= nextJudgement)
                    {
                        var started = clock.Elapsed;
                        verdicts = Verdicts(progress.JudgeSoFar(), step.VirtualTimeMs, markup: true);
                        var cost = clock.Elapsed - started;
                        nextJudgement = clock.Elapsed + TimeSpan.FromTicks(Math.Max(MinimumJudgeInterval.Ticks, cost.Ticks * JudgeCostFactor));
                    }

                    context.UpdateTarget(Render(name, step, verdicts, tally, clock.Elapsed));
                    context.Refresh();
                });
            });
        return result;
    }

    private static Rows Render(string name, SimulationProgress? step, string verdicts, string tally, TimeSpan elapsed)
    {
        var share = step is null ? 0 : Share(step);
        var filled = (int)Math.Round(share * BarWidth);
        var bar = $"[green]{new string('━', filled)}[/][grey]{new string('━', BarWidth - filled)}[/]";
        var lines = new List<IRenderable>
        {
            new Markup($"[bold]{Markup.Escape(name)}[/]: {Markup.Escape(step is null ? "starting" : Describe(step))}"),
            new Markup($"{bar} {share.ToString("P0", CultureInfo.InvariantCulture)}, {elapsed:hh\\:mm\\:ss} elapsed"),
            new Markup(verdicts),
            new Markup($"[grey]{Markup.Escape(tally)}[/]"),
        };
        return new Rows(lines);
    }

    private static double Share(SimulationProgress step) => step.EndMs == 0 ? 1 : (double)step.VirtualTimeMs / step.EndMs;

    private static string Describe(SimulationProgress progress) =>
        $"virtual time {progress.VirtualTimeMs / 3_600_000.0:0.0} h of {progress.EndMs / 3_600_000.0:0.0} h, " +
        $"{progress.DevicesUpdated} of {progress.Devices} devices updated, rollout {progress.Phase.ToLowerInvariant()}";

    /// <summary>Formats the provisional verdicts on one line, such as "current verdicts at 12.0 h: reach fail 12.30 %, ...,
    /// rollback inconclusive (n = 3), ...". The sample size is shown where it makes the verdict inconclusive.</summary>
    internal static string Verdicts(IReadOnlyList<CriterionResult> results, long virtualTimeMs, bool markup)
    {
        var parts = results.Select(result =>
        {
            var verdict = ScenarioOutcome.VerdictName(result.Verdict);
            var figure = result.Measured is null ? "" : " " + VerdictOutput.Measured(result);
            if (result.Verdict == Verdict.Inconclusive)
            {
                figure += $" (n = {result.Sample.ToString("N0", CultureInfo.InvariantCulture)})";
            }

            if (!markup)
            {
                return $"{result.Id} {verdict}{figure}";
            }

            var colour = result.Verdict switch
            {
                Verdict.Pass => "green",
                Verdict.Fail => "red",
                _ => "yellow",
            };
            return $"{Markup.Escape(result.Id)} [{colour}]{verdict}[/]{Markup.Escape(figure)}";
        });
        return $"current verdicts at {virtualTimeMs / 3_600_000.0:0.0} h: " + string.Join(", ", parts);
    }
}
