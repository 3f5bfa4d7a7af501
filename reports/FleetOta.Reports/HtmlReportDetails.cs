using System.Globalization;
using System.Text;

namespace FleetOta.Reports;

/// <summary>The lower sections of report.html: evidence devices, thresholds and how to reproduce the run.</summary>
internal static class HtmlReportDetails
{
    public static void AppendEvidence(StringBuilder html, ScenarioReport report)
    {
        html.AppendLine("<section id=\"evidence\" data-testid=\"evidence\">");
        html.AppendLine("<h2>Evidence: worst devices</h2>");
        var results = ScenarioOutcome.ReleaseResults(report)
            .Concat(ScenarioOutcome.OtherResults(report))
            .Where(result => result.Evidence.Count > 0)
            .ToList();
        if (results.Count == 0)
        {
            html.AppendLine("<p class=\"no-data\">The oracles listed no evidence devices for any criterion.</p>");
            html.AppendLine("</section>");
            return;
        }

        html.AppendLine("<p class=\"summary\">Devices that violated a criterion, in the order the oracle ranked them, "
            + $"with their journal timelines. At most {HtmlReport.MaxEvidenceDevices} devices are shown per criterion; summary.json lists all of them.</p>");
        var firstDevice = true;
        foreach (var result in results)
        {
            html.AppendLine($"<h3>{Html.Encode(ReportText.CriterionTitle(result.Id))} ({Html.Encode(result.Scope)}): "
                + $"{Html.VerdictBadge(result.Verdict)} {ReportText.Count(result.Evidence.Count)} devices</h3>");
            foreach (var device in result.Evidence.Take(HtmlReport.MaxEvidenceDevices))
            {
                html.AppendLine($"<details{(firstDevice ? " open" : "")}>");
                html.AppendLine($"<summary><strong>Device {device.Device.ToString(CultureInfo.InvariantCulture)}</strong> "
                    + $"<code>{Html.Encode(device.Name)}</code>: {Html.Encode(device.Why)}</summary>");
                if (device.Timeline.Count == 0)
                {
                    html.AppendLine("<p class=\"summary\">The journal has no timeline for this device.</p>");
                }
                else
                {
                    html.AppendLine("<ol class=\"timeline\">");
                    foreach (var line in device.Timeline)
                    {
                        html.AppendLine($"<li>{Html.Encode(line)}</li>");
                    }

                    html.AppendLine("</ol>");
                }

                html.AppendLine("</details>");
                firstDevice = false;
            }

            var hidden = result.Evidence.Count - HtmlReport.MaxEvidenceDevices;
            if (hidden > 0)
            {
                html.AppendLine($"<p class=\"summary\">{ReportText.Count(hidden)} more devices are listed in summary.json.</p>");
            }
        }

        html.AppendLine("</section>");
    }

    public static void AppendThresholds(StringBuilder html, Thresholds limits)
    {
        html.AppendLine("<section id=\"thresholds\">");
        html.AppendLine("<h2>Thresholds</h2>");
        html.AppendLine("<table id=\"threshold-table\">");
        html.AppendLine("<thead><tr><th>Criterion</th><th>Gate</th></tr></thead>");
        html.AppendLine("<tbody>");
        AppendThreshold(html, "reach", $"≥ {ChartSvg.ShortPercent(limits.Reach)} of active targeted devices within {ReportText.Number(limits.ReachWindowHours)} h");
        AppendThreshold(html, "success", $"≥ {ChartSvg.ShortPercent(limits.Success)} per wave");
        AppendThreshold(html, "rollback", $"≤ {ReportText.Seconds(limits.RollbackSeconds)} in ≥ {ChartSvg.ShortPercent(limits.RollbackShare)} of failure cases, "
            + $"at least {ReportText.Count(limits.RollbackMinimumSample)} failure devices for a verdict other than inconclusive");
        AppendThreshold(html, "recovery", $"≥ {ChartSvg.ShortPercent(limits.Recovery)} of update-caused incidents resolved remotely within {ReportText.Number(limits.RecoveryWindowHours)} h");
        AppendThreshold(html, "rollout-control", $"rate > {ChartSvg.ShortPercent(limits.FaultRateLimit)} over a {ReportText.Number(limits.FaultWindowMinutes)} min window: "
            + $"paused ≤ {ReportText.Number(limits.PauseWithinMinutes)} min, alerted ≤ {ReportText.Number(limits.AlertWithinMinutes)} min after the breach");
        html.AppendLine("</tbody>");
        html.AppendLine("</table>");
        html.AppendLine("</section>");
    }

    public static void AppendReproduce(StringBuilder html, ScenarioReport report)
    {
        var run = report.Run;
        html.AppendLine("<section id=\"reproduce\" data-testid=\"reproduce\">");
        html.AppendLine("<h2>Reproduce this run</h2>");
        html.AppendLine("<p class=\"summary\">A simulation run with the same scenario file, seed and commit produces the same journal and the same verdicts.</p>");
        html.AppendLine("<table>");
        html.AppendLine($"<tr><th>Scenario</th><td><code>{Html.Encode(run.Scenario)}</code></td></tr>");
        html.AppendLine($"<tr><th>Seed</th><td><code id=\"seed\">{run.Seed.ToString(CultureInfo.InvariantCulture)}</code></td></tr>");
        html.AppendLine($"<tr><th>Commit</th><td><code id=\"commit\">{Html.Encode(run.Commit)}</code></td></tr>");
        html.AppendLine($"<tr><th>Host</th><td>{Html.Encode(run.Host)}</td></tr>");
        html.AppendLine($"<tr><th>Journal</th><td><code>{Html.Encode(report.JournalFile)}</code></td></tr>");
        html.AppendLine("</table>");
        html.AppendLine("<h3>Command</h3>");
        html.AppendLine($"<pre id=\"command\" data-testid=\"command\"><code>{Html.Encode(run.Command)}</code></pre>");
        html.AppendLine("<h3>Query the journal</h3>");
        html.AppendLine($"<pre><code>{Html.Encode($"sqlite3 {ShellQuote(report.JournalFile)} \"SELECT t_ms, kind, device, status, detail FROM events WHERE kind = 'rollout.paused'\"")}</code></pre>");
        html.AppendLine("<p class=\"summary\">Also in this folder: <a href=\"summary.json\">summary.json</a>, "
            + "<a href=\"junit.xml\">junit.xml</a> and <a href=\"summary.md\">summary.md</a>.</p>");
        html.AppendLine("</section>");
    }

    /// <summary>Quotes a path for a POSIX shell, so that a copied command works for paths with spaces or quotes.</summary>
    private static string ShellQuote(string text) => "'" + text.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    private static void AppendThreshold(StringBuilder html, string criterion, string gate) =>
        html.AppendLine($"<tr><td>{Html.Encode(ReportText.CriterionTitle(criterion))} <code>{Html.Encode(criterion)}</code></td><td>{Html.Encode(gate)}</td></tr>");
}
