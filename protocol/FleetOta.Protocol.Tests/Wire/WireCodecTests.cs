using System.Text;
using System.Text.Json;
using CsCheck;
using FleetOta.Protocol;
using FleetOta.Protocol.Wire;

namespace FleetOta.Protocol.Tests.Wire;

public sealed class WireCodecTests
{
    private static readonly ReleaseManifest SampleManifest = new(
        "rel-2", "2.0.0", 3, Digests.Sha256Hex("image"u8), 5, [new HardwareTarget("gw-300", "B"), new HardwareTarget("gw-300", "C")]);

    public static TheoryData<DeviceMessage> DeviceMessages => new()
    {
        new Heartbeat(0, "1.0.0", Slot.A, Healthy: true, Degraded: false),
        new Heartbeat(41, "2.0.0", Slot.B, Healthy: false, Degraded: true),
        new StatusReport(7, 3, "rel-2", UpdateStatus.RolledBack, FailureReason.BootFailed, "1.0.0"),
        new StatusReport(7, 4, "rel-2", UpdateStatus.Succeeded, FailureReason.None, "2.0.0"),
        new FaultReport(9, "2.0.0", "E42 \"watchdog\"", Critical: true),
    };

    [Theory]
    [MemberData(nameof(DeviceMessages))]
    public void DeviceMessage_RoundTrip_Equal(DeviceMessage message)
    {
        var decoded = WireCodec.DecodeDeviceMessage(WireCodec.Encode(message));

        decoded.Should().Be(message);
    }

    [Fact]
    public void UpdateOffer_RoundTrip_KeepsSignature()
    {
        using var signer = ManifestSigner.CreateEphemeral("server-1");
        var offer = new UpdateOffer(12, signer.Sign(SampleManifest), "http://127.0.0.1:5000/artifacts/rel-2");

        var decoded = (UpdateOffer)WireCodec.DecodeServerMessage(WireCodec.Encode(offer));

        decoded.DeviceId.Should().Be(12);
        decoded.ArtifactUrl.Should().Be(offer.ArtifactUrl);
        decoded.Manifest.KeyId.Should().Be("server-1");
        decoded.Manifest.Signature.Should().Equal(offer.Manifest.Signature);
        decoded.Manifest.Manifest.ToCanonicalBytes().Should().Equal(SampleManifest.ToCanonicalBytes());
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust("server-1", signer.ExportPublicKey());
        verifier.Verify(decoded.Manifest).Should().Be(SignatureCheck.Valid);
    }

    [Fact]
    public void UpdateOffer_Encode_SignatureIsBase64()
    {
        var signed = new SignedManifest(SampleManifest, [1, 2, 3, 250], "k");

        using var document = JsonDocument.Parse(WireCodec.Encode(new UpdateOffer(1, signed, "http://x/a")));

        var manifest = document.RootElement.GetProperty("manifest");
        manifest.GetProperty("signature").GetString().Should().Be("AQID+g==");
        manifest.GetProperty("manifest").GetProperty("imageSize").GetInt64().Should().Be(5);
    }

    [Fact]
    public void StatusAck_RoundTrip_Equal()
    {
        var ack = new StatusAck(3, 17);

        WireCodec.DecodeServerMessage(WireCodec.Encode(ack)).Should().Be(ack);
    }

    [Theory]
    [InlineData(CommandKind.Cancel)]
    [InlineData(CommandKind.Retry)]
    [InlineData(CommandKind.Rollback)]
    public void DeviceCommand_WithoutManifest_RoundTrip(CommandKind kind)
    {
        var command = new DeviceCommand(5, kind, null, null);

        WireCodec.DecodeServerMessage(WireCodec.Encode(command)).Should().Be(command);
    }

    [Fact]
    public void DeviceCommand_Install_KeepsManifest()
    {
        var signed = new SignedManifest(SampleManifest, [9, 8, 7], "k");
        var command = new DeviceCommand(5, CommandKind.Install, signed, "http://127.0.0.1/artifacts/rel-1");

        var decoded = (DeviceCommand)WireCodec.DecodeServerMessage(WireCodec.Encode(command));

        decoded.Kind.Should().Be(CommandKind.Install);
        decoded.ArtifactUrl.Should().Be(command.ArtifactUrl);
        decoded.Manifest!.Signature.Should().Equal(signed.Signature);
        decoded.Manifest.Manifest.CompatibleHardware.Should().Equal(SampleManifest.CompatibleHardware);
    }

