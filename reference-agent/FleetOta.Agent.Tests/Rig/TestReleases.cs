using System.Security.Cryptography;
using System.Text;
using FleetOta.Protocol;

namespace FleetOta.Agent.Tests.Rig;

/// <summary>A release as the rig's server side holds it: the signed manifest and the image bytes it serves.</summary>
internal sealed record TestRelease(SignedManifest Signed, byte[] Artifact)
{
    public ReleaseManifest Manifest => Signed.Manifest;

    public string Version => Manifest.Version;

    public string Url => "rig://artifacts/" + Manifest.ReleaseId;
}

/// <summary>Builds releases with real image bytes, real SHA-256 digests and real ECDSA P-256 signatures.</summary>
internal sealed class TestReleases : IDisposable
{
    public const string KeyId = "release-key";
    public const int ImageSize = 4096;

    public static readonly HardwareTarget RevisionA = new("gw-300", "A");
    public static readonly HardwareTarget RevisionB = new("gw-300", "B");

    private readonly ManifestSigner _signer = ManifestSigner.CreateEphemeral(KeyId);

    public TestReleases()
    {
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust(KeyId, _signer.ExportPublicKey());
        Verifier = verifier;
        Old = Create("r1.0.0", "1.0.0", securityVersion: 3);
        New = Create("r2.0.0", "2.0.0", securityVersion: 3);
    }

    /// <summary>A process-wide instance for tests that build many rigs; signing keys stay the same for all of them.</summary>
    public static TestReleases Shared { get; } = new();

    public IManifestVerifier Verifier { get; }

    /// <summary>Version 1.0.0, security version 3: what the device runs at the start.</summary>
    public TestRelease Old { get; }

    /// <summary>Version 2.0.0, security version 3: the update.</summary>
    public TestRelease New { get; }

    public TestRelease Create(string releaseId, string version, int securityVersion, IReadOnlyList<HardwareTarget>? hardware = null) =>
        Sign(Build(releaseId, version, securityVersion, hardware), _signer);

    public static TestRelease Sign(TestRelease release, ManifestSigner signer) =>
        release with { Signed = signer.Sign(release.Manifest) };

    /// <summary>Returns an unsigned release whose manifest matches its image bytes.</summary>
    public static TestRelease Build(string releaseId, string version, int securityVersion, IReadOnlyList<HardwareTarget>? hardware = null)
    {
        var image = ImageBytes(releaseId, ImageSize);
        var manifest = new ReleaseManifest(releaseId, version, securityVersion, Digests.Sha256Hex(image), image.Length,
            hardware ?? [RevisionA, RevisionB]);
        return new TestRelease(new SignedManifest(manifest, [], ""), image);
    }

    /// <summary>Returns deterministic image bytes: a SHA-256 counter stream over the release id.</summary>
    public static byte[] ImageBytes(string releaseId, int size)
    {
        var image = new byte[size];
        var seed = Encoding.UTF8.GetBytes(releaseId);
        var block = new byte[seed.Length + 4];
        seed.CopyTo(block, 0);
        for (int offset = 0, counter = 0; offset < size; offset += 32, counter++)
        {
            BitConverter.TryWriteBytes(block.AsSpan(seed.Length), counter);
            var hash = SHA256.HashData(block);
            hash.AsSpan(0, Math.Min(32, size - offset)).CopyTo(image.AsSpan(offset));
        }

        return image;
    }

    public void Dispose() => _signer.Dispose();
}
