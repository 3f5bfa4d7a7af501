using Microsoft.Playwright;

namespace FleetOta.Reports.Tests;

/// <summary>Runs the test only where Debian's Chromium is installed, and otherwise skips it with the reason.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string ChromiumPath = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(ChromiumPath))
        {
            Skip = $"{ChromiumPath} is missing. Install Debian's chromium package (apt-get install -y chromium) to run the browser test.";
        }
    }
}

/// <summary>Opens report.html in real headless Chromium through Playwright and checks the visible page.</summary>
public sealed class BrowserTests : IDisposable
{
    private static readonly string[] LaunchArguments =
    [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ];

    private static readonly string[] ChartIds =
        [ReportCharts.ReachId, ReportCharts.SuccessId, ReportCharts.RollbackId, ReportCharts.FaultRateId, ReportCharts.IncidentsId];

    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    /// <summary>Folder for screenshots, kept after the run: bin/&lt;configuration&gt;/net10.0/artifacts.</summary>
    private static string ArtifactFolder()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "artifacts");
        Directory.CreateDirectory(folder);
        return folder;
    }

    [ChromiumFact]
    public async Task ReportHtml_InChromium_ShowsTableAndCharts()
    {
        var folder = ReportWriter.WriteScenario(_output.Path, SampleReports.Failing());
        var reportUri = new Uri(Path.Combine(folder, ReportWriter.HtmlFile)).AbsoluteUri;
        var externalRequests = new List<string>();

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = LaunchArguments,
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        page.Request += (_, request) =>
        {
            if (!request.Url.StartsWith("file:", StringComparison.Ordinal))
            {
                externalRequests.Add(request.Url);
            }
        };
        await page.GotoAsync(reportUri);

        (await page.Locator("#verdict-table").IsVisibleAsync()).Should().BeTrue();
        (await page.Locator("#verdict-table tbody tr").CountAsync()).Should().Be(5);
        (await page.Locator("#wave-dashboard").IsVisibleAsync()).Should().BeTrue();
        (await page.Locator("[data-testid=outcome] h1").InnerTextAsync()).Should().Be("slow-burn-faults: failed");
        (await page.Locator("#font-warning").CountAsync()).Should().Be(0, because: "fonts are installed where this test runs");
        foreach (var id in ChartIds)
        {
            var chart = page.Locator($"[data-testid={id}] svg");
            (await chart.IsVisibleAsync()).Should().BeTrue(because: $"chart {id} must be visible");
            var box = await chart.BoundingBoxAsync();
            box.Should().NotBeNull();
            box!.Width.Should().BeGreaterThan(600, because: $"chart {id} must fill the page width");
            box.Height.Should().BeGreaterThan(200, because: $"chart {id} must keep its aspect ratio");
        }

        var axisLabel = page.Locator($"[data-testid={ReportCharts.ReachId}] svg text", new PageLocatorOptions { HasText = "Hours since release start" });
        (await axisLabel.CountAsync()).Should().Be(1);
        var labelBox = await axisLabel.BoundingBoxAsync();
        labelBox!.Width.Should().BeGreaterThan(50, because: "axis label text must be drawn with a real font");
        externalRequests.Should().BeEmpty(because: "the report must open with no network");

        var screenshot = Path.Combine(ArtifactFolder(), "report.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        new FileInfo(screenshot).Length.Should().BeGreaterThan(10_000);

        // One picture per section as well, because the full page is too tall to read when scaled down.
        foreach (var id in new[] { "outcome", "verdicts", "waves", "evidence", "reproduce" }.Concat(ChartIds))
        {
            await page.Locator($"#{id}").ScreenshotAsync(new LocatorScreenshotOptions { Path = Path.Combine(ArtifactFolder(), $"report-{id}.png") });
        }
    }

    [ChromiumFact]
    public async Task EmptyReport_InChromium_ShowsNoDataNotes()
    {
        var folder = ReportWriter.WriteScenario(_output.Path, SampleReports.Empty());
        var reportUri = new Uri(Path.Combine(folder, ReportWriter.HtmlFile)).AbsoluteUri;

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = LaunchArguments,
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(reportUri);

        foreach (var id in ChartIds)
        {
            (await page.Locator($"[data-testid={id}] .no-data").IsVisibleAsync()).Should().BeTrue(because: $"chart {id} has no data");
        }

        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactFolder(), "report-empty.png"), FullPage = true });
    }

    [ChromiumFact]
    public async Task IndexHtml_InChromium_LinksEveryReport()
    {
        ScenarioReport[] reports = [SampleReports.Failing(), SampleReports.Passing()];
        foreach (var report in reports)
        {
            ReportWriter.WriteScenario(_output.Path, report);
        }

        var index = ReportWriter.WriteIndex(_output.Path, reports);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumFactAttribute.ChromiumPath,
            Headless = true,
            Args = LaunchArguments,
            Timeout = 30_000,
        });
        var page = await browser.NewPageAsync();
        await page.GotoAsync(new Uri(index).AbsoluteUri);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ArtifactFolder(), "index.png"), FullPage = true });

        await page.Locator("[data-scenario=power-cut-during-write] a").ClickAsync();

        (await page.Locator("[data-testid=outcome] h1").InnerTextAsync()).Should().Be("power-cut-during-write: passed");
    }
}
