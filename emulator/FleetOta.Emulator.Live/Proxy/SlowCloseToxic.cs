namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Delays passing on the close (FIN) of one peer to the other by <see cref="Delay"/>, after all data before it
/// has been forwarded.
/// </summary>
public sealed record SlowCloseToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.SlowClose;

    /// <summary>Delay before the close is passed on. Required, from 0 ms to one day.</summary>
    public required TimeSpan Delay { get; init; }

    protected override void ValidateProperties(List<string> errors) => ValidateDelay(errors, nameof(Delay), Delay);
}
