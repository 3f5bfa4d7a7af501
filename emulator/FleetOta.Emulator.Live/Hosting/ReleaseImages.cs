using System.Buffers.Binary;
using System.Text;
using FleetOta.Emulator.Simulation;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Hosting;

/// <summary>The image bytes of the releases of a live run. They are generated from the release id, the version and
/// the size, so the runner that registers a release with the server and every shard that writes the initial image
/// into slot A produce the same bytes without passing them around.</summary>
public static class ReleaseImages
{
    /// <summary>Returns the id of the release that every device runs at the start, as the simulation host names it.</summary>
    public static string PreviousReleaseId(SimulationSpec spec) => "previous-" + spec.Fleet.InitialVersion;

    public static byte[] Generate(string releaseId, string version, long size)
    {
        if (size is < 1 or > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"The image of release {releaseId} is {size} bytes; a live run needs 1 byte to 2 GiB.");
        }

        var seed = BinaryPrimitives.ReadInt64LittleEndian(Convert.FromHexString(Digests.Sha256Hex(Encoding.UTF8.GetBytes($"{releaseId}:{version}")))[..8]);
        var random = new SimRandom(seed, 1);
        var image = new byte[size];
        var span = image.AsSpan();
        while (span.Length >= 8)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(span, random.NextULong());
            span = span[8..];
        }

        for (var i = 0; i < span.Length; i++)
        {
            span[i] = (byte)random.NextULong();
        }

        return image;
    }

    public static byte[] Release(SimulationSpec spec) => Generate(spec.Release.Id, spec.Release.Version, spec.Release.ImageBytes);

    public static byte[] Initial(SimulationSpec spec) => Generate(PreviousReleaseId(spec), spec.Fleet.InitialVersion, spec.Release.ImageBytes);
}
