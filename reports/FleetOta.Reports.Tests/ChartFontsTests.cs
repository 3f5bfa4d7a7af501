namespace FleetOta.Reports.Tests;

public sealed class ChartFontsTests
{
    [Fact]
    public void Check_FontsInstalled_ReturnsNull()
    {
        // fonts-dejavu-core is installed by CI and by the developer set-up. Without it this test fails on purpose.
        ChartFonts.Check().Should().BeNull();
    }

    [Fact]
    public void Evaluate_NoFamilies_WarnsWithFix()
    {
        var warning = ChartFonts.Evaluate(familyCount: 0, sampleWidth: 0);

        warning.Should().Contain("No fonts were found");
        warning.Should().Contain("apt-get install -y fonts-dejavu-core");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(float.NaN)]
    public void Evaluate_ZeroWidthText_Warns(float width)
    {
        ChartFonts.Evaluate(familyCount: 3, sampleWidth: width).Should().Contain("chart text is blank");
    }

    [Fact]
    public void Evaluate_MeasurableText_ReturnsNull()
    {
        ChartFonts.Evaluate(familyCount: 3, sampleWidth: 80).Should().BeNull();
    }

    [Fact]
    public void ChartFamily_DejaVuInstalled_IsDejaVuSans()
    {
        ChartFonts.ChartFamily().Should().Be("DejaVu Sans");
    }
}
