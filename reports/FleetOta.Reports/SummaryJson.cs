using System.Text;
using System.Text.Json;
using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>Writes summary.json: every verdict and figure of a scenario run for machines to read.
/// The schema is documented field by field in docs/reports.md. Any change that renames, removes or
/// retypes a field increments <see cref="SchemaVersion"/>.</summary>
public static class SummaryJson
{
    /// <summary>Version of the summary.json schema, written as "schemaVersion".</summary>
    public const int SchemaVersion = 1;

    /// <summary>Serializes a report to UTF-8 JSON. Non-finite numbers (NaN, infinities) are written as null.</summary>
    public static byte[] Serialize(ScenarioReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteNumber("schemaVersion", SchemaVersion);
            json.WriteString("scenario", report.Run.Scenario);
            json.WriteString("releaseId", report.Run.ReleaseId);
            json.WriteBoolean("passed", ScenarioOutcome.Passed(report));
            WriteRun(json, report.Run);
            json.WriteString("journalFile", report.JournalFile);
            WriteThresholds(json, report.Thresholds);
            WriteExpectations(json, report);
            WriteResults(json, report);
            WriteWaves(json, report.Waves);
            WriteMarks(json, report.Marks);
            WriteSeries(json, report.Series);
            json.WriteEndObject();
        }

