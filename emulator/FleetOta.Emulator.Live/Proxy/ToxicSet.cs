namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Immutable snapshot of the toxics of a proxy, in the order they were added. A change creates a new set and
/// completes <see cref="Replaced"/> of the old one, which wakes forwarders that wait for a toxic to go away.
/// </summary>
internal sealed class ToxicSet
{
    private readonly TaskCompletionSource _replaced = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ToxicSet(IReadOnlyList<Toxic> items, long version)
    {
        Items = items;
        Version = version;
    }

    public static ToxicSet Empty { get; } = new([], 0);

    public IReadOnlyList<Toxic> Items { get; }

    public long Version { get; }

    public Task Replaced => _replaced.Task;

    public bool Contains(Toxic toxic)
    {
        foreach (var item in Items)
        {
            if (ReferenceEquals(item, toxic))
            {
                return true;
            }
        }

        return false;
    }

    public Toxic? Find(string name)
    {
        foreach (var item in Items)
        {
            if (item.Name == name)
            {
                return item;
            }
        }

        return null;
    }

    public ToxicSet Add(Toxic toxic) => Replace([.. Items, toxic]);

    public ToxicSet Remove(Toxic toxic) => Replace([.. Items.Where(item => !ReferenceEquals(item, toxic))]);

    public ToxicSet Clear() => Replace([]);

    private ToxicSet Replace(Toxic[] items)
    {
        var next = new ToxicSet(items, Version + 1);
        _replaced.TrySetResult();
        return next;
    }
}
