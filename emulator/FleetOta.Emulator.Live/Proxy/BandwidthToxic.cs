using System.Globalization;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Caps the throughput at <see cref="BytesPerSecond"/>. The proxy sends pieces of about 10 ms worth of data on
/// a fixed schedule, and time spent idle earns no credit for a later burst.
/// </summary>
public sealed record BandwidthToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Bandwidth;

    /// <summary>Throughput cap in bytes per second. Required, 1 or more.</summary>
    public required long BytesPerSecond { get; init; }

    protected override void ValidateProperties(List<string> errors)
    {
        if (BytesPerSecond < 1)
        {
            errors.Add(Describe(nameof(BytesPerSecond), BytesPerSecond.ToString(CultureInfo.InvariantCulture), "1 or more bytes per second"));
        }
    }
}
