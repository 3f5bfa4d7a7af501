namespace FleetOta.Reports.Tests;

public sealed class ReportWriterTests : IDisposable
{
    private readonly TempFolder _output = new();

    public void Dispose() => _output.Dispose();

    [Fact]
    public void WriteScenario_Report_WritesFourFiles()
    {
        var folder = ReportWriter.WriteScenario(_output.Path, SampleReports.Failing());

        folder.Should().Be(Path.Combine(Path.GetFullPath(_output.Path), "r-2026.11", "slow-burn-faults"));
        foreach (var file in new[] { "report.html", "summary.json", "junit.xml", "summary.md" })
        {
            File.Exists(Path.Combine(folder, file)).Should().BeTrue(because: $"{file} must be written");
            new FileInfo(Path.Combine(folder, file)).Length.Should().BeGreaterThan(0);
        }
    }

    [Fact]
    public void WriteScenario_Files_HaveNoByteOrderMark()
    {
        var folder = ReportWriter.WriteScenario(_output.Path, SampleReports.Failing());

        foreach (var file in Directory.GetFiles(folder))
        {
            File.ReadAllBytes(file)[0].Should().NotBe(0xEF, because: $"{Path.GetFileName(file)} must start without a UTF-8 byte order mark");
        }
    }

    [Fact]
    public void WriteScenario_SameReport_WritesSameBytes()
    {
        var first = ReportWriter.WriteScenario(Path.Combine(_output.Path, "one"), SampleReports.Failing());
        var second = ReportWriter.WriteScenario(Path.Combine(_output.Path, "two"), SampleReports.Failing());

        foreach (var file in new[] { "report.html", "summary.json", "junit.xml", "summary.md" })
        {
            File.ReadAllBytes(Path.Combine(second, file)).Should().Equal(File.ReadAllBytes(Path.Combine(first, file)), because: $"{file} must be reproducible");
        }
    }

    [Fact]
    public void WriteScenario_NoFontProblem_WritesNoWarning()
    {
        var warnings = new StringWriter();

        ReportWriter.WriteScenario(_output.Path, SampleReports.Failing(), warnings);

        warnings.ToString().Should().BeEmpty(because: "fonts-dejavu-core is installed where the tests run");
    }

    [Theory]
    [InlineData("r-2026.11", "r-2026.11")]
    [InlineData("../../etc", "-..-etc")]
    [InlineData("..", "unnamed")]
    [InlineData("a/b\\c:d", "a-b-c-d")]
    [InlineData("  spaced id ", "spaced-id")]
    [InlineData("", "unnamed")]
    public void FolderName_Id_StaysInsideRunFolder(string id, string expected)
    {
        ReportWriter.FolderName(id).Should().Be(expected);
    }

    [Fact]
    public void WriteScenario_BlankDirectory_Throws()
    {
        var write = () => ReportWriter.WriteScenario(" ", SampleReports.Failing());

        write.Should().Throw<ArgumentException>();
    }
}
