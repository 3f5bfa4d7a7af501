using FleetOta.Protocol.Wire;

namespace FleetOta.Protocol.Tests.Wire;

public sealed class MqttTopicsTests
{
    [Fact]
    public void Up_Device7_Topic()
    {
        MqttTopics.Up(7).Should().Be("fleetota/d/7/up");
        MqttTopics.Down(7).Should().Be("fleetota/d/7/down");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(42)]
    [InlineData(int.MaxValue)]
    public void TryParseUp_OwnTopic_ReturnsId(int device)
    {
        MqttTopics.TryParseUp(MqttTopics.Up(device), out var parsed).Should().BeTrue();
        parsed.Should().Be(device);
        MqttTopics.TryParseDown(MqttTopics.Down(device), out parsed).Should().BeTrue();
        parsed.Should().Be(device);
    }

    [Theory]
    [InlineData("fleetota/d/7/down")]
    [InlineData("fleetota/d//up")]
    [InlineData("fleetota/d/07/up")]
    [InlineData("fleetota/d/-1/up")]
    [InlineData("fleetota/d/7a/up")]
    [InlineData("fleetota/d/99999999999/up")]
    [InlineData("other/d/7/up")]
    public void TryParseUp_OtherTopic_False(string topic)
    {
        MqttTopics.TryParseUp(topic, out _).Should().BeFalse();
    }

    [Fact]
    public void HttpPaths_Artifact_EscapesId()
    {
        HttpPaths.Artifact("rel 2/x").Should().Be("/artifacts/rel%202%2Fx");
        HttpPaths.Pause("d1").Should().Be("/api/deployments/d1/pause");
    }
}
