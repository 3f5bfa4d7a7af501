namespace FleetOta.Emulator.Simulation;

/// <summary>The kernel's event queue: a 4-ary min-heap ordered by (time, sequence), so events at equal times come
/// out in the order they were scheduled. Entries are structs, so queueing allocates nothing once the heap has grown.</summary>
internal sealed class EventQueue
{
    private const int Arity = 4;

    private Entry[] _heap = new Entry[1024];
    private int _count;
    private long _sequence;

    public int Count => _count;

    public void Enqueue(long timeMs, in SimEvent item)
    {
        if (_count == _heap.Length)
        {
            Array.Resize(ref _heap, _heap.Length * 2);
        }

        var entry = new Entry(timeMs, _sequence++, item);
        var index = _count++;
        while (index > 0)
        {
            var parent = (index - 1) / Arity;
            if (!Before(entry, _heap[parent]))
            {
                break;
            }

            _heap[index] = _heap[parent];
            index = parent;
        }

        _heap[index] = entry;
    }

    public bool TryDequeue(out long timeMs, out SimEvent item)
    {
        if (_count == 0)
        {
            timeMs = 0;
            item = default;
            return false;
        }

        timeMs = _heap[0].TimeMs;
        item = _heap[0].Item;
        var last = _heap[--_count];
        _heap[_count] = default;
        if (_count > 0)
        {
            SiftDown(last);
        }

        return true;
    }

    private void SiftDown(in Entry entry)
    {
        var index = 0;
        while (true)
        {
            var first = index * Arity + 1;
            if (first >= _count)
            {
                break;
            }

            var best = first;
            var end = Math.Min(first + Arity, _count);
            for (var child = first + 1; child < end; child++)
            {
                if (Before(_heap[child], _heap[best]))
                {
                    best = child;
                }
            }

            if (!Before(_heap[best], entry))
            {
                break;
            }

            _heap[index] = _heap[best];
            index = best;
        }

        _heap[index] = entry;
    }

    private static bool Before(in Entry a, in Entry b) =>
        a.TimeMs < b.TimeMs || (a.TimeMs == b.TimeMs && a.Sequence < b.Sequence);

    private readonly record struct Entry(long TimeMs, long Sequence, SimEvent Item);
}
