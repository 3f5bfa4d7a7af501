using SkiaSharp;

namespace FleetOta.Reports;

/// <summary>Detects a machine on which chart text would be blank. ScottPlot draws text through SkiaSharp, and
/// SkiaSharp draws nothing, without an error, when the system has no fonts.</summary>
public static class ChartFonts
{
    /// <summary>Font families tried for chart text, first match wins. The report's CSS names the same families
    /// so that a browser without them still shows the text in another sans-serif font.</summary>
    internal static IReadOnlyList<string> PreferredFamilies { get; } = ["DejaVu Sans", "Liberation Sans", "Noto Sans", "Arial", "Helvetica"];

    private const string SampleText = "Reach 99% 48 h";

    /// <summary>Checks that SkiaSharp finds a font and that the font draws the sample text with a non-zero width.</summary>
    /// <returns>A warning for people to read, or null when chart text will render.</returns>
    public static string? Check()
    {
        var familyCount = SKFontManager.Default.FontFamilies.Count();
        var family = ChartFamily();
        using var matched = family is null ? null : SKFontManager.Default.MatchFamily(family);

        // SKTypeface.Default is shared by the whole process, so only the matched typeface is disposed.
        using var font = new SKFont(matched ?? SKTypeface.Default, 12);
        var width = font.MeasureText(SampleText);
        return Evaluate(familyCount, width);
    }

    /// <summary>Returns the warning for a font manager with <paramref name="familyCount"/> families whose default
    /// typeface measures the sample text <paramref name="sampleWidth"/> pixels wide, or null when both are usable.</summary>
    internal static string? Evaluate(int familyCount, float sampleWidth)
    {
        if (familyCount == 0)
        {
            return "No fonts were found on this machine, so chart text (axis labels, titles, legends) is blank. "
                + "Install a font package, for example 'apt-get install -y fonts-dejavu-core', and generate the report again.";
        }

        if (!(sampleWidth > 0))
        {
            return $"The chart font measured the text '{SampleText}' as {sampleWidth} pixels wide, so chart text is blank. "
                + "Install a font package, for example 'apt-get install -y fonts-dejavu-core', and generate the report again.";
        }

        return null;
    }

    /// <summary>Returns the first preferred family installed on this machine, or null to keep ScottPlot's default.</summary>
    internal static string? ChartFamily()
    {
        foreach (var family in PreferredFamilies)
        {
            using var typeface = SKFontManager.Default.MatchFamily(family);
            if (typeface is not null && typeface.FamilyName == family)
            {
                return family;
            }
        }

        return null;
    }
}
