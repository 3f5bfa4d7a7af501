namespace FleetOta.Emulator.Fleet;

/// <summary>How a device's power supply behaves over the run.</summary>
public enum PowerKind
{
    /// <summary>Powered for the whole run.</summary>
    Mains,

    /// <summary>Switched off every night in the site's time zone, from <see cref="PowerPattern.OffFromHour"/> for
    /// <see cref="PowerPattern.OffHours"/> hours.</summary>
    NightlyOff,

    /// <summary>Outages at exponentially distributed intervals with exponentially distributed lengths.</summary>
    Unstable,
}

/// <summary>A power pattern with its parameters. Durations in milliseconds, hours in the site's local time.</summary>
/// <param name="MeanOnMs">Mean time between the end of one outage and the start of the next (unstable).</param>
/// <param name="MeanOffMs">Mean outage length (unstable).</param>
/// <param name="OffFromHour">Local hour at which the nightly switch-off starts, 0..23 (nightly-off).</param>
/// <param name="OffHours">Hours the device stays off each night, 1..23 (nightly-off).</param>
public sealed record PowerPattern(PowerKind Kind, long MeanOnMs = 0, long MeanOffMs = 0, int OffFromHour = 0, int OffHours = 0)
{
    public static readonly PowerPattern Mains = new(PowerKind.Mains);

    /// <summary>Off from 22:00 to 06:00 local time.</summary>
    public static readonly PowerPattern NightlyOff = new(PowerKind.NightlyOff, OffFromHour: 22, OffHours: 8);

    public static PowerPattern Nightly(int offFromHour, int offHours) => new(PowerKind.NightlyOff, OffFromHour: offFromHour, OffHours: offHours);

    /// <summary>Returns an unstable supply; the default is an outage of about 5 minutes every 12 hours.</summary>
    public static PowerPattern Unstable(long meanOnMs = 12 * 3_600_000L, long meanOffMs = 5 * 60_000L) =>
        new(PowerKind.Unstable, meanOnMs, meanOffMs);

    public string Name => Kind switch
    {
        PowerKind.Mains => "mains",
        PowerKind.NightlyOff => "nightly-off",
        PowerKind.Unstable => "unstable",
        _ => Kind.ToString(),
    };

    /// <summary>Throws when the parameters cannot drive the pattern, naming the value and the fix.</summary>
    public void Validate()
    {
        switch (Kind)
        {
            case PowerKind.NightlyOff when OffFromHour is < 0 or > 23 || OffHours is < 1 or > 23:
                throw new ArgumentException(
                    $"Power pattern nightly-off has off-from hour {OffFromHour} and {OffHours} off hours; the hour must be 0..23 and the off hours 1..23.");
            case PowerKind.Unstable when MeanOnMs <= 0 || MeanOffMs <= 0:
                throw new ArgumentException(
                    $"Power pattern unstable has mean on time {MeanOnMs} ms and mean off time {MeanOffMs} ms; both must be positive.");
        }
    }
}
