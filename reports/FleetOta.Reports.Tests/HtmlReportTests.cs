using System.Text.RegularExpressions;
using CsCheck;

namespace FleetOta.Reports.Tests;

public sealed class HtmlReportTests : IDisposable
{
    private static readonly string[] ChartIds =
        [ReportCharts.ReachId, ReportCharts.SuccessId, ReportCharts.RollbackId, ReportCharts.FaultRateId, ReportCharts.IncidentsId];

    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    private string WriteHtml(ScenarioReport report)
    {
        var folder = ReportWriter.WriteScenario(_output.Path, report);
        return File.ReadAllText(Path.Combine(folder, ReportWriter.HtmlFile));
    }

    [Fact]
    public void Html_FullReport_HasEverySection()
    {
        var html = WriteHtml(SampleReports.Failing());

        html.Should().Contain("id=\"verdict-table\"");
        html.Should().Contain("id=\"wave-verdict-table\"");
        html.Should().Contain("id=\"wave-dashboard\"");
        html.Should().Contain("id=\"evidence\"");
        html.Should().Contain("id=\"reproduce\"");
        html.Should().Contain("id=\"thresholds\"");
        foreach (var id in ChartIds)
        {
            html.Should().Contain($"<figure id=\"{id}\"", because: $"chart {id} must be present");
        }
    }

    [Fact]
    public void Html_FullReport_ShowsVerdictColumns()
    {
        var html = WriteHtml(SampleReports.Failing());
        var table = Regex.Match(html, "<table id=\"verdict-table\".*?</table>", RegexOptions.Singleline).Value;

        foreach (var header in new[] { "Criterion", "Measured", "Threshold", "95% interval", "Sample", "Verdict", "Expected", "Met?" })
        {
            table.Should().Contain($">{header}</th>");
        }

        table.Should().Contain("99.42%");
        table.Should().Contain("≥ 98.50%");
        table.Should().Contain("[97.60%, 98.17%]");
        table.Should().Contain("13 min");
        table.Should().Contain("≤ 10 min");
        table.Should().Contain("<span class=\"verdict inconclusive\">inconclusive</span>");
        Regex.Matches(table, "class=\"met no\"").Count.Should().Be(2);
        Regex.Matches(table, "class=\"met yes\"").Count.Should().Be(3);
    }

    [Fact]
    public void Html_FailingScenario_ShowsFailedBanner()
    {
        var html = WriteHtml(SampleReports.Failing());

        html.Should().Contain("<header class=\"banner failed\"");
        html.Should().Contain("slow-burn-faults: failed");
        html.Should().Contain("3 of 5 expectations met.");
    }

    [Fact]
    public void Html_FullReport_ShowsRunAndCommand()
    {
        var html = WriteHtml(SampleReports.Failing());

        html.Should().Contain("<code id=\"seed\">20261101</code>");
        html.Should().Contain("<code id=\"commit\">3f2a9c1d</code>");
        html.Should().Contain("--seed 20261101 --out &#39;runs/a b&#39;");
        html.Should().Contain("runs/20261101/r-2026.11/slow-burn-faults/journal.sqlite");
    }

    [Fact]
    public void Html_ReportText_IsEscaped()
    {
        var html = WriteHtml(SampleReports.Failing());

        html.Should().NotContain(SampleReports.Description);
        html.Should().Contain("Critical faults &lt;after&gt; the &quot;update&quot; &amp; a late pause");
        html.Should().Contain("status=failed &lt;timeout&gt;");
    }

    [Fact]
    public void Html_MaliciousMarkLabel_IsEscapedInsideChart()
    {
        var report = SampleReports.Failing() with { Marks = [new TimeMark("<script>alert(1)</script>", 70)] };

        var html = WriteHtml(report);

        html.Should().NotContain("<script");
        html.Should().Contain("&lt;script&gt;");
    }

    [Fact]
    public void Html_Page_IsSelfContained()
    {
        var html = WriteHtml(SampleReports.Failing());

        html.Should().NotContain("<script");
        html.Should().NotContain("<link");
        html.Should().NotContainAny("src=\"http", "src='http", "url(http", "@import");
        html.Should().Contain("<style>");
        html.Should().Contain("Content-Security-Policy");
    }

    [Fact]
    public void Html_Charts_AreInlineSvgWithAxisLabels()
    {
        var html = WriteHtml(SampleReports.Failing());

        foreach (var id in ChartIds)
        {
            Figure(html, id).Should().Contain("<svg", because: $"chart {id} must be drawn");
        }

        Figure(html, ReportCharts.ReachId).Should().Contain("Hours since release start");
        Figure(html, ReportCharts.ReachId).Should().Contain("Devices on the new version");
        Figure(html, ReportCharts.SuccessId).Should().Contain("Success share");
        Figure(html, ReportCharts.RollbackId).Should().Contain("Rollback time (s)");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("Minutes since release start");
        Figure(html, ReportCharts.IncidentsId).Should().Contain("Incidents");
    }

    [Fact]
    public void Html_Charts_DrawThresholdsAndMarks()
    {
        var html = WriteHtml(SampleReports.Failing());

        Figure(html, ReportCharts.ReachId).Should().Contain("Target 99%").And.Contain("Deadline 48 h");
        Figure(html, ReportCharts.SuccessId).Should().Contain("Target 98.5%");
        Figure(html, ReportCharts.RollbackId).Should().Contain("Limit 2 min").And.Contain("Required share 99.9%");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("Limit 0.5%");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("breach at 62 min");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("alerted at 66.5 min");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("paused at 75 min");
    }

