using System.Globalization;
using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>Formats figures for people: shares as percentages, times with units, counts with separators.
/// Every output uses the invariant culture so that reports do not change with the machine's locale.</summary>
internal static class ReportText
{
    /// <summary>Text shown where a figure was not measured.</summary>
    public const string Missing = "n/a";

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Formats a share 0..1 as a percentage with two decimals, or more when two would round a share
    /// below 1 up to "100.00%" (a 99.996% rollback share must not read as 100%).</summary>
    public static string Percent(double? share)
    {
        if (share is not { } value || !double.IsFinite(value))
        {
            return Missing;
        }

        var percent = value * 100;
        var text = percent.ToString("0.00", Invariant);
        if (text == "100.00" && value < 1)
        {
            text = percent.ToString("0.00####", Invariant);
        }

        return text + "%";
    }

    /// <summary>Formats a count with thousands separators, such as "10,000".</summary>
    public static string Count(long count) => count.ToString("N0", Invariant);

    /// <summary>Formats a number with up to <paramref name="decimals"/> decimals and no trailing zeros.</summary>
    public static string Number(double value, int decimals = 2) =>
        double.IsFinite(value) ? Math.Round(value, decimals).ToString("0.########", Invariant) : Missing;

    /// <summary>Formats a time in seconds, switching to minutes from 2 minutes on, such as "45 s" or "6.5 min".</summary>
    public static string Seconds(double? seconds)
    {
        if (seconds is not { } value || !double.IsFinite(value))
        {
            return Missing;
        }

        return Math.Abs(value) < 120 ? $"{Number(value, 1)} s" : $"{Number(value / 60, 1)} min";
    }

    /// <summary>Formats a wall-clock duration in milliseconds, such as "850 ms" or "12.4 s".</summary>
    public static string Duration(long milliseconds) =>
        milliseconds < 1000 ? $"{Count(milliseconds)} ms" : Seconds(milliseconds / 1000.0);

    /// <summary>Formats a value in the unit of a criterion result. Units "share", "ratio", "fraction" and "%"
    /// (values 0..1) become percentages, and "s", "sec" and "seconds" become times. Any other unit is printed after the number.</summary>
    public static string InUnit(double? value, string unit)
    {
        if (value is not { } number || !double.IsFinite(number))
        {
            return Missing;
        }

        return NormalizeUnit(unit) switch
        {
            UnitKind.Share => Percent(number),
            UnitKind.Seconds => Seconds(number),
            _ => string.IsNullOrWhiteSpace(unit) ? Number(number, 4) : $"{Number(number, 4)} {unit}",
        };
    }

    /// <summary>Formats the measured value of a result in its unit.</summary>
    public static string Measured(CriterionResult result) => InUnit(result.Measured, result.Unit);

    /// <summary>Formats the threshold of a result with its direction, such as "≥ 99.00%" or "≤ 10 min".</summary>
    public static string Threshold(CriterionResult result)
    {
        var comparison = Comparison(result.Id);
        var value = InUnit(result.Threshold, result.Unit);
        return comparison.Length == 0 ? value : $"{comparison} {value}";
    }

    /// <summary>Formats the 95% Wilson interval of a result as "[low, high]", or "n/a" when it has none.</summary>
    public static string Interval(CriterionResult result) =>
        result.IntervalLow is null && result.IntervalHigh is null
            ? Missing
            : $"[{InUnit(result.IntervalLow, result.Unit)}, {InUnit(result.IntervalHigh, result.Unit)}]";

    /// <summary>Returns "≥" for criteria whose measured share must reach the threshold, "≤" for rollout-control
    /// (a latency that must stay under it), and an empty string for criteria this report does not know.</summary>
    public static string Comparison(string criterion) => criterion switch
    {
        "reach" or "success" or "rollback" or "recovery" => "≥",
        "rollout-control" => "≤",
        _ => "",
    };

    /// <summary>Returns the display name of a criterion id, such as "Rollout control" for "rollout-control".</summary>
    public static string CriterionTitle(string criterion) => criterion switch
    {
        "reach" => "Reach",
        "success" => "Success per wave",
        "rollback" => "Rollback time",
        "recovery" => "Remote recovery",
        "rollout-control" => "Rollout control",
        _ => criterion,
    };

    /// <summary>Returns the verdict name, or "missing" for a criterion without a result.</summary>
    public static string VerdictOrMissing(Verdict? verdict) =>
        verdict is { } value ? ScenarioOutcome.VerdictName(value) : "missing";

    private enum UnitKind
    {
        Other,
        Share,
        Seconds,
    }

    // NOTE: CriterionResult leaves the unit names to the oracles. These are the names this writer formats, and any
    // other unit is printed as a plain number followed by the unit.
    private static UnitKind NormalizeUnit(string unit) => unit.Trim().ToLowerInvariant() switch
    {
        "share" or "ratio" or "fraction" or "%" => UnitKind.Share,
        "s" or "sec" or "seconds" => UnitKind.Seconds,
        _ => UnitKind.Other,
    };
}
