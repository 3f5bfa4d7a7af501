using System.Text.RegularExpressions;

namespace FleetOta.Reports.Tests;

public sealed class IndexPageTests : IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    [Fact]
    public void Index_Reports_LinkEveryExistingReport()
    {
        ScenarioReport[] reports = [SampleReports.Passing(), SampleReports.Failing()];
        foreach (var report in reports)
        {
            ReportWriter.WriteScenario(_output.Path, report);
        }

        var index = ReportWriter.WriteIndex(_output.Path, reports);
        var html = File.ReadAllText(index);

        index.Should().Be(Path.Combine(Path.GetFullPath(_output.Path), "index.html"));
        var links = Regex.Matches(html, "<a href=\"([^\"]+/report\\.html)\"").Select(match => match.Groups[1].Value).ToList();
        links.Should().Equal("r-2026.11/slow-burn-faults/report.html", "r-2026.12/power-cut-during-write/report.html");
        foreach (var link in links)
        {
            File.Exists(Path.Combine(_output.Path, link)).Should().BeTrue(because: $"{link} must point at a written report");
        }
    }

    [Fact]
    public void Index_Reports_GroupByReleaseWithOutcome()
    {
        var html = File.ReadAllText(ReportWriter.WriteIndex(_output.Path, [SampleReports.Failing(), SampleReports.Passing()]));

        html.Should().Contain("1 of 2 scenarios passed.");
        html.Should().Contain("<header class=\"banner failed\"");
        html.Should().Contain("Release r-2026.11: 2.3.7 \u2192 2.4.0");
        html.Should().Contain("Release r-2026.12: 2.4.0 \u2192 2.5.0");
        html.Should().Contain("&#10007; expected pass");
        html.Should().NotContain("<script");
    }

    [Fact]
    public void Index_UnsafeIds_AreEscapedAndEncoded()
    {
        var report = SampleReports.Passing() with
        {
            Run = SampleReports.Passing().Run with { ReleaseId = "r 1/../x", Scenario = "a\"b<c>&d" },
        };

        var html = File.ReadAllText(ReportWriter.WriteIndex(_output.Path, [report]));

        html.Should().Contain("<a href=\"r-1-..-x/a-b-c--d/report.html\">");
        html.Should().Contain("a&quot;b&lt;c&gt;&amp;d");
    }

    [Fact]
    public void Index_NoReports_ShowsNote()
    {
        var html = File.ReadAllText(ReportWriter.WriteIndex(_output.Path, []));

        html.Should().Contain("No scenario reports were written in this run.");
    }
}
