using System.Buffers;
using System.Text.Json;

namespace FleetOta.Protocol.Wire;

/// <summary>Encodes and decodes protocol messages as UTF-8 JSON objects. Every object starts with a
/// <c>"type"</c> member containing one of the <see cref="MessageTypes"/> names, followed by camelCase members of the
/// message record. Manifests carry their signature as base64. The codec writes and reads each member by hand, so
/// no reflection or naming policy decides the format.</summary>
/// <remarks>Decoding ignores unknown members, so a newer sender can add optional ones. A missing or mistyped
/// member raises <see cref="WireFormatException"/>.</remarks>
public static class WireCodec
{
    private const int MaxDepth = 16;

    public static byte[] Encode(DeviceMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Write(writer =>
        {
            writer.WriteString("type", message.Type);
            writer.WriteNumber("deviceId", message.DeviceId);
            switch (message)
            {
                case Heartbeat heartbeat:
                    writer.WriteString("runningVersion", heartbeat.RunningVersion);
                    writer.WriteString("activeSlot", heartbeat.ActiveSlot.ToWire());
                    writer.WriteBoolean("healthy", heartbeat.Healthy);
                    writer.WriteBoolean("degraded", heartbeat.Degraded);
                    break;
                case StatusReport status:
                    writer.WriteNumber("sequence", status.Sequence);
                    writer.WriteString("releaseId", status.ReleaseId);
                    writer.WriteString("status", status.Status.ToWire());
                    writer.WriteString("reason", status.Reason.ToWire());
                    writer.WriteString("runningVersion", status.RunningVersion);
                    break;
                case FaultReport fault:
                    writer.WriteString("runningVersion", fault.RunningVersion);
                    writer.WriteString("code", fault.Code);
                    writer.WriteBoolean("critical", fault.Critical);
                    break;
                default:
                    throw new ArgumentException($"The codec has no encoding for device message {message.GetType().Name}.", nameof(message));
            }
        });
    }

    public static byte[] Encode(ServerMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return Write(writer =>
        {
            writer.WriteString("type", message.Type);
            writer.WriteNumber("deviceId", message.DeviceId);
            switch (message)
            {
                case UpdateOffer offer:
                    writer.WritePropertyName("manifest");
                    WriteManifest(writer, offer.Manifest);
                    writer.WriteString("artifactUrl", offer.ArtifactUrl);
                    break;
                case StatusAck ack:
                    writer.WriteNumber("sequence", ack.Sequence);
                    break;
                case DeviceCommand command:
                    writer.WriteString("kind", command.Kind.ToWire());
                    writer.WritePropertyName("manifest");
                    if (command.Manifest is null)
                    {
                        writer.WriteNullValue();
                    }
                    else
                    {
                        WriteManifest(writer, command.Manifest);
                    }

                    writer.WriteString("artifactUrl", command.ArtifactUrl);
                    break;
                default:
                    throw new ArgumentException($"The codec has no encoding for server message {message.GetType().Name}.", nameof(message));
            }
        });
    }

    /// <summary>Decodes a message a device sent: heartbeat, status or fault.</summary>
    public static DeviceMessage DecodeDeviceMessage(ReadOnlySpan<byte> utf8Json)
    {
        using var document = Parse(utf8Json);
        var reader = new MessageReader(document.RootElement);
        var deviceId = reader.DeviceId();
        return reader.Type switch
        {
            MessageTypes.Heartbeat => new Heartbeat(
                deviceId,
                reader.String("runningVersion"),
                reader.Slot("activeSlot"),
                reader.Boolean("healthy"),
                reader.Boolean("degraded")),
            MessageTypes.Status => new StatusReport(
                deviceId,
                reader.Int32("sequence"),
                reader.String("releaseId"),
                reader.Status("status"),
                reader.Reason("reason"),
                reader.String("runningVersion")),
            MessageTypes.Fault => new FaultReport(
                deviceId,
                reader.String("runningVersion"),
                reader.String("code"),
                reader.Boolean("critical")),
            _ => throw new WireFormatException(
                $"Message type '{reader.Type}' is not a device message; expected one of {MessageTypes.Heartbeat}, {MessageTypes.Status}, {MessageTypes.Fault}."),
        };
    }

    /// <summary>Decodes a message the server sent: offer, ack or command.</summary>
    public static ServerMessage DecodeServerMessage(ReadOnlySpan<byte> utf8Json)
    {
        using var document = Parse(utf8Json);
        var reader = new MessageReader(document.RootElement);
        var deviceId = reader.DeviceId();
        return reader.Type switch
        {
            MessageTypes.Offer => new UpdateOffer(deviceId, reader.Manifest("manifest"), reader.String("artifactUrl")),
            MessageTypes.Ack => new StatusAck(deviceId, reader.Int32("sequence")),
            MessageTypes.Command => new DeviceCommand(
                deviceId,
                reader.Command("kind"),
                reader.OptionalManifest("manifest"),
                reader.OptionalString("artifactUrl")),
            _ => throw new WireFormatException(
                $"Message type '{reader.Type}' is not a server message; expected one of {MessageTypes.Offer}, {MessageTypes.Ack}, {MessageTypes.Command}."),
        };
    }

    /// <summary>Writes a signed manifest as a JSON object: <c>{"manifest":{...},"signature":"base64","keyId":"..."}</c>.</summary>
    public static void WriteManifest(Utf8JsonWriter writer, SignedManifest signed)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(signed);
        var manifest = signed.Manifest;
        writer.WriteStartObject();
        writer.WriteStartObject("manifest");
        writer.WriteString("releaseId", manifest.ReleaseId);
        writer.WriteString("version", manifest.Version);
        writer.WriteNumber("securityVersion", manifest.SecurityVersion);
        writer.WriteString("imageDigest", manifest.ImageDigest);
        writer.WriteNumber("imageSize", manifest.ImageSize);
        writer.WriteStartArray("compatibleHardware");
        foreach (var target in manifest.CompatibleHardware)
        {
            writer.WriteStartObject();
            writer.WriteString("model", target.Model);
            writer.WriteString("revision", target.Revision);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteBase64String("signature", signed.Signature);
        writer.WriteString("keyId", signed.KeyId);
        writer.WriteEndObject();
    }

    /// <summary>Reads a signed manifest object written by <see cref="WriteManifest"/>.</summary>
    public static SignedManifest ReadManifest(JsonElement element) => MessageReader.ReadManifest(element, "manifest");

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static JsonDocument Parse(ReadOnlySpan<byte> utf8Json)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { MaxDepth = MaxDepth });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException error)
        {
            throw new WireFormatException($"The payload is not valid JSON: {error.Message}", error);
        }

        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            var kind = document.RootElement.ValueKind;
            document.Dispose();
            throw new WireFormatException($"The payload is a JSON {kind}; a protocol message must be a JSON object with a \"type\" member.");
        }

        return document;
    }
}
