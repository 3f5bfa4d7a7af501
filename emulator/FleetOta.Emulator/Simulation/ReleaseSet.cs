using FleetOta.Emulator.Fleet;
using FleetOta.Journal;
using FleetOta.Protocol;

namespace FleetOta.Emulator.Simulation;

/// <summary>The signed manifests of one run: the release, the previous release, and the variants that image
/// faults swap in (tampered, for other hardware, below the security floor). The simulation has no image bytes,
/// so an image digest is the real SHA-256 of a text naming the release.</summary>
internal sealed class ReleaseSet
{
    private ReleaseSet(ManifestSigner signer)
    {
        var verifier = new EcdsaManifestVerifier();
        verifier.Trust(signer.KeyId, signer.ExportPublicKey());
        Verifier = verifier;
    }

    public required SignedManifest Release { get; init; }
    public required SignedManifest Previous { get; init; }
    public required SignedManifest Tampered { get; init; }
    public required SignedManifest ForOtherHardware { get; init; }
    public required SignedManifest Downgrade { get; init; }
    public required string InitialDigest { get; init; }
    public IManifestVerifier Verifier { get; }

    public const string ArtifactUrl = "sim://artifacts/";

    public static ReleaseSet Create(SimulationSpec spec, IReadOnlyList<DeviceProfile> fleet)
    {
        var signer = ManifestSigner.CreateEphemeral("release-key");
        var hardware = spec.Release.Hardware
                       ?? fleet.Select(device => device.Hardware).Distinct().OrderBy(h => h.Model).ThenBy(h => h.Revision).ToList();
        var release = new ReleaseManifest(spec.Release.Id, spec.Release.Version, spec.Release.SecurityVersion,
            ImageDigest(spec.Release.Id, spec.Release.Version), spec.Release.ImageBytes, hardware);
        var previousId = "previous-" + spec.Fleet.InitialVersion;
        var previous = new ReleaseManifest(previousId, spec.Fleet.InitialVersion, spec.Fleet.InitialSecurityVersion,
            ImageDigest(previousId, spec.Fleet.InitialVersion), spec.Release.ImageBytes, hardware);

        var signed = signer.Sign(release);
        var tamperedSignature = (byte[])signed.Signature.Clone();
        tamperedSignature[^1] ^= 0x01;
        return new ReleaseSet(signer)
        {
            Release = signed,
            Previous = signer.Sign(previous),
            Tampered = signed with { Signature = tamperedSignature },
            ForOtherHardware = signer.Sign(release with { CompatibleHardware = [new HardwareTarget("other-model", "Z")] }),
            Downgrade = signer.Sign(release with { SecurityVersion = spec.Fleet.InitialSecurityVersion - 1 }),
            InitialDigest = previous.ImageDigest,
        };
    }

    public JournalRelease ToJournal(SimulationSpec spec) => new(
        Release.Manifest.ReleaseId, Release.Manifest.Version, Release.Manifest.SecurityVersion, Release.Manifest.ImageDigest,
        Release.Manifest.ImageSize, spec.Fleet.InitialVersion);

    private static string ImageDigest(string id, string version) =>
        Digests.Sha256Hex(System.Text.Encoding.UTF8.GetBytes($"fleetota-image:{id}:{version}"));
}
