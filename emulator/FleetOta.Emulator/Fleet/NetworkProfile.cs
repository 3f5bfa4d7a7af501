namespace FleetOta.Emulator.Fleet;

/// <summary>A device's network link.</summary>
/// <param name="BytesPerSecond">Download bandwidth.</param>
/// <param name="LatencyMs">One-way message latency.</param>
/// <param name="JitterMs">Uniform extra latency added to each message, 0..JitterMs.</param>
/// <param name="Loss">Probability that one message is lost, 0..1.</param>
public sealed record NetworkProfile(string Name, double BytesPerSecond, int LatencyMs, int JitterMs, double Loss)
{
    public static readonly NetworkProfile Ethernet = new("ethernet", 12_500_000, 5, 2, 0.0001);
    public static readonly NetworkProfile WiFi = new("wifi", 5_000_000, 15, 20, 0.002);
    public static readonly NetworkProfile Lte = new("lte", 2_500_000, 50, 40, 0.005);
    public static readonly NetworkProfile ThreeG = new("3g", 250_000, 150, 100, 0.01);
    public static readonly NetworkProfile Satellite = new("satellite", 125_000, 600, 200, 0.02);

    public static IReadOnlyList<NetworkProfile> Standard { get; } = [Ethernet, WiFi, Lte, ThreeG, Satellite];

    public static NetworkProfile? Find(string name) =>
        Standard.FirstOrDefault(profile => string.Equals(profile.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>How a device's link comes and goes over the run.</summary>
public enum ConnectivityKind
{
    AlwaysOn,
    /// <summary>Online 08:00 to 18:00 on weekdays in the site's time zone.</summary>
    BusinessHours,
    /// <summary>Online and offline periods with exponentially distributed lengths.</summary>
    Intermittent,
    /// <summary>Online for a short period about once a day.</summary>
    Rare,
    /// <summary>Never online inside the run.</summary>
    Never,
}

/// <summary>A connectivity pattern with its parameters. Durations in milliseconds.</summary>
/// <param name="MeanOnlineMs">Mean online period (intermittent, rare).</param>
/// <param name="MeanOfflineMs">Mean offline period (intermittent, rare).</param>
public sealed record ConnectivityPattern(ConnectivityKind Kind, long MeanOnlineMs = 0, long MeanOfflineMs = 0)
{
    public static readonly ConnectivityPattern AlwaysOn = new(ConnectivityKind.AlwaysOn);
    public static readonly ConnectivityPattern BusinessHours = new(ConnectivityKind.BusinessHours);
    public static readonly ConnectivityPattern Never = new(ConnectivityKind.Never);

    public static ConnectivityPattern Intermittent(long meanOnlineMs, long meanOfflineMs) =>
        new(ConnectivityKind.Intermittent, meanOnlineMs, meanOfflineMs);

    public static ConnectivityPattern Rare(long meanOnlineMs = 15 * 60_000, long meanOfflineMs = 24 * 3_600_000) =>
        new(ConnectivityKind.Rare, meanOnlineMs, meanOfflineMs);

    /// <summary>Expected long-run share of time online (business hours: 50 of 168 hours a week).</summary>
    public double ExpectedOnlineShare => Kind switch
    {
        ConnectivityKind.AlwaysOn => 1,
        ConnectivityKind.BusinessHours => 50.0 / 168.0,
        ConnectivityKind.Never => 0,
        _ => (double)MeanOnlineMs / (MeanOnlineMs + MeanOfflineMs),
    };

    /// <summary>Throws when the parameters cannot drive the pattern, naming the value and the fix.</summary>
    public void Validate()
    {
        if (Kind is ConnectivityKind.Intermittent or ConnectivityKind.Rare && (MeanOnlineMs <= 0 || MeanOfflineMs <= 0))
        {
            throw new ArgumentException(
                $"Connectivity pattern {Name} has mean online {MeanOnlineMs} ms and mean offline {MeanOfflineMs} ms; both must be positive.");
        }
    }

    public string Name => Kind switch
    {
        ConnectivityKind.AlwaysOn => "always-on",
        ConnectivityKind.BusinessHours => "business-hours",
        ConnectivityKind.Intermittent => "intermittent",
        ConnectivityKind.Rare => "rare",
        ConnectivityKind.Never => "never",
        _ => Kind.ToString(),
    };
}
