using System.Security.Cryptography;

namespace FleetOta.Protocol;

/// <summary>Signs release manifests with an ECDSA P-256 private key over SHA-256.</summary>
public sealed class ManifestSigner : IDisposable
{
    private readonly ECDsa _key;

    public ManifestSigner(ECDsa key, string keyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.KeySize != 256)
        {
            throw new ArgumentException($"The signing key must be ECDSA P-256, but its size is {key.KeySize} bits.", nameof(key));
        }

        _key = key;
        KeyId = keyId;
    }

    public string KeyId { get; }

    /// <summary>Creates a signer from a PEM-encoded EC private key, with an error naming the problem.</summary>
    public static ManifestSigner FromPem(string pem, string keyId)
    {
        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException error)
        {
            key.Dispose();
            throw new InvalidSigningKeyException($"The signing key '{keyId}' is not a valid PEM-encoded EC private key: {error.Message}");
        }

        return new ManifestSigner(key, keyId);
    }

    /// <summary>Creates a signer with a new P-256 key. Signatures differ on every call, so nothing signed
    /// with it may enter the journal as bytes.</summary>
    public static ManifestSigner CreateEphemeral(string keyId) =>
        new(ECDsa.Create(ECCurve.NamedCurves.nistP256), keyId);

    public SignedManifest Sign(ReleaseManifest manifest) =>
        new(manifest, _key.SignData(manifest.ToCanonicalBytes(), HashAlgorithmName.SHA256), KeyId);

    public byte[] ExportPublicKey() => _key.ExportSubjectPublicKeyInfo();

    public void Dispose() => _key.Dispose();
}

/// <summary>Raised when a signing key is missing or cannot be read.</summary>
public sealed class InvalidSigningKeyException(string message) : Exception(message);

/// <summary>Checks manifest signatures. Implementations must be pure functions of their input.</summary>
public interface IManifestVerifier
{
    SignatureCheck Verify(SignedManifest manifest);
}

public enum SignatureCheck
{
    Valid,
    Unsigned,
    UnknownKey,
    Invalid,
}

/// <summary>Verifies ECDSA P-256 signatures against a set of trusted public keys.</summary>
public sealed class EcdsaManifestVerifier : IManifestVerifier
{
    private readonly Dictionary<string, ECDsa> _trusted = new(StringComparer.Ordinal);

    public void Trust(string keyId, byte[] subjectPublicKeyInfo)
    {
        var key = ECDsa.Create();
        key.ImportSubjectPublicKeyInfo(subjectPublicKeyInfo, out _);
        _trusted[keyId] = key;
    }

    public SignatureCheck Verify(SignedManifest manifest)
    {
        if (!manifest.IsSigned)
        {
            return SignatureCheck.Unsigned;
        }

        if (!_trusted.TryGetValue(manifest.KeyId, out var key))
        {
            return SignatureCheck.UnknownKey;
        }

        return key.VerifyData(manifest.Manifest.ToCanonicalBytes(), manifest.Signature, HashAlgorithmName.SHA256)
            ? SignatureCheck.Valid
            : SignatureCheck.Invalid;
    }
}

/// <summary>Remembers the result for each signed manifest instance, so that a simulated fleet that receives
/// the same offer object on every device verifies it once. The check itself is still the real one.</summary>
public sealed class CachingManifestVerifier(IManifestVerifier inner) : IManifestVerifier
{
    private readonly Dictionary<SignedManifest, SignatureCheck> _results = new(ReferenceEqualityComparer.Instance);

    public SignatureCheck Verify(SignedManifest manifest)
    {
        if (!_results.TryGetValue(manifest, out var result))
        {
            result = inner.Verify(manifest);
            _results[manifest] = result;
        }

        return result;
    }
}
