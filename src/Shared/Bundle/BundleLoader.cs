using System.Text;
using System.Text.Json;
using NSec.Cryptography;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Bundle;

/// <summary>Loads a bundle (folder or .zip) and refuses it, with one line naming the file, when: the manifest's schema is not
/// one this build knows, a listed file is missing or its SHA-256 differs, or (with a trusted key) manifest.sig is missing or
/// does not verify. Only files listed (and verified) in the manifest are exposed.</summary>
public static class BundleLoader
{
    /// <param name="path">bundle folder or .zip</param>
    /// <param name="trustedKey">the publisher's public key; null accepts an unsigned bundle (hashes are still verified)</param>
    public static LoadedBundle Load(string path, PublicKey? trustedKey)
    {
        var raw = BundleFormat.ReadAll(path);
        string Name(string file) => BundleFormat.IsZip(path) ? $"{path}!/{file}" : Path.Combine(path, file);

        if (!raw.TryGetValue(BundleFormat.Manifest, out var manifestBytes))
        {
            throw new InputException($"{Name(BundleFormat.Manifest)}: missing (not a model bundle)");
        }
        var signed = raw.TryGetValue(BundleFormat.Signature, out var sigText);
        if (trustedKey is not null)
        {
            if (!signed)
            {
                throw new InputException($"{Name(BundleFormat.Signature)}: missing (the bundle is not signed and a trusted key is configured)");
            }
            byte[] signature;
            try
            {
                signature = Convert.FromBase64String(Encoding.ASCII.GetString(sigText!).Trim());
            }
            catch (FormatException)
            {
                throw new InputException($"{Name(BundleFormat.Signature)}: not base64 (expected the Ed25519 signature of {BundleFormat.Manifest})");
            }
            if (!BundleKeys.Verify(trustedKey, manifestBytes, signature))
            {
                throw new InputException($"{Name(BundleFormat.Signature)}: signature does not verify against the trusted public key ({BundleFormat.Manifest} altered or signed with another key)");
            }
        }

        var manifest = ParseManifest(manifestBytes, Name(BundleFormat.Manifest));
        var verified = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var f in manifest.Files)
        {
            if (f.Path.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(f.Path) || f.Path.Contains('\\', StringComparison.Ordinal))
            {
                throw new InputException($"{Name(BundleFormat.Manifest)}: file path '{f.Path}' leaves the bundle");
            }
            if (!raw.TryGetValue(f.Path, out var data))
            {
                throw new InputException($"{Name(f.Path)}: missing (listed in {BundleFormat.Manifest})");
            }
            var hash = BundleFormat.Sha256(data);
            if (data.LongLength != f.Bytes || !string.Equals(hash, f.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new InputException($"{Name(f.Path)}: SHA-256 {hash[..12]}… ({data.LongLength} bytes) differs from the manifest's {f.Sha256[..Math.Min(12, f.Sha256.Length)]}… ({f.Bytes} bytes): the file was altered");
            }
            verified[f.Path] = data;
        }
        var required = new List<string> { manifest.Chain.Onnx, manifest.Chain.Weights, manifest.Site.File };
        required.AddRange(manifest.Factors.Select(x => x.Onnx));
        if (manifest.Chain.Foundation is { } foundation)
        {
            required.Add(foundation.Weights);
        }
        foreach (var r in required.Where(r => !verified.ContainsKey(r)))
        {
            throw new InputException($"{Name(BundleFormat.Manifest)}: '{r}' is referenced but not listed in \"files\"");
        }
        FormulasFile? formulas = null;
        if (verified.TryGetValue(BundleFormat.Formulas, out var formulasBytes))
        {
            formulas = ParseFormulas(formulasBytes, Name(BundleFormat.Formulas));
        }
        var site = Sites.SiteLoader.Parse(Encoding.UTF8.GetString(verified[manifest.Site.File]), Name(manifest.Site.File));
        return new LoadedBundle(path, manifest, formulas, site, verified, signed && trustedKey is not null);
    }

    /// <summary>Reads manifest.json, refusing an unknown schema; <paramref name="name"/> names the file in errors.</summary>
    public static BundleManifest ParseManifest(byte[] bytes, string name)
    {
        try
        {
            using (var doc = JsonDocument.Parse(bytes))
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("schema", out var schema) ||
                    !schema.TryGetInt32(out var version))
                {
                    throw new InputException($"{name}: no integer \"schema\" (expected a model bundle manifest)");
                }
                if (version != BundleManifest.CurrentSchema)
                {
                    throw new InputException($"{name}: schema {version} is unknown to this build (it reads schema {BundleManifest.CurrentSchema})");
                }
            }
            var manifest = JsonSerializer.Deserialize<BundleManifest>(bytes, BundleFormat.Json) ?? throw new InputException($"{name}: empty");
            if (manifest.Format != BundleManifest.FormatName)
            {
                throw new InputException($"{name}: \"format\" is '{manifest.Format}', expected '{BundleManifest.FormatName}'");
            }
            if (manifest.Files is null || manifest.Chain is null || manifest.Site is null || manifest.Factors is null || manifest.Features is null)
            {
                throw new InputException($"{name}: \"files\", \"chain\", \"site\", \"features\" and \"factors\" are required");
            }
            return manifest;
        }
        catch (JsonException e)
        {
            throw new InputException($"{name}: not valid manifest JSON ({e.Message})");
        }
    }

    /// <summary>Reads formulas.json, refusing an unknown schema.</summary>
    public static FormulasFile ParseFormulas(byte[] bytes, string name)
    {
        try
        {
            var f = JsonSerializer.Deserialize<FormulasFile>(bytes, BundleFormat.Json) ?? throw new InputException($"{name}: empty");
            if (f.Schema != FormulasFile.CurrentSchema)
            {
                throw new InputException($"{name}: schema {f.Schema} is unknown to this build (it reads schema {FormulasFile.CurrentSchema})");
            }
            return f;
        }
        catch (JsonException e)
        {
            throw new InputException($"{name}: not valid formulas JSON ({e.Message})");
        }
    }
}
