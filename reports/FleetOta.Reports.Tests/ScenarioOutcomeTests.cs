using FleetOta.Journal;

namespace FleetOta.Reports.Tests;

public sealed class ScenarioOutcomeTests
{
    [Fact]
    public void Passed_FailingSample_IsFalse()
    {
        ScenarioOutcome.Passed(SampleReports.Failing()).Should().BeFalse();
    }

    [Fact]
    public void Passed_PassingSample_IsTrue()
    {
        ScenarioOutcome.Passed(SampleReports.Passing()).Should().BeTrue();
    }

    [Fact]
    public void Passed_NoExpectations_IsTrue()
    {
        ScenarioOutcome.Passed(SampleReports.Failing() with { Expected = new Dictionary<string, Verdict>() }).Should().BeTrue();
    }

    [Fact]
    public void Expectations_WaveVerdicts_AreIgnored()
    {
        // Wave 2 fails success, but only the release-scope verdict decides the expectation.
        var report = SampleReports.Failing() with { Expected = new Dictionary<string, Verdict> { ["success"] = Verdict.Fail } };

        var check = ScenarioOutcome.Expectations(report).Single();

        check.Actual.Should().Be(Verdict.Fail);
        check.Met.Should().BeTrue();
        ScenarioOutcome.Passed(report).Should().BeTrue();
    }

    [Fact]
    public void Expectations_InconclusiveWhenPassExpected_IsNotMet()
    {
        var report = SampleReports.Failing() with { Expected = new Dictionary<string, Verdict> { ["rollback"] = Verdict.Pass } };

        ScenarioOutcome.Passed(report).Should().BeFalse();
    }

    [Fact]
    public void Expectations_MissingResult_IsNotMet()
    {
        var report = SampleReports.Passing() with { Expected = new Dictionary<string, Verdict> { ["canary"] = Verdict.Pass } };

        var check = ScenarioOutcome.Expectations(report).Single();

        check.Actual.Should().BeNull();
        check.Met.Should().BeFalse();
    }

    [Fact]
    public void ReleaseResults_AnyOrder_SortByCriterion()
    {
        var report = SampleReports.Failing() with { Results = SampleReports.Failing().Results.Reverse().ToList() };

        ScenarioOutcome.ReleaseResults(report).Select(result => result.Id)
            .Should().Equal("reach", "success", "rollback", "recovery", "rollout-control");
    }

    [Fact]
    public void OtherResults_TenWaves_SortNumerically()
    {
        var results = new[] { "wave 10", "wave 2", "wave 1" }
            .Select(scope => SampleReports.Result("success", Verdict.Pass, 1, 0.985, "share", 1, null, null, "ok", scope: scope))
            .ToList();
        var report = SampleReports.Failing() with { Results = results };

        ScenarioOutcome.OtherResults(report).Select(result => result.Scope).Should().Equal("wave 1", "wave 2", "wave 10");
    }
}
