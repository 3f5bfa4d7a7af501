using System.Globalization;

namespace FleetOta.Emulator.Live.Proxy;

/// <summary>Kind of fault that a toxic injects, and the key of <see cref="ProxyCounters.ToxicApplications"/>.</summary>
public enum ToxicKind
{
    Latency,
    Bandwidth,
    Reset,
    Blackhole,
    SlowClose,
    Slicer,
    Corrupt,
}

/// <summary>Direction of the data that a toxic acts on.</summary>
[Flags]
public enum ToxicDirection
{
    /// <summary>Data from the client (a device) to the server or broker.</summary>
    Upstream = 1,

    /// <summary>Data from the server or broker to the client.</summary>
    Downstream = 2,

    Both = Upstream | Downstream,
}

/// <summary>
/// Fault rule that a <see cref="FaultProxy"/> applies to forwarded connections. Each connection draws once per
/// toxic whether the toxic applies to it, with <see cref="Probability"/> as the chance.
/// </summary>
/// <remarks>Toxics are immutable records, so a proxy can read them from several connections without locks.
/// Derive a changed copy with a <c>with</c> expression and replace the toxic by name.</remarks>
public abstract record Toxic
{
    /// <summary>Maximum delay or time-out that a toxic accepts, one day.</summary>
    public static readonly TimeSpan MaxDelay = TimeSpan.FromDays(1);

    private readonly string? _name;

    /// <summary>Kind of fault, fixed by the derived type.</summary>
    public abstract ToxicKind Kind { get; }

    /// <summary>
    /// Name, unique within one proxy. Default: the kind and the direction in lower case, such as
    /// <c>latency_downstream</c>. The name also seeds the per-connection draw, so a toxic with the same name and
    /// seed selects the same connections in every run.
    /// </summary>
    public string Name
    {
        get => _name ?? $"{Kind}_{Direction}".ToLowerInvariant();
        init => _name = value;
    }

    /// <summary>Chance from 0 to 1 that the toxic applies to a connection. Default 1 (every connection).</summary>
    public double Probability { get; init; } = 1.0;

    /// <summary>Data the toxic acts on. Default <see cref="ToxicDirection.Downstream"/>, server to client.</summary>
    public ToxicDirection Direction { get; init; } = ToxicDirection.Downstream;

    /// <summary>Checks every property and returns one message per invalid value, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Name))
        {
            errors.Add($"{GetType().Name}: Name is empty; set a name that is unique within the proxy, or leave it unset for the default.");
        }

        if (!(Probability >= 0 && Probability <= 1))
        {
            errors.Add(Describe(nameof(Probability), Probability.ToString(CultureInfo.InvariantCulture), "a number from 0 to 1"));
        }

        if (Direction is not (ToxicDirection.Upstream or ToxicDirection.Downstream or ToxicDirection.Both))
        {
            errors.Add(Describe(nameof(Direction), Direction.ToString(), "Upstream, Downstream or Both"));
        }

        ValidateProperties(errors);
        return errors;
    }

    /// <summary>Adds a message to <paramref name="errors"/> for each invalid property of the derived type.</summary>
    protected abstract void ValidateProperties(List<string> errors);

    /// <summary>Formats a validation message that names the toxic, the property, its value and what is allowed.</summary>
    protected string Describe(string property, string value, string allowed) =>
        $"{GetType().Name} '{Name}': {property} is {value}, but it must be {allowed}.";

    /// <summary>Adds a message unless <paramref name="value"/> lies from zero to <see cref="MaxDelay"/>.</summary>
    protected void ValidateDelay(List<string> errors, string property, TimeSpan value)
    {
        if (value < TimeSpan.Zero || value > MaxDelay)
        {
            errors.Add(Describe(property, FormatMilliseconds(value), $"from 0 ms to {FormatMilliseconds(MaxDelay)}"));
        }
    }

    protected static string FormatMilliseconds(TimeSpan value) =>
        value.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms";
}
