namespace FleetOta.Reports.Tests;

public sealed class ReportTextTests
{
    [Theory]
    [InlineData(0.99, "99.00%")]
    [InlineData(0.005, "0.50%")]
    [InlineData(1.0, "100.00%")]
    [InlineData(0.99996, "99.996%")]
    [InlineData(double.NaN, "n/a")]
    [InlineData(null, "n/a")]
    public void Percent_Share_FormatsWithoutRoundingUpToFull(double? share, string expected)
    {
        ReportText.Percent(share).Should().Be(expected);
    }

    [Theory]
    [InlineData(45.0, "45 s")]
    [InlineData(119.94, "119.9 s")]
    [InlineData(120.0, "2 min")]
    [InlineData(780.0, "13 min")]
    [InlineData(390.0, "6.5 min")]
    public void Seconds_Value_SwitchesToMinutes(double seconds, string expected)
    {
        ReportText.Seconds(seconds).Should().Be(expected);
    }

    [Theory]
    [InlineData(0.5, "share", "50.00%")]
    [InlineData(0.5, "ratio", "50.00%")]
    [InlineData(30.0, "s", "30 s")]
    [InlineData(30.0, "seconds", "30 s")]
    [InlineData(3.25, "devices", "3.25 devices")]
    [InlineData(3.25, "", "3.25")]
    public void InUnit_KnownAndUnknownUnits_Format(double value, string unit, string expected)
    {
        ReportText.InUnit(value, unit).Should().Be(expected);
    }

    [Fact]
    public void Duration_Milliseconds_FormatsWithUnit()
    {
        ReportText.Duration(850).Should().Be("850 ms");
        ReportText.Duration(8421).Should().Be("8.4 s");
    }
}
