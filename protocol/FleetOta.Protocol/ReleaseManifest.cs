using System.Security.Cryptography;
using System.Text;

namespace FleetOta.Protocol;

/// <summary>A hardware model and revision that a release supports, such as ("gw-300", "B").</summary>
public sealed record HardwareTarget(string Model, string Revision)
{
    public override string ToString() => $"{Model} rev {Revision}";
}

/// <summary>The signed description of a release image.</summary>
/// <param name="ImageDigest">Lower-case hexadecimal SHA-256 of the image.</param>
/// <param name="ImageSize">Image size in bytes.</param>
public sealed record ReleaseManifest(
    string ReleaseId,
    string Version,
    int SecurityVersion,
    string ImageDigest,
    long ImageSize,
    IReadOnlyList<HardwareTarget> CompatibleHardware)
{
    /// <summary>Returns the exact bytes that the signature covers: one field a line, in a fixed order.</summary>
    public byte[] ToCanonicalBytes()
    {
        var text = new StringBuilder();
        text.Append("release-id:").Append(ReleaseId).Append('\n');
        text.Append("version:").Append(Version).Append('\n');
        text.Append("security-version:").Append(SecurityVersion).Append('\n');
        text.Append("image-digest:").Append(ImageDigest).Append('\n');
        text.Append("image-size:").Append(ImageSize).Append('\n');
        foreach (var target in CompatibleHardware)
        {
            text.Append("hardware:").Append(target.Model).Append('/').Append(target.Revision).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    public bool Supports(string model, string revision)
    {
        foreach (var target in CompatibleHardware)
        {
            if (target.Model == model && target.Revision == revision)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>A manifest with its ECDSA P-256 signature; an empty signature means unsigned.</summary>
public sealed record SignedManifest(ReleaseManifest Manifest, byte[] Signature, string KeyId)
{
    public bool IsSigned => Signature.Length > 0;
}

/// <summary>Returns the lower-case hexadecimal SHA-256 of data.</summary>
public static class Digests
{
    public static string Sha256Hex(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(SHA256.HashData(data));
}
