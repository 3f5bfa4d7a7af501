namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Decides once per connection and toxic whether the toxic applies, and keeps the resulting
/// <see cref="ActiveToxics"/> of both directions up to date with the toxic set of the proxy.
/// </summary>
/// <remarks>The draw for a toxic uses a generator seeded from (proxy seed, connection number, toxic name), so it
/// does not depend on which thread reads a new toxic set first or on the order in which toxics were added.</remarks>
internal sealed class ConnectionToxics
{
    private readonly Lock _gate = new();
    private readonly int _seed;
    private readonly long _connectionNumber;
    private readonly Dictionary<Toxic, ResetBudget?> _applied = new(ReferenceEqualityComparer.Instance);
    private readonly HashSet<Toxic> _skipped = new(ReferenceEqualityComparer.Instance);
    private long _version = -1;
    private ActiveToxics _upstream = ActiveToxics.None;
    private ActiveToxics _downstream = ActiveToxics.None;

    public ConnectionToxics(int seed, long connectionNumber)
    {
        _seed = seed;
        _connectionNumber = connectionNumber;
    }

    public ActiveToxics For(ToxicDirection direction) =>
        direction == ToxicDirection.Upstream ? Volatile.Read(ref _upstream) : Volatile.Read(ref _downstream);

    /// <summary>
    /// Brings the active toxics up to <paramref name="set"/> and returns the toxics that applied to this
    /// connection for the first time, so the caller can start their side effects. An older set changes nothing.
    /// </summary>
    public IReadOnlyList<Toxic> Update(ToxicSet set)
    {
        if (Volatile.Read(ref _version) >= set.Version)
        {
            return [];
        }

        lock (_gate)
        {
            if (_version >= set.Version)
            {
                return [];
            }

            List<Toxic>? newlyApplied = null;
            var upstream = new List<(Toxic, ResetBudget?)>();
            var downstream = new List<(Toxic, ResetBudget?)>();
            foreach (var toxic in set.Items)
            {
                if (!_applied.ContainsKey(toxic) && !_skipped.Contains(toxic))
                {
                    if (Draw(toxic))
                    {
                        _applied[toxic] = toxic is ResetToxic reset ? new ResetBudget(reset) : null;
                        (newlyApplied ??= []).Add(toxic);
                    }
                    else
                    {
                        _skipped.Add(toxic);
                    }
                }

                if (_applied.TryGetValue(toxic, out var budget))
                {
                    if (toxic.Direction.HasFlag(ToxicDirection.Upstream))
                    {
                        upstream.Add((toxic, budget));
                    }

                    if (toxic.Direction.HasFlag(ToxicDirection.Downstream))
                    {
                        downstream.Add((toxic, budget));
                    }
                }
            }

            Volatile.Write(ref _upstream, new ActiveToxics(upstream));
            Volatile.Write(ref _downstream, new ActiveToxics(downstream));
            Volatile.Write(ref _version, set.Version);
            return newlyApplied ?? (IReadOnlyList<Toxic>)[];
        }
    }

    private bool Draw(Toxic toxic)
    {
        if (toxic.Probability >= 1)
        {
            return true;
        }

        if (toxic.Probability <= 0)
        {
            return false;
        }

        var random = new Random(SeedMixer.Mix(_seed, _connectionNumber, SeedMixer.HashName(toxic.Name)));
        return random.NextDouble() < toxic.Probability;
    }
}
