using System.Globalization;
using FleetOta.Journal;
using FleetOta.Reports;
using FleetOta.Scenarios.Running;
using Spectre.Console;

namespace FleetOta.Cli;

/// <summary>Prints one scenario's verdicts on the console in the format chosen with --format.</summary>
internal static class VerdictOutput
{
    /// <summary>Writes one scenario's verdicts as a table (text format) or a one-line status (json and markdown,
    /// whose documents <see cref="WriteDocument"/> writes at the end).</summary>
    public static void Write(IAnsiConsole console, string format, ScenarioRunResult result, TimeSpan wall)
    {
        if (format != "text")
        {
            var met = result.Passed ? "expectations met" : "expectations not met";
            console.WriteLine($"  {met}; {Work(result)} in {wall.TotalSeconds:0.0} s");
            return;
        }

        var table = new Table().AddColumns("criterion", "verdict", "expected", "measured", "threshold", "sample");
        foreach (var check in ScenarioOutcome.Expectations(result.Report))
        {
            var actual = ScenarioOutcome.ReleaseResults(result.Report).FirstOrDefault(r => r.Id == check.Criterion);
            var verdict = check.Actual is { } v ? ScenarioOutcome.VerdictName(v) : "missing";
            var colour = check.Met ? "green" : "red";
            table.AddRow(
                Markup.Escape(check.Criterion),
                $"[{colour}]{Markup.Escape(verdict)}[/]",
                Markup.Escape(ScenarioOutcome.VerdictName(check.Expected)),
                Markup.Escape(Measured(actual)),
                Markup.Escape(Threshold(actual, result.Report.Thresholds)),
                (actual?.Sample ?? 0).ToString(CultureInfo.InvariantCulture));
        }

        console.Write(table);
        foreach (var mark in result.Report.Marks)
        {
            console.MarkupLineInterpolated($"  {mark.Label} at {mark.Minutes:0.0} min after the release start");
        }

        var control = ScenarioOutcome.ReleaseResults(result.Report).FirstOrDefault(r => r.Id == "rollout-control");
        if (control is not null)
        {
            console.MarkupLineInterpolated($"  rollout-control: {control.Summary}");
        }

        var status = result.Passed ? "[green]expectations met[/]" : "[red]expectations not met[/]";
        console.MarkupLine($"  {status}; {Work(result)} in {wall.TotalSeconds:0.0} s; report: {Markup.Escape(Path.Combine(result.Folder, ReportWriter.HtmlFile))}");
        console.WriteLine();
    }

    /// <summary>Writes the whole run's summary to standard output: a JSON array of summary.json documents, or the
    /// Markdown summaries one after the other. Text output was written scenario by scenario.</summary>
    public static void WriteDocument(TextWriter output, string format, IReadOnlyList<ScenarioRunResult> results)
    {
        var reports = results.Select(result => result.Report).ToList();
        switch (format)
        {
            case "json":
                var documents = reports.Select(report => System.Text.Encoding.UTF8.GetString(SummaryJson.Serialize(report)).Trim());
                output.WriteLine("[" + string.Join("," + Environment.NewLine, documents) + "]");
                break;
            case "markdown":
                foreach (var result in results)
                {
                    output.WriteLine(MarkdownSummary.Render(result.Report, Path.Combine(result.Folder, ReportWriter.HtmlFile)));
                }

                break;
        }
    }

    /// <summary>Returns the size of a run, such as "1,324,793 simulation events, 1,433,363 journal entries". A live run
    /// has no simulation events, so only its journal entries are given.</summary>
    private static string Work(ScenarioRunResult result) => result.Report.Run.Host == "live"
        ? $"{result.Simulation.JournalEntries:N0} journal entries"
        : $"{result.Simulation.Events:N0} simulation events, {result.Simulation.JournalEntries:N0} journal entries";

    internal static string Measured(CriterionResult? result) => result?.Measured switch
    {
        null => "-",
        { } value when result.Unit == "s" => $"{value:0.0} s",
        { } value => value.ToString("P2", CultureInfo.InvariantCulture),
    };

    private static string Threshold(CriterionResult? result, Thresholds thresholds) => result switch
    {
        null => "-",
        { Unit: "s" } => $"pause <= {thresholds.PauseWithinMinutes * 60:0} s, alert <= {thresholds.AlertWithinMinutes * 60:0} s",
        _ => ">= " + result.Threshold.ToString("P2", CultureInfo.InvariantCulture),
    };
}
