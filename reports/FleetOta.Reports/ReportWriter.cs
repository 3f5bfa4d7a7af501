using System.Text;

namespace FleetOta.Reports;

/// <summary>Writes the compliance reports of a run. Per scenario, RUN/&lt;release&gt;/&lt;scenario&gt;/ gets report.html,
/// summary.json, junit.xml and summary.md. Across scenarios, RUN/ gets index.html and junit.xml.</summary>
public static class ReportWriter
{
    public const string HtmlFile = "report.html";
    public const string JsonFile = "summary.json";
    public const string JUnitFile = "junit.xml";
    public const string MarkdownFile = "summary.md";
    public const string IndexFile = "index.html";

    /// <summary>Writes the four files of one scenario into RUN/&lt;release&gt;/&lt;scenario&gt;/, creating the folder.</summary>
    /// <param name="runDirectory">Output folder of the whole run.</param>
    /// <param name="report">The scenario's results and chart data.</param>
    /// <param name="warningOutput">Receives one line per warning, such as missing fonts. The command line passes standard error.
    /// The same warning is shown at the top of report.html.</param>
    /// <returns>The full path of the scenario's folder.</returns>
    public static string WriteScenario(string runDirectory, ScenarioReport report, TextWriter? warningOutput = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(report);

        var folder = Path.GetFullPath(Path.Combine(runDirectory, FolderName(report.Run.ReleaseId), FolderName(report.Run.Scenario)));
        Directory.CreateDirectory(folder);

        var fontWarning = ChartFonts.Check();
        if (fontWarning is not null)
        {
            warningOutput?.WriteLine($"warning: {fontWarning}");
        }

        var charts = ReportCharts.Build(report);
        File.WriteAllText(Path.Combine(folder, HtmlFile), HtmlReport.Render(report, charts, fontWarning), Utf8);
        File.WriteAllBytes(Path.Combine(folder, JsonFile), SummaryJson.Serialize(report));
        File.WriteAllBytes(Path.Combine(folder, JUnitFile), JUnitReport.Serialize([report]));
        File.WriteAllText(Path.Combine(folder, MarkdownFile), MarkdownSummary.Render(report), Utf8);
        return folder;
    }

    /// <summary>Writes RUN/index.html, which lists every scenario by release and links each report.html.</summary>
    /// <returns>The full path of index.html.</returns>
    public static string WriteIndex(string runDirectory, IReadOnlyList<ScenarioReport> reports)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(reports);

        Directory.CreateDirectory(runDirectory);
        var path = Path.GetFullPath(Path.Combine(runDirectory, IndexFile));
        File.WriteAllText(path, IndexPage.Render(reports, ChartFonts.Check()), Utf8);
        return path;
    }

    /// <summary>Writes RUN/junit.xml with one test suite per scenario, for CI servers that read a single file.</summary>
    /// <returns>The full path of junit.xml.</returns>
    public static string WriteJUnitAll(string runDirectory, IReadOnlyList<ScenarioReport> reports)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(runDirectory);
        ArgumentNullException.ThrowIfNull(reports);

        Directory.CreateDirectory(runDirectory);
        var path = Path.GetFullPath(Path.Combine(runDirectory, JUnitFile));
        File.WriteAllBytes(path, JUnitReport.Serialize(reports));
        return path;
    }

    /// <summary>Turns a release id or scenario id into one folder name: letters, digits, '.', '-', '_' and '+' are kept,
    /// every other character becomes '-', so that an id can never leave the run folder or be invalid on any OS.</summary>
    /// <remarks>NOTE: two ids that differ only in replaced characters ("a/b" and "a:b") share one folder, and the later
    /// scenario overwrites the earlier one's files.</remarks>
    public static string FolderName(string id)
    {
        var name = new StringBuilder(id.Length);
        foreach (var character in id.Trim())
        {
            name.Append(char.IsLetterOrDigit(character) || character is '.' or '-' or '_' or '+' ? character : '-');
        }

        var result = name.ToString().Trim('.');
        return result.Length == 0 ? "unnamed" : result;
    }

    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);
}
