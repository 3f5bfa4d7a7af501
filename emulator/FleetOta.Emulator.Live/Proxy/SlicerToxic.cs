using System.Globalization;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Splits every chunk of data into small segments that are sent one by one, with a random delay between
/// segments. Receivers see many short reads, which exposes code that expects a whole message per read.
/// </summary>
public sealed record SlicerToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Slicer;

    /// <summary>Average segment size in bytes. Required, 1 or more.</summary>
    public required int AverageSize { get; init; }

    /// <summary>
    /// Maximum deviation from <see cref="AverageSize"/> in bytes, drawn uniformly for each segment. Default 0,
    /// from 0 to <see cref="AverageSize"/> - 1.
    /// </summary>
    public int SizeVariation { get; init; }

    /// <summary>
    /// Average delay between two segments, drawn uniformly from [0, 2 × Delay]. Default 0 ms, which sends the
    /// segments back to back. At most one day.
    /// </summary>
    public TimeSpan Delay { get; init; }

    protected override void ValidateProperties(List<string> errors)
    {
        if (AverageSize < 1)
        {
            errors.Add(Describe(nameof(AverageSize), AverageSize.ToString(CultureInfo.InvariantCulture), "1 or more bytes"));
        }
        else if (SizeVariation < 0 || SizeVariation >= AverageSize)
        {
            errors.Add(Describe(nameof(SizeVariation), SizeVariation.ToString(CultureInfo.InvariantCulture), $"from 0 to {AverageSize - 1} bytes (less than AverageSize)"));
        }

        ValidateDelay(errors, nameof(Delay), Delay);
    }
}
