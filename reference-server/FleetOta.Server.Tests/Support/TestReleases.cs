using FleetOta.Protocol;

namespace FleetOta.Server.Tests.Support;

/// <summary>Releases signed with a real ECDSA P-256 key for controller tests.</summary>
internal static class TestReleases
{
    public static readonly HardwareTarget Hardware = new("gw-300", "A");

    private static readonly ManifestSigner Signer = ManifestSigner.CreateEphemeral("test-key");

    public static readonly SignedManifest Previous = Signer.Sign(Manifest("r1", "1.0.0"));

    public static readonly SignedManifest Next = Signer.Sign(Manifest("r2", "2.0.0"));

    public static ReleaseManifest Manifest(string id, string version, int securityVersion = 1) =>
        new(id, version, securityVersion, Digests.Sha256Hex(System.Text.Encoding.UTF8.GetBytes(id)), 48L << 20, [Hardware]);

    public static StartDeployment Deployment(IReadOnlyList<int> targets) =>
        new(Next, "http://127.0.0.1/artifacts/r2", targets, Previous, "http://127.0.0.1/artifacts/r1");

    public static StartDeployment Deployment(int devices) => Deployment(Enumerable.Range(0, devices).ToArray());
}
