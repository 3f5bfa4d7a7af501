using System.Globalization;
using System.Text;

namespace FleetOta.Reports;

/// <summary>Writes summary.md: a short GitHub/GitLab-flavoured Markdown table for CI job summaries and
/// merge-request comments.</summary>
public static class MarkdownSummary
{
    /// <summary>Renders the summary of one scenario.</summary>
    /// <param name="reportPath">Path of the scenario's report.html as the reader should open it; null for summary.md,
    /// which sits next to report.html.</param>
    public static string Render(ScenarioReport report, string? reportPath = null)
    {
        var run = report.Run;
        var passed = ScenarioOutcome.Passed(report);
        var markdown = new StringBuilder();

        markdown.AppendLine($"### {(passed ? "\u2705" : "\u274C")} {Text(run.Scenario)} ({Text(run.ReleaseId)}): {(passed ? "passed" : "failed")}");
        markdown.AppendLine();
        markdown.AppendLine(CultureInfo.InvariantCulture,
            $"{Text(run.PreviousVersion)} \u2192 {Text(run.Version)} on {ReportText.Count(run.Devices)} devices ({Text(run.Host)} host), "
            + $"seed {Code(run.Seed.ToString(CultureInfo.InvariantCulture))}, commit {Code(run.Commit)}.");
        markdown.AppendLine();
        markdown.AppendLine("| Criterion | Measured | Threshold | Sample | Verdict | Expected | Met |");
        markdown.AppendLine("|---|---:|---:|---:|---|---|---|");
        foreach (var result in ScenarioOutcome.ReleaseResults(report))
        {
            var check = ScenarioOutcome.ExpectationFor(report, result.Id);
            markdown.AppendLine(
                $"| {Cell(result.Id)} | {Cell(ReportText.Measured(result))} | {Cell(ReportText.Threshold(result))} | "
                + $"{ReportText.Count(result.Sample)} | {ScenarioOutcome.VerdictName(result.Verdict)} | {Expected(check)} | {Met(check)} |");
        }

        foreach (var check in ScenarioOutcome.Expectations(report).Where(check => check.Actual is null))
        {
            markdown.AppendLine($"| {Cell(check.Criterion)} | {ReportText.Missing} | {ReportText.Missing} | 0 | missing | {Expected(check)} | {Met(check)} |");
        }

        markdown.AppendLine();
        markdown.AppendLine($"Reproduce: {Code(run.Command)}");
        markdown.AppendLine();
        markdown.AppendLine(reportPath is null
            ? "Full report with charts and evidence: `report.html` in this folder."
            : $"Full report with charts and evidence: {Code(reportPath)}.");
        return markdown.ToString();
    }

    private static string Expected(ExpectationCheck? check) =>
        check is null ? "\u2014" : ScenarioOutcome.VerdictName(check.Expected);

    private static string Met(ExpectationCheck? check) => check switch
    {
        null => "\u2014",
        { Met: true } => "\u2705",
        _ => "\u274C",
    };

    /// <summary>Escapes text for a table cell: pipes would end the cell and a line break would end the row.</summary>
    private static string Cell(string text) => Text(text).Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>Escapes text outside code: angle brackets and ampersands as entities so that no HTML is rendered,
    /// and line breaks as spaces so that a value never breaks the layout.</summary>
    private static string Text(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal)
            .Replace("\n", " ", StringComparison.Ordinal);

    /// <summary>Wraps text in a code span whose backtick fence is longer than any backtick run inside it.</summary>
    internal static string Code(string text)
    {
        var flat = text.Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);
        var longestRun = 0;
        var run = 0;
        foreach (var character in flat)
        {
            run = character == '`' ? run + 1 : 0;
            longestRun = Math.Max(longestRun, run);
        }

        var fence = new string('`', longestRun + 1);
        var padding = flat.StartsWith('`') || flat.EndsWith('`') ? " " : "";
        return $"{fence}{padding}{flat}{padding}{fence}";
    }
}
