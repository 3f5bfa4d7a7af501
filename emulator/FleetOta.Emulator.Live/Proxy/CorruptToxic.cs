using System.Globalization;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Corrupts data in transit. Each forwarded byte, independently with chance <see cref="Rate"/>, gets one
/// random bit flipped. TCP checksums do not catch this, because the proxy changes the payload before its own
/// TCP stack computes them.
/// </summary>
public sealed record CorruptToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Corrupt;

    /// <summary>Chance per byte, from 0 to 1, that one of its bits is flipped. Required.</summary>
    public required double Rate { get; init; }

    protected override void ValidateProperties(List<string> errors)
    {
        if (!(Rate >= 0 && Rate <= 1))
        {
            errors.Add(Describe(nameof(Rate), Rate.ToString(CultureInfo.InvariantCulture), "a number from 0 to 1"));
        }
    }
}
