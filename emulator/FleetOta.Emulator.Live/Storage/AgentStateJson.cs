using System.Text.Json;
using System.Text.Json.Serialization;
using FleetOta.Agent;

namespace FleetOta.Emulator.Live.Storage;

/// <summary>JSON form of the persisted agent state and of slot metadata, as the device host stores them in files.</summary>
internal static class AgentStateJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter() },
    };

    public static byte[] Serialize(AgentState state) => JsonSerializer.SerializeToUtf8Bytes(state, Options);

    /// <summary>Returns the state, or null when the bytes are not a complete state.</summary>
    public static AgentState? Deserialize(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<AgentState>(bytes, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public static byte[] Serialize(SlotContent content) => JsonSerializer.SerializeToUtf8Bytes(content, Options);

    public static SlotContent? DeserializeSlot(byte[] bytes)
    {
        try
        {
            return JsonSerializer.Deserialize<SlotContent>(bytes, Options);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
