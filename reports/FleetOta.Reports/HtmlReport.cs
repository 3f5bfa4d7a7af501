using System.Text;
using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>Renders report.html: one self-contained page with inline CSS and inline SVG charts and no scripts,
/// so that it opens from a CI artifact with no network.</summary>
internal static class HtmlReport
{
    /// <summary>Maximum number of evidence devices shown per result. summary.json lists them all.</summary>
    public const int MaxEvidenceDevices = 10;

    public static string Render(ScenarioReport report, IReadOnlyList<Chart> charts, string? fontWarning)
    {
        var html = new StringBuilder();
        var run = report.Run;
        var passed = ScenarioOutcome.Passed(report);

        html.AppendLine("<!DOCTYPE html>");
        html.AppendLine("<html lang=\"en\">");
        html.AppendLine("<head>");
        html.AppendLine("<meta charset=\"utf-8\">");
        html.AppendLine("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        html.AppendLine("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">");
        html.AppendLine($"<title>{Html.Encode($"{run.Scenario} ({run.ReleaseId}): {(passed ? "passed" : "failed")}")}</title>");
        html.AppendLine($"<style>\n{Html.StyleSheet}\n</style>");
        html.AppendLine("</head>");
        html.AppendLine("<body>");

        AppendBanner(html, report, passed);
        html.AppendLine("<main>");
        if (fontWarning is not null)
        {
            html.AppendLine($"<div class=\"warning\" id=\"font-warning\" data-testid=\"font-warning\" role=\"alert\">Charts may show no text: {Html.Encode(fontWarning)}</div>");
        }

        AppendVerdicts(html, report);
        AppendWaveDashboard(html, report);
        AppendCharts(html, charts);
        HtmlReportDetails.AppendEvidence(html, report);
        HtmlReportDetails.AppendThresholds(html, report.Thresholds);
        HtmlReportDetails.AppendReproduce(html, report);
        html.AppendLine("</main>");
        html.AppendLine("</body>");
        html.AppendLine("</html>");
        return html.ToString();
    }

