using System.IO.Compression;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PvEdge.Shared.Bundle;

/// <summary>File names of a bundle and the JSON settings every bundle file is written with.</summary>
public static class BundleFormat
{
    public const string Manifest = "manifest.json";
    public const string Signature = "manifest.sig";
    public const string ChainOnnx = "chain.onnx";
    public const string ChainWeights = "chain.weights.json";
    public const string FoundationWeights = "foundation.weights.json";
    public const string Formulas = "formulas.json";
    public const string SiteFile = "site.json";
    public const string FactorsFolder = "factors";
    public const string ReportFolder = "report";

    public static JsonSerializerOptions Json { get; } = new()
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    /// <summary>Lower-case hex SHA-256, computed by libsodium (NSec), which verifies the signature anyway: System.Security.Cryptography
    /// would load OpenSSL (libcrypto, about 4 MB resident) into the gateway for this one hash.</summary>
    public static string Sha256(ReadOnlySpan<byte> data) => Convert.ToHexStringLower(NSec.Cryptography.HashAlgorithm.Sha256.Hash(data));

    /// <summary>True for a bundle written as a .zip (by name).</summary>
    public static bool IsZip(string path) => path.EndsWith(".zip", StringComparison.OrdinalIgnoreCase);

    /// <summary>Every file under a folder or in a .zip, keyed by relative path with '/' separators.</summary>
    internal static Dictionary<string, byte[]> ReadAll(string path)
    {
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        if (Directory.Exists(path))
        {
            foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories))
            {
                files[Path.GetRelativePath(path, file).Replace('\\', '/')] = File.ReadAllBytes(file);
            }
        }
        else if (File.Exists(path) && IsZip(path))
        {
            ReadZip(path, files);
        }
        else
        {
            throw new Cli.InputException($"{path}: no bundle there (expected a folder or a .zip holding {Manifest})");
        }
        return files;
    }

    // Apart so that reading a bundle folder does not load System.IO.Compression (the JIT resolves what a method calls when it compiles it).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static void ReadZip(string path, Dictionary<string, byte[]> files)
    {
        using var zip = ZipFile.OpenRead(path);
        foreach (var entry in zip.Entries)
        {
            if (entry.FullName.EndsWith('/'))
            {
                continue;
            }
            using var s = entry.Open();
            using var m = new MemoryStream();
            s.CopyTo(m);
            files[entry.FullName.Replace('\\', '/')] = m.ToArray();
        }
    }

    /// <summary>Writes files to a folder (replacing a previous bundle there) or to a .zip.</summary>
    internal static void WriteAll(string path, IReadOnlyDictionary<string, byte[]> files)
    {
        var full = Path.GetFullPath(path);
        var parent = Path.GetDirectoryName(full);
        if (parent is not null)
        {
            Directory.CreateDirectory(parent);
        }
        if (IsZip(full))
        {
            var tmpZip = full + ".tmp";
            using (var zip = ZipFile.Open(tmpZip, ZipArchiveMode.Create))
            {
                foreach (var (name, data) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
                {
                    var entry = zip.CreateEntry(name, CompressionLevel.Optimal);
                    using var s = entry.Open();
                    s.Write(data);
                }
            }
            File.Move(tmpZip, full, overwrite: true);
            return;
        }
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, Manifest)))
        {
            throw new Cli.InputException($"{path}: folder exists and is not a bundle (no {Manifest}); refusing to overwrite it");
        }
        var tmp = full + ".tmp-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        foreach (var (name, data) in files)
        {
            var target = Path.Combine(tmp, name);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.WriteAllBytes(target, data);
        }
        if (Directory.Exists(full))
        {
            Directory.Delete(full, recursive: true);
        }
        Directory.Move(tmp, full);
    }
}
