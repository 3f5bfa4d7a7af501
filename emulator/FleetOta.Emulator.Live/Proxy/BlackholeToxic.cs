namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Swallows all data in the toxic's direction, including the close, while the connection stays open. After
/// <see cref="Timeout"/> the proxy closes the connection with a normal close (FIN) to both peers. Removing the
/// toxic first lets later data through again, but the swallowed data is lost.
/// </summary>
public sealed record BlackholeToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Blackhole;

    /// <summary>
    /// Time from the moment the toxic applied to the connection until the proxy closes it. Default
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/>, which keeps the connection open until the toxic
    /// is removed or a peer closes it. Otherwise from 0 ms to one day.
    /// </summary>
    public TimeSpan Timeout { get; init; } = System.Threading.Timeout.InfiniteTimeSpan;

    protected override void ValidateProperties(List<string> errors)
    {
        if (Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            ValidateDelay(errors, nameof(Timeout), Timeout);
        }
    }
}