    private static void AppendBanner(StringBuilder html, ScenarioReport report, bool passed)
    {
        var run = report.Run;
        var checks = ScenarioOutcome.Expectations(report);
        html.AppendLine($"<header class=\"banner {(passed ? "passed" : "failed")}\" id=\"outcome\" data-testid=\"outcome\">");
        html.AppendLine($"<h1>{Html.Encode(run.Scenario)}: {(passed ? "passed" : "failed")}</h1>");
        html.AppendLine($"<p>{Html.Encode(run.Description)}</p>");
        html.AppendLine($"<p>{checks.Count(check => check.Met)} of {checks.Count} expectations met.</p>");
        html.AppendLine("<dl class=\"facts\">");
        AppendFact(html, "Release", run.ReleaseId);
        AppendFact(html, "Version", $"{run.PreviousVersion} \u2192 {run.Version}");
        AppendFact(html, "Devices", ReportText.Count(run.Devices));
        AppendFact(html, "Host", run.Host);
        AppendFact(html, "Seed", run.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
        AppendFact(html, "Commit", run.Commit);
        AppendFact(html, "Run time", ReportText.Duration(run.DurationMs));
        AppendFact(html, "Generated", run.GeneratedAt);
        html.AppendLine("</dl>");
        html.AppendLine("<nav><a href=\"#verdicts\">Verdicts</a><a href=\"#waves\">Waves</a><a href=\"#charts\">Charts</a>"
            + "<a href=\"#evidence\">Evidence</a><a href=\"#thresholds\">Thresholds</a><a href=\"#reproduce\">Reproduce</a></nav>");
        html.AppendLine("</header>");
    }

    private static void AppendFact(StringBuilder html, string name, string value) =>
        html.AppendLine($"<div><dt>{Html.Encode(name)}</dt><dd>{Html.Encode(value)}</dd></div>");

    private static void AppendVerdicts(StringBuilder html, ScenarioReport report)
    {
        html.AppendLine("<section id=\"verdicts\">");
        html.AppendLine("<h2>Release-gate verdicts</h2>");
        html.AppendLine("<p class=\"summary\">Each criterion is measured over the whole release from the run's journal. "
            + "Shares come with their 95% Wilson interval and the number of devices or cases they are computed over. "
            + "An expectation is met when the verdict equals the verdict the scenario expects.</p>");
        AppendResultTable(html, "verdict-table", ScenarioOutcome.ReleaseResults(report), report, includeExpectations: true);

        var other = ScenarioOutcome.OtherResults(report);
        if (other.Count > 0)
        {
            html.AppendLine("<h3>Per-wave verdicts</h3>");
            AppendResultTable(html, "wave-verdict-table", other, report, includeExpectations: false);
        }

        html.AppendLine("</section>");
    }

    private static void AppendResultTable(
        StringBuilder html, string id, IReadOnlyList<CriterionResult> results, ScenarioReport report, bool includeExpectations)
    {
        html.AppendLine($"<table id=\"{id}\" data-testid=\"{id}\">");
        html.Append("<thead><tr><th>Criterion</th>");
        if (!includeExpectations)
        {
            html.Append("<th>Scope</th>");
        }

        html.Append("<th class=\"num\">Measured</th><th class=\"num\">Threshold</th><th class=\"num\">95% interval</th><th class=\"num\">Sample</th><th>Verdict</th>");
        html.AppendLine(includeExpectations ? "<th>Expected</th><th>Met?</th></tr></thead>" : "</tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var result in results)
        {
            html.Append($"<tr data-criterion=\"{Html.Encode(result.Id)}\">");
            html.Append($"<td><strong>{Html.Encode(ReportText.CriterionTitle(result.Id))}</strong> <code>{Html.Encode(result.Id)}</code>");
            html.Append($"<div class=\"summary\">{Html.Encode(result.Summary)}</div></td>");
            if (!includeExpectations)
            {
                html.Append($"<td>{Html.Encode(result.Scope)}</td>");
            }

            html.Append($"<td class=\"num\">{Html.Encode(ReportText.Measured(result))}</td>");
            html.Append($"<td class=\"num\">{Html.Encode(ReportText.Threshold(result))}</td>");
            html.Append($"<td class=\"num\">{Html.Encode(ReportText.Interval(result))}</td>");
            html.Append($"<td class=\"num\">{ReportText.Count(result.Sample)}</td>");
            html.Append($"<td>{Html.VerdictBadge(result.Verdict)}</td>");
            if (includeExpectations)
            {
                var check = ScenarioOutcome.ExpectationFor(report, result.Id);
                html.Append($"<td>{(check is null ? "&#8212;" : Html.VerdictBadge(check.Expected))}</td>");
                html.Append($"<td>{Html.MetBadge(check)}</td>");
            }

            html.AppendLine("</tr>");
        }

        if (includeExpectations)
        {
            AppendMissingResults(html, report);
        }

        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
    }

    /// <summary>Adds a row for every expectation whose criterion has no release-scope result, so that the reason
    /// for the failed expectation is visible in the table.</summary>
    private static void AppendMissingResults(StringBuilder html, ScenarioReport report)
    {
        foreach (var check in ScenarioOutcome.Expectations(report).Where(check => check.Actual is null))
        {
            html.Append($"<tr data-criterion=\"{Html.Encode(check.Criterion)}\">");
            html.Append($"<td><strong>{Html.Encode(ReportText.CriterionTitle(check.Criterion))}</strong> <code>{Html.Encode(check.Criterion)}</code>");
            html.Append("<div class=\"summary\">The run produced no release-scope result for this criterion.</div></td>");
            html.Append($"<td class=\"num\">{ReportText.Missing}</td><td class=\"num\">{ReportText.Missing}</td><td class=\"num\">{ReportText.Missing}</td><td class=\"num\">0</td>");
            html.Append($"<td>{Html.VerdictBadge(null)}</td><td>{Html.VerdictBadge(check.Expected)}</td><td>{Html.MetBadge(check)}</td>");
            html.AppendLine("</tr>");
        }
    }

    private static void AppendWaveDashboard(StringBuilder html, ScenarioReport report)
    {
        var limits = report.Thresholds;
        html.AppendLine("<section id=\"waves\">");
        html.AppendLine("<h2>Per-wave compliance dashboard</h2>");
        if (report.Waves.Count == 0)
        {
            html.AppendLine("<p class=\"no-data\" id=\"wave-dashboard\" data-testid=\"wave-dashboard\">No data: the run recorded no waves.</p>");
            html.AppendLine("</section>");
            return;
        }

        html.AppendLine($"<p class=\"summary\">Each figure against its gate threshold. Red cells miss the threshold; n/a means the figure was not measured for that wave. The marks compare the figure alone: a verdict above also needs its minimum sample, such as {ReportText.Count(limits.RollbackMinimumSample)} failure cases for rollback.</p>");
        html.AppendLine("<table id=\"wave-dashboard\" data-testid=\"wave-dashboard\">");
        html.AppendLine("<thead><tr><th>Wave</th><th class=\"num\">Offered</th>"
            + $"<th class=\"num\">Reach<br>{Html.Encode("≥ " + ChartSvg.ShortPercent(limits.Reach))}</th>"
            + $"<th class=\"num\">Success<br>{Html.Encode("≥ " + ChartSvg.ShortPercent(limits.Success))}</th>"
            + $"<th class=\"num\">Rollback in time<br>{Html.Encode("≥ " + ChartSvg.ShortPercent(limits.RollbackShare))}</th>"
            + $"<th class=\"num\">Peak fault rate<br>{Html.Encode("≤ " + ChartSvg.ShortPercent(limits.FaultRateLimit))}</th>"
            + $"<th class=\"num\">Remote recovery<br>{Html.Encode("≥ " + ChartSvg.ShortPercent(limits.Recovery))}</th></tr></thead>");
        html.AppendLine("<tbody>");
        foreach (var wave in report.Waves.OrderBy(wave => wave.Wave))
        {
            html.Append($"<tr><td>Wave {wave.Wave}</td><td class=\"num\">{ReportText.Count(wave.Offered)}</td>");
            html.Append(DashboardCell(wave.Reach, limits.Reach, atLeast: true));
            html.Append(DashboardCell(wave.Success, limits.Success, atLeast: true));
            html.Append(DashboardCell(wave.Rollback, limits.RollbackShare, atLeast: true));
            html.Append(DashboardCell(wave.PeakFaultRate, limits.FaultRateLimit, atLeast: false));
            html.Append(DashboardCell(wave.Recovery, limits.Recovery, atLeast: true));
            html.AppendLine("</tr>");
        }

        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        html.AppendLine("</section>");
    }

    private static string DashboardCell(double? share, double threshold, bool atLeast)
    {
        if (share is not { } value || !double.IsFinite(value))
        {
            return $"<td class=\"num\">{ReportText.Missing}</td>";
        }

        var ok = atLeast ? value >= threshold : value <= threshold;
        var mark = ok ? "&#10003;" : "&#10007;";
        return $"<td class=\"num {(ok ? "ok" : "bad")}\">{Html.Encode(ReportText.Percent(value))} {mark}</td>";
    }

    private static void AppendCharts(StringBuilder html, IReadOnlyList<Chart> charts)
    {
        html.AppendLine("<section id=\"charts\">");
        html.AppendLine("<h2>Charts</h2>");
        foreach (var chart in charts)
        {
            html.AppendLine($"<figure id=\"{chart.Id}\" data-testid=\"{chart.Id}\">");
            html.AppendLine($"<h3>{Html.Encode(chart.Title)}</h3>");
            html.AppendLine(chart.Svg ?? $"<p class=\"no-data\">{Html.Encode(chart.EmptyNote)}</p>");
            html.AppendLine($"<figcaption>{Html.Encode(chart.Caption)}</figcaption>");
            html.AppendLine("</figure>");
        }

        html.AppendLine("</section>");
    }
}