    [Fact]
    public void Html_ChartThresholds_ComeFromReport()
    {
        var thresholds = SampleReports.DefaultThresholds with
        {
            Reach = 0.97, ReachWindowHours = 36, Success = 0.95, RollbackSeconds = 90, FaultRateLimit = 0.01,
        };

        var html = WriteHtml(SampleReports.Failing() with { Thresholds = thresholds });

        Figure(html, ReportCharts.ReachId).Should().Contain("Target 97%").And.Contain("Deadline 36 h");
        Figure(html, ReportCharts.SuccessId).Should().Contain("Target 95%");
        Figure(html, ReportCharts.RollbackId).Should().Contain("Limit 90 s");
        Figure(html, ReportCharts.FaultRateId).Should().Contain("Limit 1%");
    }

    [Fact]
    public void Html_SvgIds_AreUniqueInPage()
    {
        var html = WriteHtml(SampleReports.Failing());

        var ids = Regex.Matches(html, "\\bid=\"([^\"]+)\"").Select(match => match.Groups[1].Value).ToList();

        ids.Should().OnlyHaveUniqueItems();
        foreach (Match reference in Regex.Matches(html, @"url\(#([^)]+)\)"))
        {
            ids.Should().Contain(reference.Groups[1].Value);
        }
    }

    [Fact]
    public void Html_EmptySeries_ShowsNoDataNotes()
    {
        var html = WriteHtml(SampleReports.Empty());

        foreach (var id in ChartIds)
        {
            var figure = Figure(html, id);
            figure.Should().NotContain("<svg", because: $"chart {id} has no data");
            figure.Should().Contain("class=\"no-data\"");
            figure.Should().Contain("No data:");
        }

        html.Should().Contain("No data: the run recorded no waves.");
        html.Should().Contain("The oracles listed no evidence devices for any criterion.");
    }

    [Fact]
    public void Html_NonFiniteValues_RenderAsMissing()
    {
        var report = SampleReports.Failing() with
        {
            Results = [SampleReports.Result("reach", FleetOta.Journal.Verdict.Inconclusive, double.NaN, 0.99, "share", 0, null, null, "Nothing measured.")],
            Series = new ReportSeries([new SeriesPoint(double.NaN, 1)], [double.PositiveInfinity], [], [], []),
        };

        var html = WriteHtml(report);

        html.Should().Contain("<td class=\"num\">n/a</td>");
        Figure(html, ReportCharts.ReachId).Should().Contain("No data:");
        Figure(html, ReportCharts.RollbackId).Should().Contain("No data:");
    }

    [Fact]
    public void Html_MissingResult_ShowsFailedExpectation()
    {
        var report = SampleReports.Failing() with
        {
            Results = SampleReports.Failing().Results.Where(result => result.Id != "recovery").ToList(),
        };

        var html = WriteHtml(report);
        var table = Regex.Match(html, "<table id=\"verdict-table\".*?</table>", RegexOptions.Singleline).Value;

        table.Should().Contain("The run produced no release-scope result for this criterion.");
        table.Should().Contain("<span class=\"verdict missing\">missing</span>");
    }

    [Fact]
    public void Html_Evidence_ListsDevicesAndTimelines()
    {
        var html = WriteHtml(SampleReports.Failing());
        var evidence = Regex.Match(html, "<section id=\"evidence\".*?</section>", RegexOptions.Singleline).Value;

        evidence.Should().Contain("dev-00100");
        evidence.Should().Contain("ended on 2.3.7 after a health check failure");
        evidence.Should().Contain("bootloader.fallback slot=A");
        Regex.Matches(evidence, "<details").Count.Should().Be(HtmlReport.MaxEvidenceDevices + 2 + 3);
        evidence.Should().Contain("2 more devices are listed in summary.json.");
    }

    [Fact]
    public void Html_WaveDashboard_MarksMissedThresholds()
    {
        var html = WriteHtml(SampleReports.Failing());
        var dashboard = Regex.Match(html, "<table id=\"wave-dashboard\".*?</table>", RegexOptions.Singleline).Value;

        dashboard.Should().Contain("<td class=\"num bad\">97.90% &#10007;</td>");
        dashboard.Should().Contain("<td class=\"num bad\">0.82% &#10007;</td>");
        dashboard.Should().Contain("<td class=\"num ok\">99.50% &#10003;</td>");
        dashboard.Should().Contain("<td class=\"num\">n/a</td>");
    }

    [Fact]
    public void HtmlEncode_AnyText_LeavesNoMarkup()
    {
        Gen.String.Sample(text =>
        {
            var encoded = Html.Encode(text);
            encoded.Should().NotContainAny("<", ">", "\"", "'");
            Regex.IsMatch(encoded, "&(?!(amp|lt|gt|quot|#[0-9]+);)").Should().BeFalse();
        }, iter: 2000);
    }

    [Fact]
    public void HtmlRender_AnyDescription_IsEscaped()
    {
        Gen.String.Sample(description =>
        {
            var report = SampleReports.Failing() with { Run = SampleReports.Failing().Run with { Description = description } };
            var html = HtmlReport.Render(report, [], fontWarning: null);
            html.Should().Contain($"<p>{Html.Encode(description)}</p>");
        }, iter: 200);
    }

    [Fact]
    public void Html_FontWarning_IsShownAtTop()
    {
        var html = HtmlReport.Render(SampleReports.Failing(), [], "No fonts were found.");

        html.Should().Contain("id=\"font-warning\"");
        html.Should().Contain("No fonts were found.");
        html.IndexOf("id=\"font-warning\"", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"verdicts\"", StringComparison.Ordinal));
    }

    private static string Figure(string html, string id)
    {
        var match = Regex.Match(html, $"<figure id=\"{id}\".*?</figure>", RegexOptions.Singleline);
        match.Success.Should().BeTrue(because: $"figure {id} must exist");
        return match.Value;
    }
}
