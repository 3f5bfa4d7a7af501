using System.Globalization;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Resets the connection (TCP RST to both peers) as soon as <see cref="AfterBytes"/> bytes have been forwarded
/// in the toxic's direction, counted from the moment the toxic applied to the connection. With
/// <see cref="ToxicDirection.Both"/> the count covers both directions together. Bytes past the limit are dropped.
/// </summary>
public sealed record ResetToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Reset;

    /// <summary>Bytes forwarded before the reset. Required, 0 or more. With 0 the connection is reset at once.</summary>
    public required long AfterBytes { get; init; }

    protected override void ValidateProperties(List<string> errors)
    {
        if (AfterBytes < 0)
        {
            errors.Add(Describe(nameof(AfterBytes), AfterBytes.ToString(CultureInfo.InvariantCulture), "0 or more bytes"));
        }
    }
}
