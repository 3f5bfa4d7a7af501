using System.Text.Json;

namespace FleetOta.Protocol.Wire;

/// <summary>Reads the members of one message object with errors that name the message type and the member.</summary>
internal readonly struct MessageReader
{
    private readonly JsonElement _root;

    public MessageReader(JsonElement root)
    {
        _root = root;
        Type = "";
        if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            throw new WireFormatException(
                "The message has no string member \"type\"; set it to one of heartbeat, status, fault, offer, ack, command.");
        }

        Type = type.GetString()!;
    }

    public string Type { get; }

    public int DeviceId()
    {
        var id = Int32("deviceId");
        return id >= 0
            ? id
            : throw new WireFormatException($"Member \"deviceId\" of a '{Type}' message is {id}; device ids are 0 or greater.");
    }

    public string String(string name) => String(_root, name, Type);

    public string? OptionalString(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return value.ValueKind == JsonValueKind.String
            ? value.GetString()
            : throw Mistyped(name, Type, value, "a string or null");
    }

    public int Int32(string name) => Int32(_root, name, Type);

    public bool Boolean(string name)
    {
        var value = Required(_root, name, Type);
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Mistyped(name, Type, value, "true or false"),
        };
    }

    public Slot Slot(string name)
    {
        var text = String(name);
        return WireNames.TryParseSlot(text, out var slot) ? slot : throw Invalid(name, text, WireNames.ValidNames<Slot>());
    }

    public UpdateStatus Status(string name)
    {
        var text = String(name);
        return WireNames.TryParseStatus(text, out var status) ? status : throw Invalid(name, text, WireNames.ValidNames<UpdateStatus>());
    }

    public FailureReason Reason(string name)
    {
        var text = String(name);
        return WireNames.TryParseReason(text, out var reason) ? reason : throw Invalid(name, text, WireNames.ValidNames<FailureReason>());
    }

    public CommandKind Command(string name)
    {
        var text = String(name);
        return WireNames.TryParseCommand(text, out var kind) ? kind : throw Invalid(name, text, WireNames.ValidNames<CommandKind>());
    }

    public SignedManifest Manifest(string name) => ReadManifest(Required(_root, name, Type), Type);

    public SignedManifest? OptionalManifest(string name)
    {
        if (!_root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        return ReadManifest(value, Type);
    }

    public static SignedManifest ReadManifest(JsonElement signed, string context)
    {
        if (signed.ValueKind != JsonValueKind.Object)
        {
            throw new WireFormatException($"The signed manifest of a '{context}' message is a JSON {signed.ValueKind}; it must be an object.");
        }

        var manifest = Required(signed, "manifest", context);
        if (manifest.ValueKind != JsonValueKind.Object)
        {
            throw Mistyped("manifest", context, manifest, "an object");
        }

        var hardware = Required(manifest, "compatibleHardware", context);
        if (hardware.ValueKind != JsonValueKind.Array)
        {
            throw Mistyped("compatibleHardware", context, hardware, "an array of {\"model\", \"revision\"} objects");
        }

        var targets = new List<HardwareTarget>(hardware.GetArrayLength());
        foreach (var target in hardware.EnumerateArray())
        {
            if (target.ValueKind != JsonValueKind.Object)
            {
                throw Mistyped("compatibleHardware", context, target, "an array of {\"model\", \"revision\"} objects");
            }

            targets.Add(new HardwareTarget(String(target, "model", context), String(target, "revision", context)));
        }

        var body = new ReleaseManifest(
            String(manifest, "releaseId", context),
            String(manifest, "version", context),
            Int32(manifest, "securityVersion", context),
            String(manifest, "imageDigest", context),
            Int64(manifest, "imageSize", context),
            targets);
        return new SignedManifest(body, Base64(signed, "signature", context), String(signed, "keyId", context));
    }

    private static JsonElement Required(JsonElement parent, string name, string context) =>
        parent.TryGetProperty(name, out var value)
            ? value
            : throw new WireFormatException($"Member \"{name}\" is missing in a '{context}' message; add it.");

    private static string String(JsonElement parent, string name, string context)
    {
        var value = Required(parent, name, context);
        return value.ValueKind == JsonValueKind.String ? value.GetString()! : throw Mistyped(name, context, value, "a string");
    }

    private static int Int32(JsonElement parent, string name, string context)
    {
        var value = Required(parent, name, context);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw Mistyped(name, context, value, "a 32-bit integer");
    }

    private static long Int64(JsonElement parent, string name, string context)
    {
        var value = Required(parent, name, context);
        return value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var number)
            ? number
            : throw Mistyped(name, context, value, "a 64-bit integer");
    }

    private static byte[] Base64(JsonElement parent, string name, string context)
    {
        var value = Required(parent, name, context);
        return value.ValueKind == JsonValueKind.String && value.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw Mistyped(name, context, value, "a base64 string (empty for an unsigned manifest)");
    }

    private WireFormatException Invalid(string name, string value, string valid) =>
        new($"Member \"{name}\" of a '{Type}' message is '{value}'; valid values are {valid}.");

    private static WireFormatException Mistyped(string name, string context, JsonElement value, string expected)
    {
        var excerpt = value.ValueKind == JsonValueKind.String ? $"'{value.GetString()}'" : value.GetRawText();
        if (excerpt.Length > 60)
        {
            excerpt = excerpt[..60] + "...";
        }

        return new WireFormatException($"Member \"{name}\" of a '{context}' message is {excerpt}; it must be {expected}.");
    }
}
