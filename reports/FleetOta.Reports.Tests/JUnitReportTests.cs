using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using FleetOta.Journal;

namespace FleetOta.Reports.Tests;

public sealed class JUnitReportTests : IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    /// <summary>Validates a file against the Jenkins/Ant JUnit schema and returns every error and warning.</summary>
    private static List<string> Validate(string path)
    {
        var schemas = new XmlSchemaSet();
        schemas.Add(null, Path.Combine(AppContext.BaseDirectory, "Schemas", "junit-jenkins.xsd"));
        var problems = new List<string>();
        var settings = new XmlReaderSettings
        {
            ValidationType = ValidationType.Schema,
            Schemas = schemas,
            ValidationFlags = XmlSchemaValidationFlags.ReportValidationWarnings,
        };
        settings.ValidationEventHandler += (_, e) => problems.Add($"{e.Severity} at line {e.Exception.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(path, settings);
        while (reader.Read())
        {
        }

        return problems;
    }

    private string WriteScenarioJUnit(ScenarioReport report) =>
        Path.Combine(ReportWriter.WriteScenario(_output.Path, report), ReportWriter.JUnitFile);

    [Fact]
    public void JUnit_Scenario_ValidatesAgainstSchema()
    {
        var path = WriteScenarioJUnit(SampleReports.Failing());

        Validate(path).Should().BeEmpty();
    }

    [Fact]
    public void JUnit_Combined_ValidatesAgainstSchema()
    {
        var path = ReportWriter.WriteJUnitAll(_output.Path, [SampleReports.Failing(), SampleReports.Passing(), SampleReports.Empty()]);

        Validate(path).Should().BeEmpty();
    }

    [Fact]
    public void JUnit_Schema_RejectsUnknownElement()
    {
        var path = Path.Combine(_output.Path, "broken.xml");
        File.WriteAllText(path, "<testsuites><testsuite name=\"a\" tests=\"1\"><testcase name=\"b\"><failed/></testcase></testsuite></testsuites>");

        Validate(path).Should().NotBeEmpty();
    }

    [Fact]
    public void JUnit_Scenario_HasOneCasePerReleaseCriterion()
    {
        var suite = XDocument.Load(WriteScenarioJUnit(SampleReports.Failing())).Root!.Element("testsuite")!;

        suite.Attribute("name")!.Value.Should().Be("r-2026.11/slow-burn-faults");
        suite.Attribute("tests")!.Value.Should().Be("5");
        suite.Attribute("failures")!.Value.Should().Be("2");
        suite.Attribute("skipped")!.Value.Should().Be("0");
        suite.Attribute("timestamp")!.Value.Should().Be("2026-11-01T12:00:00");
        suite.Elements("testcase").Select(test => test.Attribute("name")!.Value)
            .Should().Equal("reach", "success", "rollback", "recovery", "rollout-control");
        suite.Elements("testcase").Select(test => test.Attribute("classname")!.Value).Should().AllBe("r-2026_11.slow-burn-faults");
    }

    [Fact]
    public void JUnit_FailedExpectation_NamesMeasuredAndThreshold()
    {
        var suite = XDocument.Load(WriteScenarioJUnit(SampleReports.Failing())).Root!.Element("testsuite")!;

        var failure = suite.Elements("testcase").Single(test => test.Attribute("name")!.Value == "success").Element("failure")!;
        var message = failure.Attribute("message")!.Value;
        message.Should().Contain("expected pass, got fail");
        message.Should().Contain("Measured 97.90%");
        message.Should().Contain("threshold ≥ 98.50%");
        message.Should().Contain("sample 10,000");
        failure.Attribute("type")!.Value.Should().Be("ExpectationNotMet");
        failure.Value.Should().Contain("Device 100 (dev-00100)");
        failure.Value.Should().Contain("health.check status=failed <timeout>");

        var rolloutControl = suite.Elements("testcase").Single(test => test.Attribute("name")!.Value == "rollout-control").Element("failure")!;
        rolloutControl.Attribute("message")!.Value.Should().Contain("Measured 13 min, threshold ≤ 10 min");
    }

    [Fact]
    public void JUnit_MetExpectation_HasNoFailure()
    {
        var suite = XDocument.Load(WriteScenarioJUnit(SampleReports.Failing())).Root!.Element("testsuite")!;

        var rollback = suite.Elements("testcase").Single(test => test.Attribute("name")!.Value == "rollback");
        rollback.Elements("failure").Should().BeEmpty();
        rollback.Elements("skipped").Should().BeEmpty();
        rollback.Element("system-out")!.Value.Should().Contain("500 failure devices are needed");
    }

    [Fact]
    public void JUnit_CriterionWithoutExpectation_IsSkipped()
    {
        var suite = XDocument.Load(WriteScenarioJUnit(SampleReports.Passing())).Root!.Element("testsuite")!;

        suite.Attribute("skipped")!.Value.Should().Be("3");
        var success = suite.Elements("testcase").Single(test => test.Attribute("name")!.Value == "success");
        success.Element("skipped")!.Attribute("message")!.Value.Should().Contain("sets no expectation for success");
    }

    [Fact]
    public void JUnit_ExpectationWithoutResult_IsFailure()
    {
        var report = SampleReports.Passing() with { Expected = new Dictionary<string, Verdict> { ["canary"] = Verdict.Pass } };

        var suite = XDocument.Load(WriteScenarioJUnit(report)).Root!.Element("testsuite")!;

        suite.Attribute("tests")!.Value.Should().Be("6");
        var canary = suite.Elements("testcase").Single(test => test.Attribute("name")!.Value == "canary");
        canary.Element("failure")!.Attribute("type")!.Value.Should().Be("MissingResult");
        canary.Element("failure")!.Attribute("message")!.Value.Should().Contain("no release-scope result");
    }

    [Fact]
    public void JUnit_Combined_HasOneSuitePerScenario()
    {
        var path = ReportWriter.WriteJUnitAll(_output.Path, [SampleReports.Failing(), SampleReports.Passing()]);

        var root = XDocument.Load(path).Root!;

        path.Should().Be(Path.Combine(Path.GetFullPath(_output.Path), "junit.xml"));
        root.Elements("testsuite").Should().HaveCount(2);
        root.Attribute("tests")!.Value.Should().Be("10");
        root.Attribute("failures")!.Value.Should().Be("2");
        root.Attribute("skipped")!.Value.Should().Be("3");
    }

    [Fact]
    public void JUnit_ControlCharacters_AreReplaced()
    {
        var report = SampleReports.Failing() with { Run = SampleReports.Failing().Run with { Command = "run\u0001 \u001b[31m" } };

        var path = WriteScenarioJUnit(report);

        Validate(path).Should().BeEmpty();
        File.ReadAllText(path).Should().Contain("run\uFFFD \uFFFD[31m");
    }

    [Fact]
    public void JUnit_Properties_CarrySeedAndCommand()
    {
        var suite = XDocument.Load(WriteScenarioJUnit(SampleReports.Failing())).Root!.Element("testsuite")!;

        var properties = suite.Element("properties")!.Elements("property")
            .ToDictionary(property => property.Attribute("name")!.Value, property => property.Attribute("value")!.Value);
        properties["seed"].Should().Be("20261101");
        properties["commit"].Should().Be("3f2a9c1d");
        properties["command"].Should().Contain("--seed 20261101");
        suite.Element("system-out")!.Value.Should().StartWith("Reproduce: dotnet run");
    }
}
