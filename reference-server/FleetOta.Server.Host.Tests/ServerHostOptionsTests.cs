using FleetOta.Server.Host.Mqtt;

namespace FleetOta.Server.Host.Tests;

public sealed class ServerHostOptionsTests
{
    [Theory]
    [InlineData("embedded", true, "127.0.0.1", 0)]
    [InlineData("embedded:18830", true, "127.0.0.1", 18830)]
    [InlineData("mqtt://127.0.0.1:1884", false, "127.0.0.1", 1884)]
    [InlineData("mqtt://localhost", false, "localhost", 1883)]
    public void BrokerEndpoint_Valid_Parsed(string text, bool embedded, string host, int port)
    {
        var endpoint = BrokerEndpoint.Parse(text);

        endpoint.Should().Be(new BrokerEndpoint(embedded, host, port));
    }

    [Theory]
    [InlineData("tcp://127.0.0.1:1883", "neither 'embedded' nor an mqtt:// URL")]
    [InlineData("embedded:x", "not a TCP port")]
    [InlineData("mqtt://127.0.0.1:1883/topic", "has a path")]
    public void BrokerEndpoint_Invalid_NamesFix(string text, string reason)
    {
        var parse = () => BrokerEndpoint.Parse(text);

        parse.Should().Throw<ArgumentException>().Which.Message.Should().Contain(reason).And.Contain("mqtt://127.0.0.1:1883");
    }

    [Theory]
    [InlineData(-1, 60, "port")]
    [InlineData(70000, 60, "port")]
    [InlineData(0, 0, "time-factor")]
    [InlineData(0, double.PositiveInfinity, "time-factor")]
    public void Validate_Invalid_NamesOption(int port, double factor, string option)
    {
        var validate = () => new ServerHostOptions { Port = port, TimeFactor = factor }.Validate();

        validate.Should().Throw<ArgumentException>().Which.Message.Should().StartWith($"Option {option} is");
    }
}
