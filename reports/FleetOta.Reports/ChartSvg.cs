using System.Net;
using System.Text.RegularExpressions;
using ScottPlot;

namespace FleetOta.Reports;

/// <summary>One chart of the HTML report: an inline SVG, or a note that explains why there is nothing to draw.</summary>
/// <param name="Id">Element id of the chart's figure in report.html, such as "chart-reach".</param>
/// <param name="Title">Heading shown above the chart.</param>
/// <param name="Caption">How to read the chart, shown under it.</param>
/// <param name="Svg">SVG markup ready to embed in HTML, or null when the series is empty.</param>
/// <param name="EmptyNote">Text shown in place of the chart when <paramref name="Svg"/> is null.</param>
internal sealed record Chart(string Id, string Title, string Caption, string? Svg, string? EmptyNote)
{
    public static Chart Empty(string id, string title, string caption, string note) => new(id, title, caption, null, note);
}

/// <summary>Shared styling for the report charts and the conversion of a ScottPlot plot into SVG for inline use.</summary>
internal static partial class ChartSvg
{
    public const int Width = 960;
    public const int Height = 380;

    public static readonly Color SeriesBlue = Color.FromHex("#1f5fa8");
    public static readonly Color ThresholdRed = Color.FromHex("#c62828");
    public static readonly Color DeadlineGray = Color.FromHex("#555555");
    public static readonly Color PassGreen = Color.FromHex("#2e7d32");
    public static readonly Color WarnOrange = Color.FromHex("#e65100");
    public static readonly Color AlertPurple = Color.FromHex("#6a1b9a");

    /// <summary>Creates a plot with the report's font, axis labels and legend position.</summary>
    public static Plot NewPlot(string xLabel, string yLabel)
    {
        var plot = new Plot();
        var family = ChartFonts.ChartFamily();
        if (family is not null)
        {
            plot.Font.Set(family);
        }

        plot.XLabel(xLabel, 14);
        plot.YLabel(yLabel, 14);
        plot.Axes.Bottom.TickLabelStyle.FontSize = 12;
        plot.Axes.Left.TickLabelStyle.FontSize = 12;
        plot.Legend.FontSize = 12;
        return plot;
    }

    /// <summary>Formats the left axis ticks as percentages of a 0..1 share.</summary>
    public static void PercentTicks(Plot plot) =>
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            LabelFormatter = share => ReportText.Number(share * 100, 3) + "%",
        };

    /// <summary>Renders the plot and prepares the SVG for embedding several charts in one HTML page.</summary>
    /// <remarks>The XML declaration is removed because HTML does not allow it there, a viewBox makes the chart
    /// scale with the page, and element ids are renumbered per chart.</remarks>
    public static string Render(Plot plot, string chartId, string description)
    {
        var svg = plot.GetSvgXml(Width, Height);
        svg = XmlDeclaration().Replace(svg, "");
        svg = SvgRoot().Replace(
            svg,
            match => $"<svg{match.Groups[1].Value} viewBox=\"0 0 {Width} {Height}\" role=\"img\" aria-label=\"{WebUtility.HtmlEncode(description)}\">",
            1);
        svg = RenumberIds(svg, chartId);
        return svg.Trim();
    }

    /// <summary>Renames every element id to "&lt;chart id&gt;-&lt;n&gt;" in order of appearance and updates the references.
    /// SkiaSharp takes clip-path ids from a process-wide counter, so without this the same report would differ
    /// between runs and two charts of one page could share an id.</summary>
    private static string RenumberIds(string svg, string chartId)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (Match match in ElementId().Matches(svg))
        {
            names.TryAdd(match.Groups[1].Value, $"{chartId}-{names.Count + 1}");
        }

        string Rename(string id) => names.TryGetValue(id, out var name) ? name : id;

        svg = ElementId().Replace(svg, match => $"id=\"{Rename(match.Groups[1].Value)}\"");
        svg = UrlReference().Replace(svg, match => $"url(#{Rename(match.Groups[1].Value)})");
        return HrefReference().Replace(svg, match => $"href=\"#{Rename(match.Groups[1].Value)}\"");
    }

    /// <summary>Returns the points with finite coordinates, ordered by X.</summary>
    public static List<SeriesPoint> FinitePoints(IEnumerable<SeriesPoint> points) =>
        points.Where(point => double.IsFinite(point.X) && double.IsFinite(point.Y)).OrderBy(point => point.X).ToList();

    /// <summary>Formats a share 0..1 for a legend, such as "99%" or "98.5%".</summary>
    public static string ShortPercent(double share) => ReportText.Number(share * 100, 3) + "%";

    [GeneratedRegex(@"^\s*<\?xml[^>]*\?>\s*")]
    private static partial Regex XmlDeclaration();

    [GeneratedRegex(@"<svg\b([^>]*)>")]
    private static partial Regex SvgRoot();

    [GeneratedRegex("\\bid=\"([^\"]+)\"")]
    private static partial Regex ElementId();

    [GeneratedRegex(@"url\(#([^)]+)\)")]
    private static partial Regex UrlReference();

    [GeneratedRegex("href=\"#([^\"]+)\"")]
    private static partial Regex HrefReference();
}
