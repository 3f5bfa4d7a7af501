using System.Globalization;
using System.Text;
using System.Xml;
using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>Writes JUnit XML in the Jenkins/Ant format that Jenkins, GitLab and most CI servers read:
/// one &lt;testsuite&gt; per scenario and one &lt;testcase&gt; per release-scope criterion.</summary>
/// <remarks>A met expectation is a passed test case. A missed expectation is a &lt;failure&gt; whose message carries
/// the measured value and the threshold. A criterion for which the scenario sets no expectation is &lt;skipped&gt;,
/// because nothing was checked.</remarks>
public static class JUnitReport
{
    /// <summary>Maximum number of evidence devices written into a failure body.</summary>
    private const int MaxEvidenceDevices = 5;

    /// <summary>Serializes the reports as one &lt;testsuites&gt; document in UTF-8.</summary>
    public static byte[] Serialize(IReadOnlyList<ScenarioReport> reports)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false) };
        using var buffer = new MemoryStream();
        using (var xml = XmlWriter.Create(buffer, settings))
        {
            xml.WriteStartDocument();
            xml.WriteStartElement("testsuites");
            xml.WriteAttributeString("name", "FleetOta release gate");
            xml.WriteAttributeString("tests", Integer(reports.Sum(report => Cases(report).Count)));
            xml.WriteAttributeString("failures", Integer(reports.Sum(report => Cases(report).Count(IsFailure))));
            xml.WriteAttributeString("errors", "0");
            xml.WriteAttributeString("skipped", Integer(reports.Sum(report => Cases(report).Count(IsSkipped))));
            xml.WriteAttributeString("time", Seconds(reports.Sum(report => report.Run.DurationMs)));
            foreach (var report in reports)
            {
                WriteSuite(xml, report);
            }

            xml.WriteEndElement();
            xml.WriteEndDocument();
        }

        return buffer.ToArray();
    }

    /// <summary>A test case: a release-scope result, an expectation, or both.</summary>
    private sealed record Case(string Criterion, CriterionResult? Result, ExpectationCheck? Check);

    private static bool IsFailure(Case testCase) => testCase.Check is { Met: false };

    private static bool IsSkipped(Case testCase) => testCase.Check is null;

    /// <summary>Returns one case per release-scope result, then one per expectation that has no result.</summary>
    private static List<Case> Cases(ScenarioReport report)
    {
        var checks = ScenarioOutcome.Expectations(report);
        var cases = ScenarioOutcome.ReleaseResults(report)
            .Select(result => new Case(result.Id, result, checks.FirstOrDefault(check => check.Criterion == result.Id)))
            .ToList();
        cases.AddRange(checks.Where(check => check.Actual is null).Select(check => new Case(check.Criterion, null, check)));
        return cases;
    }

    private static void WriteSuite(XmlWriter xml, ScenarioReport report)
    {
        var run = report.Run;
        var cases = Cases(report);
        xml.WriteStartElement("testsuite");
        xml.WriteAttributeString("name", Clean($"{run.ReleaseId}/{run.Scenario}"));
        xml.WriteAttributeString("tests", Integer(cases.Count));
        xml.WriteAttributeString("failures", Integer(cases.Count(IsFailure)));
        xml.WriteAttributeString("errors", "0");
        xml.WriteAttributeString("skipped", Integer(cases.Count(IsSkipped)));
        xml.WriteAttributeString("time", Seconds(run.DurationMs));
        if (DateTimeOffset.TryParse(run.GeneratedAt, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var generated))
        {
            // The Ant format takes a local date and time without an offset, so the time is written in UTC.
            xml.WriteAttributeString("timestamp", generated.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        }

        WriteProperties(xml, report);
        var className = ClassName(run);
        foreach (var testCase in cases)
        {
            WriteCase(xml, className, testCase);
        }

        xml.WriteElementString("system-out", Clean($"Reproduce: {run.Command}\nSeed: {run.Seed}\nCommit: {run.Commit}\nJournal: {report.JournalFile}"));
        xml.WriteEndElement();
    }

    private static void WriteProperties(XmlWriter xml, ScenarioReport report)
    {
        var run = report.Run;
        xml.WriteStartElement("properties");
        WriteProperty(xml, "scenario", run.Scenario);
        WriteProperty(xml, "release", run.ReleaseId);
        WriteProperty(xml, "version", run.Version);
        WriteProperty(xml, "previousVersion", run.PreviousVersion);
        WriteProperty(xml, "seed", run.Seed.ToString(CultureInfo.InvariantCulture));
        WriteProperty(xml, "commit", run.Commit);
        WriteProperty(xml, "command", run.Command);
        WriteProperty(xml, "host", run.Host);
        WriteProperty(xml, "devices", Integer(run.Devices));
        WriteProperty(xml, "journal", report.JournalFile);
        xml.WriteEndElement();
    }

    private static void WriteProperty(XmlWriter xml, string name, string value)
    {
        xml.WriteStartElement("property");
        xml.WriteAttributeString("name", name);
        xml.WriteAttributeString("value", Clean(value));
        xml.WriteEndElement();
    }

    private static void WriteCase(XmlWriter xml, string className, Case testCase)
    {
        xml.WriteStartElement("testcase");
        xml.WriteAttributeString("name", Clean(testCase.Criterion));
        xml.WriteAttributeString("classname", className);
        xml.WriteAttributeString("time", "0");
        var figures = testCase.Result is null ? null : Figures(testCase.Result);
        if (testCase.Check is null)
        {
            xml.WriteStartElement("skipped");
            xml.WriteAttributeString("message", Clean(
                $"The scenario sets no expectation for {testCase.Criterion}. Verdict {ScenarioOutcome.VerdictName(testCase.Result!.Verdict)}: {figures}."));
            xml.WriteEndElement();
        }
        else if (!testCase.Check.Met)
        {
            xml.WriteStartElement("failure");
            xml.WriteAttributeString("type", testCase.Result is null ? "MissingResult" : "ExpectationNotMet");
            xml.WriteAttributeString("message", Clean(FailureMessage(testCase.Check, figures)));
            xml.WriteString(Clean(FailureBody(testCase.Result)));
            xml.WriteEndElement();
        }

        if (testCase.Result is not null)
        {
            xml.WriteElementString("system-out", Clean($"{testCase.Result.Summary}\n{figures}"));
        }

        xml.WriteEndElement();
    }

    private static string FailureMessage(ExpectationCheck check, string? figures) =>
        figures is null
            ? $"{check.Criterion}: expected {ScenarioOutcome.VerdictName(check.Expected)}, but the run produced no release-scope result for it."
            : $"{check.Criterion}: expected {ScenarioOutcome.VerdictName(check.Expected)}, got {ReportText.VerdictOrMissing(check.Actual)}. {figures}.";

    private static string Figures(CriterionResult result) =>
        $"Measured {ReportText.Measured(result)}, threshold {ReportText.Threshold(result)}, "
        + $"95% interval {ReportText.Interval(result)}, sample {ReportText.Count(result.Sample)}";

    private static string FailureBody(CriterionResult? result)
    {
        if (result is null)
        {
            return "No result with scope \"release\" was computed for this criterion.";
        }

        var body = new StringBuilder();
        body.AppendLine(result.Summary);
        foreach (var device in result.Evidence.Take(MaxEvidenceDevices))
        {
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"Device {device.Device} ({device.Name}): {device.Why}");
            foreach (var line in device.Timeline)
            {
                body.AppendLine("  " + line);
            }
        }

        if (result.Evidence.Count > MaxEvidenceDevices)
        {
            body.AppendLine();
            body.AppendLine(CultureInfo.InvariantCulture, $"{result.Evidence.Count - MaxEvidenceDevices} more devices are listed in summary.json.");
        }

        return body.ToString();
    }

    /// <summary>Returns "release.scenario" with dots inside each part replaced, because Jenkins splits a class name
    /// at its last dot into package and class (release ids such as "r1.4.0" would otherwise nest).</summary>
    private static string ClassName(RunInfo run) =>
        Clean($"{run.ReleaseId.Replace('.', '_')}.{run.Scenario.Replace('.', '_')}");

    private static string Integer(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Seconds(long milliseconds) => (milliseconds / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    /// <summary>Replaces characters that XML 1.0 does not allow (most control characters, lone surrogates) with U+FFFD,
    /// since XmlWriter would otherwise throw on text from a journal.</summary>
    internal static string Clean(string text)
    {
        StringBuilder? cleaned = null;
        for (var i = 0; i < text.Length; i++)
        {
            var character = text[i];
            var valid = XmlConvert.IsXmlChar(character);
            if (!valid && char.IsHighSurrogate(character) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                cleaned?.Append(character).Append(text[i + 1]);
                i++;
                continue;
            }

            if (!valid && cleaned is null)
            {
                cleaned = new StringBuilder(text.Length).Append(text, 0, i);
            }

            cleaned?.Append(valid ? character : '\uFFFD');
        }

        return cleaned?.ToString() ?? text;
    }
}
