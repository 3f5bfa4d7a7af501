using System.Text.RegularExpressions;
using FleetOta.Protocol;

namespace FleetOta.Server;

/// <summary>A published release: its signed manifest and where devices download the image.</summary>
public sealed record CatalogueEntry(SignedManifest Release, string ArtifactUrl)
{
    public string ReleaseId => Release.Manifest.ReleaseId;
}

/// <summary>Raised when a release cannot enter the catalogue; the message names the field, the value and the fix.</summary>
public sealed class InvalidReleaseException(string message) : Exception(message);

/// <summary>The release catalogue: signed manifests with their artifacts, compatible hardware and security version.
/// Every release is checked field by field and its signature verified against the trusted keys before it is listed.</summary>
public sealed partial class ReleaseCatalogue(IManifestVerifier verifier)
{
    private readonly List<CatalogueEntry> _releases = [];
    private readonly Dictionary<string, CatalogueEntry> _byId = new(StringComparer.Ordinal);

    /// <summary>The releases in the order they were added.</summary>
    public IReadOnlyList<CatalogueEntry> Releases => _releases;

    /// <summary>Creates a signer from a PEM-encoded EC private key.</summary>
    /// <exception cref="InvalidSigningKeyException">The key is missing (null or blank) or is no valid P-256 private key.</exception>
    public static ManifestSigner LoadSigner(string? pem, string keyId)
    {
        if (string.IsNullOrWhiteSpace(pem))
        {
            throw new InvalidSigningKeyException(
                $"The signing key '{keyId}' is missing: no PEM text was given. Configure the path of a PEM-encoded ECDSA P-256 private key.");
        }

        try
        {
            return ManifestSigner.FromPem(pem, keyId);
        }
        catch (ArgumentException error)
        {
            throw new InvalidSigningKeyException($"The signing key '{keyId}' is not an ECDSA P-256 private key: {error.Message}");
        }
        catch (System.Security.Cryptography.CryptographicException error)
        {
            throw new InvalidSigningKeyException($"The signing key '{keyId}' cannot be read as an EC private key: {error.Message}");
        }
    }

    /// <summary>Signs a manifest and adds it.</summary>
    /// <exception cref="InvalidSigningKeyException">No signer was given.</exception>
    /// <exception cref="InvalidReleaseException">A field is invalid, or the signature does not verify with the trusted keys.</exception>
    public CatalogueEntry Publish(ReleaseManifest manifest, string artifactUrl, ManifestSigner? signer)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (signer is null)
        {
            throw new InvalidSigningKeyException(
                $"Release {manifest.ReleaseId} cannot be published: no signing key is configured. Load one with {nameof(LoadSigner)}.");
        }

        CheckManifest(manifest);
        return Add(signer.Sign(manifest), artifactUrl);
    }

    /// <summary>Adds a signed release after checking its fields and its signature. Adding the same release again returns
    /// the listed entry.</summary>
    /// <exception cref="InvalidReleaseException">A field is invalid, the signature does not verify, or another release
    /// with the same id is listed.</exception>
    public CatalogueEntry Add(SignedManifest release, string artifactUrl)
    {
        ArgumentNullException.ThrowIfNull(release);
        var manifest = release.Manifest;
        CheckManifest(manifest);
        if (string.IsNullOrWhiteSpace(artifactUrl))
        {
            throw new InvalidReleaseException($"Release {manifest.ReleaseId} has no artifact URL; give the URL devices download the image from.");
        }

        var check = verifier.Verify(release);
        if (check != SignatureCheck.Valid)
        {
            throw new InvalidReleaseException(check switch
            {
                SignatureCheck.Unsigned => $"Release {manifest.ReleaseId} is unsigned; sign its manifest with the release signing key.",
                SignatureCheck.UnknownKey => $"Release {manifest.ReleaseId} is signed with key '{release.KeyId}', which is not trusted; " +
                                             "trust that key's public key or sign with a trusted key.",
                _ => $"Release {manifest.ReleaseId} has an invalid signature under key '{release.KeyId}': the manifest was changed after " +
                     "signing or signed with another key. Sign it again.",
            });
        }

        if (_byId.TryGetValue(manifest.ReleaseId, out var listed))
        {
            if (listed.Release.Manifest.ToCanonicalBytes().AsSpan().SequenceEqual(manifest.ToCanonicalBytes()) && listed.ArtifactUrl == artifactUrl)
            {
                return listed;
            }

            throw new InvalidReleaseException(
                $"Release {manifest.ReleaseId} is already listed with another manifest or artifact URL; publish the change under a new release id.");
        }

        var entry = new CatalogueEntry(release, artifactUrl);
        _releases.Add(entry);
        _byId[manifest.ReleaseId] = entry;
        return entry;
    }

    /// <exception cref="KeyNotFoundException">No release with that id is listed.</exception>
    public CatalogueEntry Get(string releaseId) =>
        _byId.TryGetValue(releaseId, out var entry)
            ? entry
            : throw new KeyNotFoundException(
                $"Release '{releaseId}' is not in the catalogue ({string.Join(", ", _releases.Select(listed => listed.ReleaseId))}); publish it first.");

    public bool TryGet(string releaseId, out CatalogueEntry? entry) => _byId.TryGetValue(releaseId, out entry);

    /// <summary>Builds the controller input that starts a deployment of a listed release, with the release to re-deploy to
    /// devices that need recovery.</summary>
    /// <exception cref="InvalidReleaseException">The previous release has a higher security version, so devices would
    /// reject it.</exception>
    public StartDeployment Deploy(string releaseId, IReadOnlyList<int> targets, string? previousReleaseId)
    {
        var release = Get(releaseId);
        var previous = previousReleaseId is null ? null : Get(previousReleaseId);
        if (previous is not null && previous.Release.Manifest.SecurityVersion > release.Release.Manifest.SecurityVersion)
        {
            throw new InvalidReleaseException(
                $"Release {previousReleaseId} has security version {previous.Release.Manifest.SecurityVersion}, above the " +
                $"{release.Release.Manifest.SecurityVersion} of {releaseId}, so it cannot serve as its previous release.");
        }

        return new StartDeployment(release.Release, release.ArtifactUrl, targets, previous?.Release, previous?.ArtifactUrl);
    }

    private static void CheckManifest(ReleaseManifest manifest)
    {
        var id = string.IsNullOrWhiteSpace(manifest.ReleaseId) ? "(no id)" : manifest.ReleaseId;
        if (string.IsNullOrWhiteSpace(manifest.ReleaseId))
        {
            throw new InvalidReleaseException("A release manifest has an empty release id; give every release a unique id.");
        }

        if (string.IsNullOrWhiteSpace(manifest.Version))
        {
            throw new InvalidReleaseException($"Release {id} has an empty version; give the version the image runs as.");
        }

        if (manifest.SecurityVersion < 0)
        {
            throw new InvalidReleaseException($"Release {id} has security version {manifest.SecurityVersion}; give 0 or more.");
        }

        if (!Sha256Hex().IsMatch(manifest.ImageDigest))
        {
            throw new InvalidReleaseException(
                $"Release {id} has image digest '{manifest.ImageDigest}'; give the SHA-256 of the image as 64 lower-case hexadecimal digits.");
        }

        if (manifest.ImageSize <= 0)
        {
            throw new InvalidReleaseException($"Release {id} has image size {manifest.ImageSize} bytes; give the image size above 0.");
        }

        if (manifest.CompatibleHardware.Count == 0)
        {
            throw new InvalidReleaseException($"Release {id} lists no compatible hardware; list at least one hardware model and revision.");
        }
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex Sha256Hex();
}
