namespace FleetOta.Emulator.Live.Proxy;

/// <summary>
/// Derives well-mixed seeds from (proxy seed, connection number, stream), so every connection gets its own
/// reproducible random generators whatever the thread timing.
/// </summary>
internal static class SeedMixer
{
    /// <summary>Stream number of the upstream draws of a connection, which are jitter, segment sizes and flipped bits.</summary>
    public const ulong UpstreamStream = 1;

    /// <summary>Stream number of the downstream draws of a connection.</summary>
    public const ulong DownstreamStream = 2;

    /// <summary>Returns the seed of one random stream of one connection. Toxic draws use the hash of the toxic
    /// name as the stream number.</summary>
    public static int Mix(int seed, long connectionNumber, ulong stream)
    {
        ulong state = unchecked((ulong)(uint)seed * 0x9E3779B97F4A7C15UL);
        state = Finalize(state ^ (ulong)connectionNumber);
        state = Finalize(state ^ stream);
        return unchecked((int)(state ^ (state >> 32)));
    }

    /// <summary>Hashes a toxic name with 64-bit FNV-1a, which unlike <see cref="string.GetHashCode()"/> is the
    /// same in every process.</summary>
    public static ulong HashName(string name)
    {
        ulong hash = 14695981039346656037UL;
        foreach (char c in name)
        {
            hash = unchecked((hash ^ c) * 1099511628211UL);
        }

        return hash;
    }

    // SplitMix64 finalizer, in which every input bit affects every output bit.
    private static ulong Finalize(ulong z)
    {
        unchecked
        {
            z += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }
    }
}