    [Fact]
    public void Encode_Heartbeat_ExactJson()
    {
        var json = Encoding.UTF8.GetString(WireCodec.Encode(new Heartbeat(7, "1.0.0", Slot.B, true, false)));

        json.Should().Be("""{"type":"heartbeat","deviceId":7,"runningVersion":"1.0.0","activeSlot":"B","healthy":true,"degraded":false}""");
    }

    [Fact]
    public void Encode_Status_ExactJson()
    {
        var report = new StatusReport(7, 3, "rel-2", UpdateStatus.RolledBack, FailureReason.HealthCheckFailed, "1.0.0");

        var json = Encoding.UTF8.GetString(WireCodec.Encode(report));

        json.Should().Be(
            """{"type":"status","deviceId":7,"sequence":3,"releaseId":"rel-2","status":"rolled-back","reason":"health-check-failed","runningVersion":"1.0.0"}""");
    }

    [Fact]
    public void Decode_UnknownMember_Ignored()
    {
        var json = """{"type":"ack","deviceId":2,"sequence":5,"addedLater":[1,2]}"""u8;

        WireCodec.DecodeServerMessage(json).Should().Be(new StatusAck(2, 5));
    }

    [Theory]
    [InlineData("""{"deviceId":1}""", "\"type\"")]
    [InlineData("""[1]""", "JSON Array")]
    [InlineData("""{"type":"heartbeat","deviceId":1}""", "\"runningVersion\" is missing")]
    [InlineData("""{"type":"heartbeat","deviceId":"1","runningVersion":"1","activeSlot":"A","healthy":true,"degraded":false}""", "\"deviceId\"")]
    [InlineData("""{"type":"heartbeat","deviceId":-1,"runningVersion":"1","activeSlot":"A","healthy":true,"degraded":false}""", "0 or greater")]
    [InlineData("""{"type":"heartbeat","deviceId":1,"runningVersion":"1","activeSlot":"C","healthy":true,"degraded":false}""", "'C'; valid values are A, B")]
    [InlineData("""{"type":"status","deviceId":1,"sequence":1,"releaseId":"r","status":"done","reason":"none","runningVersion":"1"}""", "'done'")]
    [InlineData("""{"type":"offer","deviceId":1}""", "not a device message")]
    [InlineData("""{"type":"heartbeat",""", "not valid JSON")]
    public void DecodeDeviceMessage_Invalid_NamesProblem(string json, string expected)
    {
        var decode = () => WireCodec.DecodeDeviceMessage(Encoding.UTF8.GetBytes(json));

        decode.Should().Throw<WireFormatException>().Which.Message.Should().Contain(expected);
    }

    [Fact]
    public void DecodeServerMessage_BadSignature_NamesMember()
    {
        var json = """
            {"type":"offer","deviceId":1,"artifactUrl":"u","manifest":{"signature":"%%","keyId":"k",
             "manifest":{"releaseId":"r","version":"1","securityVersion":1,"imageDigest":"d","imageSize":1,"compatibleHardware":[]}}}
            """;

        var decode = () => WireCodec.DecodeServerMessage(Encoding.UTF8.GetBytes(json));

        decode.Should().Throw<WireFormatException>().Which.Message.Should().Contain("\"signature\"").And.Contain("base64");
    }

    [Fact]
    public void DeviceMessages_AnyValues_RoundTrip()
    {
        var text = Gen.String[0, 20];
        var heartbeat = Gen.Select(Gen.Int[0, int.MaxValue], text, Gen.Enum<Slot>(), Gen.Bool, Gen.Bool)
            .Select((id, version, slot, healthy, degraded) => (DeviceMessage)new Heartbeat(id, version, slot, healthy, degraded));
        var status = Gen.Select(Gen.Int[0, int.MaxValue], Gen.Int, text, Gen.Enum<UpdateStatus>(), Gen.Enum<FailureReason>(), text)
            .Select((id, sequence, release, state, reason, version) => (DeviceMessage)new StatusReport(id, sequence, release, state, reason, version));
        var fault = Gen.Select(Gen.Int[0, int.MaxValue], text, text, Gen.Bool)
            .Select((id, version, code, critical) => (DeviceMessage)new FaultReport(id, version, code, critical));

        Gen.OneOf(heartbeat, status, fault).Sample(message =>
            WireCodec.DecodeDeviceMessage(WireCodec.Encode(message)).Should().Be(message));
    }
}
