namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Delays every chunk of data by <see cref="Latency"/> plus a random jitter, measured from the time the proxy
/// read the chunk. Chunks keep their order and the proxy keeps reading while it waits, so throughput is not
/// cut to one buffer per delay. The end of the stream (the close) is delayed like data.
/// </summary>
public sealed record LatencyToxic : Toxic
{
    public override ToxicKind Kind => ToxicKind.Latency;

    /// <summary>Delay added to every chunk. Required, from 0 ms to one day.</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>
    /// Maximum deviation from <see cref="Latency"/>, drawn uniformly from [-Jitter, +Jitter] for each chunk.
    /// A negative sum counts as zero. Default 0 ms.
    /// </summary>
    public TimeSpan Jitter { get; init; }

    protected override void ValidateProperties(List<string> errors)
    {
        ValidateDelay(errors, nameof(Latency), Latency);
        ValidateDelay(errors, nameof(Jitter), Jitter);
    }
}
