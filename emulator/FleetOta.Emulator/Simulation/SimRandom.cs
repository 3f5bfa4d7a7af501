namespace FleetOta.Emulator.Simulation;

/// <summary>SplitMix64: a small seeded random stream, one per device and per fault stream.</summary>
public struct SimRandom
{
    private ulong _state;

    public SimRandom(long seed, long stream)
    {
        _state = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + 0x632BE59BD9B4E019UL);
        NextULong();
    }

    public ulong NextULong()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Returns a double in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public bool Chance(double probability) => probability > 0 && NextDouble() < probability;

    /// <summary>Returns a long in [0, bound).</summary>
    public long NextLong(long bound) => bound <= 0 ? 0 : (long)(NextULong() % (ulong)bound);

    /// <summary>Returns an exponentially distributed duration with the given mean.</summary>
    public long Exponential(long mean) => (long)(-Math.Log(1 - NextDouble()) * mean);
}
