using System.Security.Cryptography;
using FleetOta.Protocol;
using FleetOta.Server.Host.State;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host;

/// <summary>Loads or creates the server's ECDSA P-256 signing key. The key id is "fleetota-" and the first 8 bytes
/// of the SHA-256 of the public key in hex, so a device can tell keys apart without a registry.</summary>
internal static class SigningKeys
{
    public const string FileName = "signing-key.pem";

    /// <summary>Returns a signer over the key in <paramref name="dataDirectory"/>, creating the file if missing, or an
    /// ephemeral key when the directory is null.</summary>
    /// <param name="releases">The stored releases, which must be signed with the loaded key.</param>
    /// <exception cref="InvalidDataException">The file is unreadable, or missing or another key while releases are stored.</exception>
    /// <exception cref="InvalidSigningKeyException">The file is not a PEM-encoded EC private key.</exception>
    public static ManifestSigner LoadOrCreate(string? dataDirectory, IReadOnlyList<StoredRelease> releases, ILogger logger)
    {
        if (dataDirectory is null)
        {
            return Create(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var loaded = Load(path);
            if (releases.FirstOrDefault(release => release.Manifest.KeyId != loaded.KeyId) is { } other)
            {
                loaded.Dispose();
                throw new InvalidDataException(
                    $"Release {other.ReleaseId} was signed with key {other.Manifest.KeyId}, but the signing key file {path} contains key {loaded.KeyId}, " +
                    "so devices that trust one key reject the other's manifests. Restore the signing key file that signed the releases, or start with an empty data folder.");
            }

            Log.SigningKeyLoaded(logger, loaded.KeyId, path);
            return loaded;
        }

        if (releases.Count > 0)
        {
            throw new InvalidDataException(
                $"The signing key file {path} is missing, but {releases.Count} stored releases were signed with key {releases[0].Manifest.KeyId}; " +
                "a new key would not verify them. Restore the signing key file from a backup, or start with an empty data folder.");
        }

        var created = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        File.WriteAllText(path, created.ExportECPrivateKeyPem());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var signer = Create(created);
        Log.SigningKeyCreated(logger, signer.KeyId, path);
        return signer;
    }

    private static ManifestSigner Load(string path)
    {
        string pem;
        try
        {
            pem = File.ReadAllText(path);
        }
        catch (Exception error) when (error is IOException or UnauthorizedAccessException)
        {
            throw new InvalidDataException($"The signing key file {path} cannot be read ({error.Message}); fix its permissions or restore it.", error);
        }

        var key = ECDsa.Create();
        try
        {
            key.ImportFromPem(pem);
        }
        catch (ArgumentException error)
        {
            key.Dispose();
            throw new InvalidSigningKeyException(
                $"The signing key file {path} is not a PEM-encoded EC private key ({error.Message}); restore it, or delete it to create a new key if no release is stored.");
        }

        return Create(key);
    }

    private static ManifestSigner Create(ECDsa key)
    {
        var hash = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        return new ManifestSigner(key, "fleetota-" + Convert.ToHexStringLower(hash.AsSpan(0, 8)));
    }
}
