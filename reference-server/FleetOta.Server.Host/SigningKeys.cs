using System.Security.Cryptography;
using FleetOta.Protocol;
using Microsoft.Extensions.Logging;

namespace FleetOta.Server.Host;

/// <summary>Loads or creates the server's ECDSA P-256 signing key. The key id is "fleetota-" and the first 8 bytes
/// of the SHA-256 of the public key in hex, so a device can tell keys apart without a registry.</summary>
internal static class SigningKeys
{
    public const string FileName = "signing-key.pem";

    /// <summary>Returns a signer over the key in <paramref name="dataDirectory"/>, creating the file if missing, or an
    /// ephemeral key when the directory is null.</summary>
    public static ManifestSigner LoadOrCreate(string? dataDirectory, ILogger logger)
    {
        if (dataDirectory is null)
        {
            return Create(ECDsa.Create(ECCurve.NamedCurves.nistP256));
        }

        var path = Path.Combine(dataDirectory, FileName);
        if (File.Exists(path))
        {
            var key = ECDsa.Create();
            try
            {
                key.ImportFromPem(File.ReadAllText(path));
            }
            catch (ArgumentException error)
            {
                key.Dispose();
                throw new InvalidSigningKeyException(
                    $"The signing key file {path} is not a PEM-encoded EC private key ({error.Message}); restore it or delete it to create a new key.");
            }

            var loaded = Create(key);
            Log.SigningKeyLoaded(logger, loaded.KeyId, path);
            return loaded;
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

    private static ManifestSigner Create(ECDsa key)
    {
        var hash = SHA256.HashData(key.ExportSubjectPublicKeyInfo());
        return new ManifestSigner(key, "fleetota-" + Convert.ToHexStringLower(hash.AsSpan(0, 8)));
    }
}
