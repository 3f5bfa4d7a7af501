using System.Globalization;
using System.Text;

namespace FleetOta.Reports;

/// <summary>Renders index.html: every scenario of a run grouped by release, with its verdicts and a link to its report.html.</summary>
internal static class IndexPage
{
    public static string Render(IReadOnlyList<ScenarioReport> reports, string? fontWarning)
    {
        var ordered = reports
            .OrderBy(report => report.Run.ReleaseId, StringComparer.Ordinal)
            .ThenBy(report => report.Run.Scenario, StringComparer.Ordinal)
            .ToList();
        var passedCount = ordered.Count(ScenarioOutcome.Passed);
        var allPassed = passedCount == ordered.Count;
        var html = new StringBuilder();

        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\">");
        html.AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\">");
        html.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.AppendLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        html.AppendLine($"<title>Release gate: {passedCount} of {ordered.Count} scenarios passed</title>");
        html.AppendLine($"<style>\n{Html.StyleSheet}\n</style>");
        html.AppendLine("</head>");
        html.AppendLine("<body>");
        html.AppendLine($"<header class=\"banner {(allPassed ? "passed" : "failed")}\" id=\"outcome\" data-testid=\"outcome\">");
        html.AppendLine("<h1>Release-gate scenarios</h1>");
        html.AppendLine($"<p>{passedCount} of {ordered.Count} scenarios passed.</p>");
        html.AppendLine("</header>");
        html.AppendLine("<main>");
        if (fontWarning is not null)
        {
            html.AppendLine($"<div class=\"warning\" id=\"font-warning\" data-testid=\"font-warning\" role=\"alert\">Charts may show no text: {Html.Encode(fontWarning)}</div>");
        }

        foreach (var release in ordered.GroupBy(report => report.Run.ReleaseId, StringComparer.Ordinal))
        {
            AppendRelease(html, release.Key, release.ToList());
        }

        if (ordered.Count == 0)
        {
            html.AppendLine("<section><p class=\"no-data\">No scenario reports were written in this run.</p></section>");
        }

        html.AppendLine("<footer>Each report.html is self-contained. junit.xml in this folder lists every scenario for CI.</footer>");
        html.AppendLine("</main>");
        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    private static void AppendRelease(StringBuilder html, string releaseId, IReadOnlyList<ScenarioReport> reports)
    {
        var first = reports[0].Run;
        html.AppendLine($"<section class=\"release\" data-release=\"{Html.Encode(releaseId)}\">");
        html.AppendLine($"<h2>Release {Html.Encode(releaseId)}: {Html.Encode(first.PreviousVersion)} \u2192 {Html.Encode(first.Version)}</h2>");
        html.AppendLine("<table>");
        html.Append("<thead><tr><th>Scenario</th><th>Outcome</th>");
        foreach (var criterion in ScenarioOutcome.CriterionOrder)
        {
            html.Append($"<th>{Html.Encode(criterion)}</th>");
        }

        html.AppendLine("<th class=\"num\">Seed</th><th>Report</th></tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var report in reports)
        {
            AppendScenarioRow(html, report);
        }

        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        html.AppendLine("</section>");
    }

    private static void AppendScenarioRow(StringBuilder html, ScenarioReport report)
    {
        var run = report.Run;
        var passed = ScenarioOutcome.Passed(report);
        var results = ScenarioOutcome.ReleaseResults(report);
        var href = Html.RelativeHref(ReportWriter.FolderName(run.ReleaseId), ReportWriter.FolderName(run.Scenario), ReportWriter.HtmlFile);

        html.Append($"<tr data-scenario=\"{Html.Encode(run.Scenario)}\">");
        html.Append($"<td><strong>{Html.Encode(run.Scenario)}</strong><div class=\"summary\">{Html.Encode(run.Description)}</div></td>");
        html.Append($"<td><span class=\"met {(passed ? "yes" : "no")}\">{(passed ? "&#10003; passed" : "&#10007; failed")}</span></td>");
        foreach (var criterion in ScenarioOutcome.CriterionOrder)
        {
            var result = results.FirstOrDefault(result => result.Id == criterion);
            var check = ScenarioOutcome.ExpectationFor(report, criterion);
            var title = check is null ? "no expectation" : $"expected {ScenarioOutcome.VerdictName(check.Expected)}";
            var unmet = check is { Met: false } ? $"<div class=\"met no\">&#10007; expected {ScenarioOutcome.VerdictName(check.Expected)}</div>" : "";
            html.Append($"<td title=\"{Html.Encode(title)}\">{Html.VerdictBadge(result?.Verdict)}{unmet}</td>");
        }

        html.Append($"<td class=\"num\"><code>{run.Seed.ToString(CultureInfo.InvariantCulture)}</code></td>");
        html.AppendLine($"<td><a href=\"{href}\">report</a></td></tr>");
    }
}
