using FleetOta.Protocol;

namespace FleetOta.Emulator.Live.Devices;

/// <summary>Lets the devices of a host share one verifier: the checks run one at a time, because the trusted keys
/// are shared ECDsa objects. The signature check itself is the real ECDSA one.</summary>
internal sealed class SynchronizedManifestVerifier(IManifestVerifier inner) : IManifestVerifier
{
    private readonly Lock _gate = new();

    public SignatureCheck Verify(SignedManifest manifest)
    {
        lock (_gate)
        {
            return inner.Verify(manifest);
        }
    }
}
