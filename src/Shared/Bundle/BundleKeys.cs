using NSec.Cryptography;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Bundle;

/// <summary>Ed25519 keys for signing bundles, stored as PEM text: the private key as PKCS#8
/// (<c>-----BEGIN PRIVATE KEY-----</c>, file <c>K.key</c>) and the public key as SubjectPublicKeyInfo
/// (<c>-----BEGIN PUBLIC KEY-----</c>, file <c>K.pub</c>). Both are what <c>openssl genpkey -algorithm ed25519</c> and
/// <c>openssl pkey -pubout</c> write, so either tool can make or read them.</summary>
public static class BundleKeys
{
    private static readonly SignatureAlgorithm Algorithm = SignatureAlgorithm.Ed25519;

    /// <summary>A fresh key pair as (private PEM, public PEM).</summary>
    public static (byte[] PrivatePem, byte[] PublicPem) Generate()
    {
        using var key = Key.Create(Algorithm, new KeyCreationParameters { ExportPolicy = KeyExportPolicies.AllowPlaintextExport });
        return (Lf(key.Export(KeyBlobFormat.PkixPrivateKeyText)), Lf(key.PublicKey.Export(KeyBlobFormat.PkixPublicKeyText)));
    }

    // NSec writes CRLF; keep key files in the Unix form openssl writes
    private static byte[] Lf(byte[] pem) => System.Text.Encoding.ASCII.GetBytes(System.Text.Encoding.ASCII.GetString(pem).Replace("\r\n", "\n", StringComparison.Ordinal));

    /// <summary>Reads a public key file (PEM SubjectPublicKeyInfo); the error names the file.</summary>
    public static PublicKey LoadPublic(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: public key file not found");
        }
        return ParsePublic(File.ReadAllBytes(path), path);
    }

    public static PublicKey ParsePublic(ReadOnlySpan<byte> pem, string source)
    {
        if (!PublicKey.TryImport(Algorithm, pem, KeyBlobFormat.PkixPublicKeyText, out var key) || key is null)
        {
            throw new InputException($"{source}: not an Ed25519 public key (expected PEM '-----BEGIN PUBLIC KEY-----')");
        }
        return key;
    }

    /// <summary>Signs <paramref name="data"/> with the private key file (PEM PKCS#8); returns the 64-byte signature.</summary>
    public static byte[] Sign(string privateKeyPath, ReadOnlySpan<byte> data)
    {
        if (!File.Exists(privateKeyPath))
        {
            throw new InputException($"{privateKeyPath}: private key file not found");
        }
        var pem = File.ReadAllBytes(privateKeyPath);
        if (!Key.TryImport(Algorithm, pem, KeyBlobFormat.PkixPrivateKeyText, out var key) || key is null)
        {
            throw new InputException($"{privateKeyPath}: not an Ed25519 private key (expected PEM '-----BEGIN PRIVATE KEY-----')");
        }
        using (key)
        {
            return Algorithm.Sign(key, data);
        }
    }

    /// <summary>True when <paramref name="signature"/> is a valid Ed25519 signature of <paramref name="data"/> by the key.</summary>
    public static bool Verify(PublicKey key, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature) =>
        signature.Length == Algorithm.SignatureSize && Algorithm.Verify(key, data, signature);
}