        buffer.WriteByte((byte)'\n');
        return buffer.ToArray();
    }

    /// <summary>Serializes a report to a JSON string.</summary>
    public static string ToJson(ScenarioReport report) => Encoding.UTF8.GetString(Serialize(report));

    private static void WriteRun(Utf8JsonWriter json, RunInfo run)
    {
        json.WriteStartObject("run");
        json.WriteString("scenario", run.Scenario);
        json.WriteString("description", run.Description);
        json.WriteString("releaseId", run.ReleaseId);
        json.WriteString("version", run.Version);
        json.WriteString("previousVersion", run.PreviousVersion);
        json.WriteNumber("seed", run.Seed);
        json.WriteString("commit", run.Commit);
        json.WriteString("command", run.Command);
        json.WriteString("host", run.Host);
        json.WriteNumber("devices", run.Devices);
        json.WriteNumber("durationMs", run.DurationMs);
        json.WriteString("generatedAt", run.GeneratedAt);
        json.WriteEndObject();
    }

    private static void WriteThresholds(Utf8JsonWriter json, Thresholds limits)
    {
        json.WriteStartObject("thresholds");
        WriteNumber(json, "reach", limits.Reach);
        WriteNumber(json, "reachWindowHours", limits.ReachWindowHours);
        WriteNumber(json, "success", limits.Success);
        WriteNumber(json, "rollbackShare", limits.RollbackShare);
        WriteNumber(json, "rollbackSeconds", limits.RollbackSeconds);
        json.WriteNumber("rollbackMinimumSample", limits.RollbackMinimumSample);
        WriteNumber(json, "recovery", limits.Recovery);
        WriteNumber(json, "recoveryWindowHours", limits.RecoveryWindowHours);
        WriteNumber(json, "faultRateLimit", limits.FaultRateLimit);
        WriteNumber(json, "faultWindowMinutes", limits.FaultWindowMinutes);
        WriteNumber(json, "pauseWithinMinutes", limits.PauseWithinMinutes);
        WriteNumber(json, "alertWithinMinutes", limits.AlertWithinMinutes);
        json.WriteEndObject();
    }

    private static void WriteExpectations(Utf8JsonWriter json, ScenarioReport report)
    {
        json.WriteStartArray("expectations");
        foreach (var check in ScenarioOutcome.Expectations(report))
        {
            json.WriteStartObject();
            json.WriteString("criterion", check.Criterion);
            json.WriteString("expected", ScenarioOutcome.VerdictName(check.Expected));
            WriteVerdict(json, "actual", check.Actual);
            json.WriteBoolean("met", check.Met);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteResults(Utf8JsonWriter json, ScenarioReport report)
    {
        json.WriteStartArray("results");
        foreach (var result in ScenarioOutcome.ReleaseResults(report))
        {
            WriteResult(json, result, ScenarioOutcome.ExpectationFor(report, result.Id));
        }

        foreach (var result in ScenarioOutcome.OtherResults(report))
        {
            WriteResult(json, result, null);
        }

        json.WriteEndArray();
    }

    private static void WriteResult(Utf8JsonWriter json, CriterionResult result, ExpectationCheck? check)
    {
        json.WriteStartObject();
        json.WriteString("id", result.Id);
        json.WriteString("scope", result.Scope);
        json.WriteString("verdict", ScenarioOutcome.VerdictName(result.Verdict));
        WriteNumber(json, "measured", result.Measured);
        WriteNumber(json, "threshold", result.Threshold);
        json.WriteString("unit", result.Unit);
        json.WriteNumber("sample", result.Sample);
        WriteNumber(json, "intervalLow", result.IntervalLow);
        WriteNumber(json, "intervalHigh", result.IntervalHigh);
        json.WriteString("summary", result.Summary);
        WriteVerdict(json, "expected", check?.Expected);
        if (check is null)
        {
            json.WriteNull("met");
        }
        else
        {
            json.WriteBoolean("met", check.Met);
        }

        json.WriteStartArray("evidence");
        foreach (var device in result.Evidence)
        {
            json.WriteStartObject();
            json.WriteNumber("device", device.Device);
            json.WriteString("name", device.Name);
            json.WriteString("why", device.Why);
            json.WriteStartArray("timeline");
            foreach (var line in device.Timeline)
            {
                json.WriteStringValue(line);
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteEndObject();
    }

    private static void WriteWaves(Utf8JsonWriter json, IReadOnlyList<WaveRow> waves)
    {
        json.WriteStartArray("waves");
        foreach (var wave in waves.OrderBy(wave => wave.Wave))
        {
            json.WriteStartObject();
            json.WriteNumber("wave", wave.Wave);
            json.WriteNumber("offered", wave.Offered);
            WriteNumber(json, "reach", wave.Reach);
            WriteNumber(json, "success", wave.Success);
            WriteNumber(json, "rollback", wave.Rollback);
            WriteNumber(json, "peakFaultRate", wave.PeakFaultRate);
            WriteNumber(json, "recovery", wave.Recovery);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteMarks(Utf8JsonWriter json, IReadOnlyList<TimeMark> marks)
    {
        json.WriteStartArray("marks");
        foreach (var mark in marks)
        {
            json.WriteStartObject();
            json.WriteString("label", mark.Label);
            WriteNumber(json, "minutes", mark.Minutes);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteSeries(Utf8JsonWriter json, ReportSeries series)
    {
        json.WriteStartObject("series");
        WritePoints(json, "reachOverTime", series.ReachOverTime);
        json.WriteStartArray("rollbackSeconds");
        foreach (var seconds in series.RollbackSeconds)
        {
            WriteNumberValue(json, seconds);
        }

        json.WriteEndArray();
        WritePoints(json, "faultRateOverTime", series.FaultRateOverTime);
        WritePoints(json, "incidentsOpen", series.IncidentsOpen);
        WritePoints(json, "incidentsResolved", series.IncidentsResolved);
        json.WriteEndObject();
    }

    private static void WritePoints(Utf8JsonWriter json, string name, IReadOnlyList<SeriesPoint> points)
    {
        json.WriteStartArray(name);
        foreach (var point in points)
        {
            json.WriteStartObject();
            WriteNumber(json, "x", point.X);
            WriteNumber(json, "y", point.Y);
            json.WriteEndObject();
        }

        json.WriteEndArray();
    }

    private static void WriteVerdict(Utf8JsonWriter json, string name, Verdict? verdict)
    {
        if (verdict is { } value)
        {
            json.WriteString(name, ScenarioOutcome.VerdictName(value));
        }
        else
        {
            json.WriteNull(name);
        }
    }

    // Utf8JsonWriter rejects NaN and infinities, and JSON has no literal for them.
    private static void WriteNumber(Utf8JsonWriter json, string name, double? value)
    {
        json.WritePropertyName(name);
        WriteNumberValue(json, value);
    }

    private static void WriteNumberValue(Utf8JsonWriter json, double? value)
    {
        if (value is { } number && double.IsFinite(number))
        {
            json.WriteNumberValue(number);
        }
        else
        {
            json.WriteNullValue();
        }
    }
}
