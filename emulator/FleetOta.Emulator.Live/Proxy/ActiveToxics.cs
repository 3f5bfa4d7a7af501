namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Toxics that apply to one direction of one connection, combined per kind. Latencies add up, the lowest
/// bandwidth cap wins, slow-close delays add up, and the first slicer in the order of addition is used.
/// </summary>
internal sealed class ActiveToxics
{
    public static readonly ActiveToxics None = new([]);

    public ActiveToxics(IReadOnlyList<(Toxic Toxic, ResetBudget? Budget)> applied)
    {
        var latencies = new List<LatencyToxic>();
        var resets = new List<ResetBudget>();
        var corruptions = new List<CorruptToxic>();
        foreach (var (toxic, budget) in applied)
        {
            switch (toxic)
            {
                case LatencyToxic latency:
                    latencies.Add(latency);
                    break;
                case BandwidthToxic bandwidth:
                    BytesPerSecond = BytesPerSecond == 0 ? bandwidth.BytesPerSecond : Math.Min(BytesPerSecond, bandwidth.BytesPerSecond);
                    break;
                case ResetToxic:
                    resets.Add(budget!);
                    break;
                case BlackholeToxic:
                    IsBlackholed = true;
                    break;
                case SlowCloseToxic slowClose:
                    SlowCloseDelay += slowClose.Delay;
                    break;
                case SlicerToxic slicer:
                    Slicer ??= slicer;
                    break;
                case CorruptToxic corrupt:
                    corruptions.Add(corrupt);
                    break;
            }
        }

        Latencies = [.. latencies];
        Resets = [.. resets];
        Corruptions = [.. corruptions];
    }

    public LatencyToxic[] Latencies { get; }

    /// <summary>Lowest bandwidth cap in bytes per second, or 0 for no cap.</summary>
    public long BytesPerSecond { get; }

    public ResetBudget[] Resets { get; }

    public bool IsBlackholed { get; }

    public TimeSpan SlowCloseDelay { get; }

    public SlicerToxic? Slicer { get; }

    public CorruptToxic[] Corruptions { get; }
}

/// <summary>
/// Bytes that a reset toxic still lets through on one connection. Both directions of a
/// <see cref="ToxicDirection.Both"/> toxic share one budget, so reservations are atomic.
/// </summary>
internal sealed class ResetBudget
{
    private long _remaining;

    public ResetBudget(ResetToxic toxic)
    {
        Toxic = toxic;
        _remaining = toxic.AfterBytes;
    }

    public ResetToxic Toxic { get; }

    /// <summary>Takes up to <paramref name="requested"/> bytes from the budget and returns how many it took.</summary>
    public long Reserve(long requested)
    {
        while (true)
        {
            long remaining = Volatile.Read(ref _remaining);
            long granted = Math.Min(remaining, requested);
            if (Interlocked.CompareExchange(ref _remaining, remaining - granted, remaining) == remaining)
            {
                return granted;
            }
        }
    }

    public bool IsExhausted => Volatile.Read(ref _remaining) == 0;
}
