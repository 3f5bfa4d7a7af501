using System.Text.Json;
using System.Text.Json.Serialization;
using FleetOta.Protocol;

namespace FleetOta.Server.Persistence;

/// <summary>Writes controller outputs and deployments as JSON with a kind tag, and reads them back.</summary>
public static class ControllerOutputCodec
{
    internal static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>Returns the kind tag and the JSON text of an output.</summary>
    public static (string Kind, string Payload) Encode(ControllerOutput output) => output switch
    {
        SendToDevice { Message: UpdateOffer offer } => ("send.offer", JsonSerializer.Serialize(offer, Json)),
        SendToDevice { Message: StatusAck ack } => ("send.ack", JsonSerializer.Serialize(ack, Json)),
        SendToDevice { Message: DeviceCommand command } => ("send.command", JsonSerializer.Serialize(command, Json)),
        RaiseAlert alert => ("alert", JsonSerializer.Serialize(alert.Alert, Json)),
        Record record => ("journal", JsonSerializer.Serialize(record.Entry, Json)),
        ActionRejected rejected => ("rejected", JsonSerializer.Serialize(rejected, Json)),
        _ => throw new ArgumentException($"The store cannot encode controller output {output.GetType().Name}.", nameof(output)),
    };

    public static ControllerOutput Decode(string kind, string payload) => kind switch
    {
        "send.offer" => new SendToDevice(Read<UpdateOffer>(payload)),
        "send.ack" => new SendToDevice(Read<StatusAck>(payload)),
        "send.command" => new SendToDevice(Read<DeviceCommand>(payload)),
        "alert" => new RaiseAlert(Read<RolloutAlert>(payload)),
        "journal" => new Record(Read<FleetOta.Journal.JournalEntry>(payload)),
        "rejected" => Read<ActionRejected>(payload),
        _ => throw new InvalidDataException($"The store holds an output of unknown kind '{kind}'; it was written by a newer version."),
    };

    internal static string EncodeDeployment(StartDeployment deployment) => JsonSerializer.Serialize(deployment, Json);

    internal static StartDeployment DecodeDeployment(string payload) => Read<StartDeployment>(payload);

    internal static string EncodeRelease(CatalogueEntry entry) => JsonSerializer.Serialize(entry, Json);

    internal static CatalogueEntry DecodeRelease(string payload) => Read<CatalogueEntry>(payload);

    private static T Read<T>(string payload) =>
        JsonSerializer.Deserialize<T>(payload, Json)
        ?? throw new InvalidDataException($"The store holds an empty {typeof(T).Name}.");
}
