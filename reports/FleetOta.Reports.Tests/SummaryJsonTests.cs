using System.Text.Json;
using CsCheck;
using FleetOta.Journal;

namespace FleetOta.Reports.Tests;

public sealed class SummaryJsonTests : IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    private JsonElement WriteAndParse(ScenarioReport report)
    {
        var folder = ReportWriter.WriteScenario(_output.Path, report);
        var bytes = File.ReadAllBytes(Path.Combine(folder, ReportWriter.JsonFile));
        using var document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    [Fact]
    public void Summary_Header_HasSchemaVersionAndOutcome()
    {
        var root = WriteAndParse(SampleReports.Failing());

        root.GetProperty("schemaVersion").GetInt32().Should().Be(1);
        root.GetProperty("scenario").GetString().Should().Be("slow-burn-faults");
        root.GetProperty("releaseId").GetString().Should().Be("r-2026.11");
        root.GetProperty("passed").GetBoolean().Should().BeFalse();
        root.GetProperty("journalFile").GetString().Should().EndWith("journal.sqlite");
    }

    [Fact]
    public void Summary_Results_ContainEveryVerdict()
    {
        var report = SampleReports.Failing();

        var results = WriteAndParse(report).GetProperty("results").EnumerateArray().ToList();

        results.Should().HaveCount(report.Results.Count);
        foreach (var expected in report.Results)
        {
            var written = results.Single(result =>
                result.GetProperty("id").GetString() == expected.Id && result.GetProperty("scope").GetString() == expected.Scope);
            written.GetProperty("verdict").GetString().Should().Be(ScenarioOutcome.VerdictName(expected.Verdict));
            written.GetProperty("threshold").GetDouble().Should().Be(expected.Threshold);
            written.GetProperty("sample").GetInt32().Should().Be(expected.Sample);
            written.GetProperty("unit").GetString().Should().Be(expected.Unit);
            written.GetProperty("summary").GetString().Should().Be(expected.Summary);
            written.GetProperty("evidence").GetArrayLength().Should().Be(expected.Evidence.Count);
        }
    }

    [Fact]
    public void Summary_ReleaseResult_CarriesExpectation()
    {
        var results = WriteAndParse(SampleReports.Failing()).GetProperty("results").EnumerateArray().ToList();

        var success = results.First(result => result.GetProperty("id").GetString() == "success");
        success.GetProperty("scope").GetString().Should().Be("release");
        success.GetProperty("measured").GetDouble().Should().Be(0.979);
        success.GetProperty("intervalLow").GetDouble().Should().Be(0.976);
        success.GetProperty("intervalHigh").GetDouble().Should().Be(0.9817);
        success.GetProperty("expected").GetString().Should().Be("pass");
        success.GetProperty("met").GetBoolean().Should().BeFalse();

        var waveResult = results.First(result => result.GetProperty("scope").GetString() == "wave 1");
        waveResult.GetProperty("expected").ValueKind.Should().Be(JsonValueKind.Null);
        waveResult.GetProperty("met").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Summary_Expectations_AreInCriterionOrder()
    {
        var expectations = WriteAndParse(SampleReports.Failing()).GetProperty("expectations").EnumerateArray().ToList();

        expectations.Select(check => check.GetProperty("criterion").GetString())
            .Should().Equal("reach", "success", "rollback", "recovery", "rollout-control");
        expectations.Select(check => check.GetProperty("met").GetBoolean()).Should().Equal(true, false, true, true, false);
        expectations[2].GetProperty("expected").GetString().Should().Be("inconclusive");
        expectations[2].GetProperty("actual").GetString().Should().Be("inconclusive");
    }

    [Fact]
    public void Summary_RunThresholdsWavesAndSeries_AreComplete()
    {
        var report = SampleReports.Failing();

        var root = WriteAndParse(report);

        var run = root.GetProperty("run");
        run.GetProperty("seed").GetInt64().Should().Be(20261101);
        run.GetProperty("commit").GetString().Should().Be("3f2a9c1d");
        run.GetProperty("command").GetString().Should().Be(report.Run.Command);
        run.GetProperty("description").GetString().Should().Be(SampleReports.Description);
        run.GetProperty("devices").GetInt32().Should().Be(10000);
        run.GetProperty("durationMs").GetInt64().Should().Be(8421);
        var thresholds = root.GetProperty("thresholds");
        thresholds.GetProperty("reach").GetDouble().Should().Be(0.99);
        thresholds.GetProperty("rollbackMinimumSample").GetInt32().Should().Be(500);
        thresholds.GetProperty("alertWithinMinutes").GetDouble().Should().Be(5);
        root.GetProperty("waves").GetArrayLength().Should().Be(3);
        root.GetProperty("waves")[2].GetProperty("rollback").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("marks")[0].GetProperty("label").GetString().Should().Be("breach");
        var series = root.GetProperty("series");
        series.GetProperty("reachOverTime").GetArrayLength().Should().Be(report.Series.ReachOverTime.Count);
        series.GetProperty("rollbackSeconds").GetArrayLength().Should().Be(report.Series.RollbackSeconds.Count);
        series.GetProperty("faultRateOverTime").GetArrayLength().Should().Be(report.Series.FaultRateOverTime.Count);
        series.GetProperty("incidentsOpen").GetArrayLength().Should().Be(report.Series.IncidentsOpen.Count);
        series.GetProperty("incidentsResolved")[1].GetProperty("y").GetDouble().Should().Be(10);
    }

    [Fact]
    public void Summary_NonFiniteNumbers_AreWrittenAsNull()
    {
        var report = SampleReports.Failing() with
        {
            Results = [SampleReports.Result("reach", Verdict.Inconclusive, double.NaN, 0.99, "share", 0, double.NegativeInfinity, null, "Nothing measured.")],
            Series = new ReportSeries([new SeriesPoint(1, double.NaN)], [double.PositiveInfinity], [], [], []),
        };

        var root = WriteAndParse(report);

        var reach = root.GetProperty("results")[0];
        reach.GetProperty("measured").ValueKind.Should().Be(JsonValueKind.Null);
        reach.GetProperty("intervalLow").ValueKind.Should().Be(JsonValueKind.Null);
        reach.GetProperty("intervalHigh").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("series").GetProperty("reachOverTime")[0].GetProperty("y").ValueKind.Should().Be(JsonValueKind.Null);
        root.GetProperty("series").GetProperty("rollbackSeconds")[0].ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public void Summary_MissingResult_HasNullActual()
    {
        var report = SampleReports.Passing() with { Expected = new Dictionary<string, Verdict> { ["canary"] = Verdict.Pass } };

        var root = WriteAndParse(report);

        root.GetProperty("passed").GetBoolean().Should().BeFalse();
        var check = root.GetProperty("expectations")[0];
        check.GetProperty("criterion").GetString().Should().Be("canary");
        check.GetProperty("actual").ValueKind.Should().Be(JsonValueKind.Null);
        check.GetProperty("met").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public void Summary_AnyText_RoundTrips()
    {
        Gen.Select(Gen.String, Gen.String, Gen.String).Sample((description, why, timeline) =>
        {
            var evidence = new EvidenceDevice(1, "dev-1", why, [timeline]);
            var report = SampleReports.Passing() with
            {
                Run = SampleReports.Passing().Run with { Description = description },
                Results = [SampleReports.Result("reach", Verdict.Fail, 0.5, 0.99, "share", 2, 0.1, 0.9, description, [evidence])],
            };

            using var document = JsonDocument.Parse(SummaryJson.Serialize(report));
            var root = document.RootElement;
            root.GetProperty("run").GetProperty("description").GetString().Should().Be(description);
            var device = root.GetProperty("results")[0].GetProperty("evidence")[0];
            device.GetProperty("why").GetString().Should().Be(why);
            device.GetProperty("timeline")[0].GetString().Should().Be(timeline);
        }, iter: 500);
    }
}
