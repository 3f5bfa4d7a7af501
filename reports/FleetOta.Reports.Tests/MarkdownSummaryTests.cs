using FleetOta.Journal;

namespace FleetOta.Reports.Tests;

public sealed class MarkdownSummaryTests : IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    [Fact]
    public void Markdown_Scenario_HasTableRowPerCriterion()
    {
        var folder = ReportWriter.WriteScenario(_output.Path, SampleReports.Failing());

        var lines = File.ReadAllLines(Path.Combine(folder, ReportWriter.MarkdownFile));

        lines[0].Should().Be("### \u274C slow-burn-faults (r-2026.11): failed");
        lines.Should().Contain("| Criterion | Measured | Threshold | Sample | Verdict | Expected | Met |");
        lines.Should().Contain("| reach | 99.42% | ≥ 99.00% | 9,870 | pass | pass | \u2705 |");
        lines.Should().Contain("| success | 97.90% | ≥ 98.50% | 10,000 | fail | pass | \u274C |");
        lines.Should().Contain("| rollout-control | 13 min | ≤ 10 min | 1 | fail | pass | \u274C |");
        lines.Count(line => line.StartsWith("| ", StringComparison.Ordinal)).Should().Be(6);
        lines.Should().Contain(line => line.StartsWith("Reproduce: `dotnet run", StringComparison.Ordinal));
    }

    [Fact]
    public void Markdown_PassingScenario_ShowsCheckMark()
    {
        var markdown = MarkdownSummary.Render(SampleReports.Passing());

        markdown.Should().StartWith("### \u2705 power-cut-during-write (r-2026.12): passed");
        markdown.Should().Contain("| success | 99.00% | ≥ 98.50% | 5,000 | pass | \u2014 | \u2014 |");
    }

    [Fact]
    public void Markdown_SpecialCharacters_AreEscaped()
    {
        var report = SampleReports.Passing() with
        {
            Run = SampleReports.Passing().Run with { Scenario = "a|b<c>", Command = "echo `x` | tee" },
            Results = [SampleReports.Result("re|ach", Verdict.Pass, 1, 0.99, "share", 1, null, null, "ok")],
            Expected = new Dictionary<string, Verdict>(),
        };

        var markdown = MarkdownSummary.Render(report);

        markdown.Should().Contain("### \u2705 a|b&lt;c&gt;");
        markdown.Should().Contain("| re\\|ach |");
        markdown.Should().Contain("Reproduce: ``echo `x` | tee``");
    }

    [Theory]
    [InlineData("plain", "`plain`")]
    [InlineData("a `b` c", "``a `b` c``")]
    [InlineData("`start", "`` `start ``")]
    [InlineData("two\nlines", "`two lines`")]
    public void MarkdownCode_Text_UsesLongerFence(string text, string expected)
    {
        MarkdownSummary.Code(text).Should().Be(expected);
    }
}
