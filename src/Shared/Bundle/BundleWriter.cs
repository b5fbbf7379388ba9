using System.Text;
using System.Text.Json;

namespace PvEdge.Shared.Bundle;

/// <summary>Writes a bundle: fills the manifest's file list with the SHA-256 of every file, writes manifest.json and, with a
/// private key, manifest.sig (base64 of the Ed25519 signature over the exact bytes of manifest.json).</summary>
public static class BundleWriter
{
    /// <summary>Writes <paramref name="files"/> (relative paths, '/' separators, not manifest.json or manifest.sig) and the
    /// manifest to <paramref name="output"/> (a folder, or a .zip when the name ends in .zip). Returns the manifest written.</summary>
    public static BundleManifest Write(string output, BundleManifest manifest, IReadOnlyDictionary<string, byte[]> files, string? privateKeyPath)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(files);
        var hashes = files
            .Where(f => f.Key is not (BundleFormat.Manifest or BundleFormat.Signature))
            .OrderBy(f => f.Key, StringComparer.Ordinal)
            .Select(f => new BundleFileHash(f.Key, BundleFormat.Sha256(f.Value), f.Value.LongLength))
            .ToList();
        var complete = manifest with { Schema = BundleManifest.CurrentSchema, Format = BundleManifest.FormatName, Files = hashes };
        var manifestBytes = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(complete, BundleFormat.Json));
        var all = new Dictionary<string, byte[]>(files, StringComparer.Ordinal) { [BundleFormat.Manifest] = manifestBytes };
        if (privateKeyPath is not null)
        {
            var signature = BundleKeys.Sign(privateKeyPath, manifestBytes);
            all[BundleFormat.Signature] = Encoding.ASCII.GetBytes(Convert.ToBase64String(signature) + "\n");
        }
        BundleFormat.WriteAll(output, all);
        return complete;
    }
}
