using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using NSec.Cryptography;
using PvEdge.Shared.Bundle;

namespace PvEdge.EdgeAgent.Models;

/// <summary>The <c>current</c> pointer of the model store: which version is in use, which one it replaced, and whether it is on probation.
/// A null <see cref="Current"/> means "no store version: use Model:BundlePath (or physics)".</summary>
public sealed record StorePointer(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("current")] string? Current,
    [property: JsonPropertyName("previous")] string? Previous,
    [property: JsonPropertyName("state")] string State,
    [property: JsonPropertyName("since")] DateTimeOffset Since,
    [property: JsonPropertyName("reason")] string? Reason)
{
    public const int CurrentSchema = 1;
}

/// <summary>The model store on disk (by default <c>/var/lib/edgeagent/models</c>):
/// <code>
/// incoming/            the drop folder (Model:DropDir): a bundle folder or .zip; names starting with '.' or ending in .partial/.tmp are ignored
/// versions/NNNN-&lt;id&gt;/   verified copies, written to versions/.staging-* first, fsynced, then renamed
/// rejected/&lt;UTC&gt;-&lt;name&gt;  refused or rolled-back bundles, each with &lt;UTC&gt;-&lt;name&gt;.reason.txt
/// current              the pointer (JSON, <see cref="StorePointer"/>), replaced by current.tmp + fsync + rename, always last
/// </code>
/// A power cut at any instant leaves <c>current</c> naming a complete version (or the previous pointer); a half-copied version is never
/// named, and staging folders are removed at the next start.</summary>
public sealed class ModelStore
{
    public const string PointerFile = "current";
    private const string StagingPrefix = ".staging-";
    private static readonly JsonSerializerOptions PointerJson = new() { WriteIndented = false };

    /// <param name="keyProblem">why the configured public key could not be read: then nothing is verified, every dropped bundle is refused
    /// with this reason and the store's versions are left alone</param>
    public ModelStore(string root, string? dropDir, PublicKey? trustedKey, string? keyProblem = null)
    {
        Root = Path.GetFullPath(root);
        Drop = string.IsNullOrEmpty(dropDir) ? Path.Combine(Root, "incoming") : Path.GetFullPath(dropDir);
        TrustedKey = trustedKey;
        KeyProblem = keyProblem;
    }

    /// <summary>The store for the configuration (null when off, see <see cref="RootFor"/>); a public key that cannot be read becomes <see cref="KeyProblem"/>.</summary>
    public static ModelStore? Create(Hosting.ModelOptions model, string databasePath, bool databaseConfigured, bool demo)
    {
        ArgumentNullException.ThrowIfNull(model);
        var root = RootFor(model, databasePath, databaseConfigured, demo);
        if (root is null)
        {
            return null;
        }
        if (string.IsNullOrEmpty(model.PublicKeyFile))
        {
            return new ModelStore(root, model.DropDir, null);
        }
        try
        {
            return new ModelStore(root, model.DropDir, BundleKeys.LoadPublic(model.PublicKeyFile));
        }
        catch (Shared.Cli.InputException ex)
        {
            return new ModelStore(root, model.DropDir, null, $"Model:PublicKeyFile unusable ({ex.Message}): no bundle can be verified");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new ModelStore(root, model.DropDir, null, $"Model:PublicKeyFile unreadable ({ex.Message}): no bundle can be verified");
        }
    }

    /// <summary>One line for <c>check-config</c>: where the store is and what <c>current</c> names, without creating or changing anything.</summary>
    public static string Describe(Hosting.AgentSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        var storage = new Hosting.StorageOptions();
        Microsoft.Extensions.Configuration.ConfigurationBinder.Bind(setup.Configuration.GetSection(Hosting.StorageOptions.Section), storage);
        var database = Hosting.AgentHost.DatabasePath(storage, setup.Demo);
        var store = Create(setup.Model, database, !string.IsNullOrEmpty(storage.Path), setup.Demo);
        if (store is null)
        {
            return "off (Model:Runner is physics, or the demo without Model:StoreDir)";
        }
        var pointer = store.ReadPointer(out var problem);
        var current = problem ?? (pointer?.Current is { } c ? $"version {c} ({pointer.State})" : "no version (Model:BundlePath, else physics)");
        return $"{store.Root}, drop folder {store.Drop}, current: {current}{(store.KeyProblem is null ? "" : $"; {store.KeyProblem}")}";
    }

    /// <summary>Set when the configured public key could not be read (see the constructor).</summary>
    public string? KeyProblem { get; }

    public string Root { get; }

    public string Drop { get; }

    public string Versions => Path.Combine(Root, "versions");

    public string Rejected => Path.Combine(Root, "rejected");

    public string PointerPath => Path.Combine(Root, PointerFile);

    /// <summary>The key every bundle's signature must verify against (null: unsigned bundles are accepted, hashes are still checked).</summary>
    public PublicKey? TrustedKey { get; }

    /// <summary>The store folder for the configuration, or null when the store is off: the runner is physics, or the demo with its
    /// throw-away database and no Model:StoreDir.</summary>
    public static string? RootFor(Hosting.ModelOptions model, string databasePath, bool databaseConfigured, bool demo)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.Runner == "physics")
        {
            return null;
        }
        if (!string.IsNullOrEmpty(model.StoreDir))
        {
            return model.StoreDir;
        }
        if (demo && !databaseConfigured)
        {
            return null;
        }
        return Path.Combine(Path.GetDirectoryName(Path.GetFullPath(databasePath))!, "models");
    }

    /// <summary>Creates the folders and removes staging folders a power cut left behind; returns how many were removed.</summary>
    public int Prepare()
    {
        Directory.CreateDirectory(Drop);
        Directory.CreateDirectory(Versions);
        Directory.CreateDirectory(Rejected);
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(Versions, StagingPrefix + "*"))
        {
            Directory.Delete(dir, recursive: true);
            removed++;
        }
        if (File.Exists(PointerPath + ".tmp"))
        {
            File.Delete(PointerPath + ".tmp");
        }
        return removed;
    }

    /// <summary>The pointer, or null when there is none; <paramref name="problem"/> says why an existing pointer could not be read.</summary>
    public StorePointer? ReadPointer(out string? problem)
    {
        problem = null;
        if (!File.Exists(PointerPath))
        {
            return null;
        }
        try
        {
            var p = JsonSerializer.Deserialize<StorePointer>(File.ReadAllBytes(PointerPath), PointerJson);
            if (p is null || p.Schema != StorePointer.CurrentSchema || p.State is null)
            {
                problem = $"{PointerPath}: not a schema {StorePointer.CurrentSchema} model store pointer";
                return null;
            }
            return p;
        }
        catch (JsonException ex)
        {
            problem = $"{PointerPath}: unreadable ({ex.Message})";
            return null;
        }
    }

    /// <summary>Replaces the pointer atomically (temp file, fsync, rename, fsync of the store folder).</summary>
    public void WritePointer(StorePointer pointer)
    {
        Directory.CreateDirectory(Root);
        DurableFiles.WriteAtomic(PointerPath, JsonSerializer.SerializeToUtf8Bytes(pointer, PointerJson));
    }

    public string VersionPath(string version) => Path.Combine(Versions, version);

    /// <summary>Loads and verifies a version of the store (hashes, signature, schema); throws <see cref="Shared.Cli.InputException"/> naming the file.</summary>
    public LoadedBundle LoadVersion(string version)
    {
        if (version.Contains('/', StringComparison.Ordinal) || version.Contains('\\', StringComparison.Ordinal) || version.StartsWith('.'))
        {
            throw new Shared.Cli.InputException($"{PointerPath}: '{version}' is not a version folder name");
        }
        var path = VersionPath(version);
        if (!Directory.Exists(path))
        {
            throw new Shared.Cli.InputException($"{path}: version folder missing");
        }
        return BundleLoader.Load(path, TrustedKey);
    }

    /// <summary>Bundles waiting in the drop folder (folders and .zip files), oldest first; hidden and partial names are skipped.</summary>
    public List<string> DropEntries()
    {
        if (!Directory.Exists(Drop))
        {
            return [];
        }
        return Directory.EnumerateFileSystemEntries(Drop)
            .Where(p =>
            {
                var name = Path.GetFileName(p);
                return !name.StartsWith('.') && !name.EndsWith(".partial", StringComparison.OrdinalIgnoreCase) &&
                       !name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) &&
                       (Directory.Exists(p) || BundleFormat.IsZip(p));
            })
            .OrderBy(p => Directory.Exists(p) ? Directory.GetLastWriteTimeUtc(p) : File.GetLastWriteTimeUtc(p))
            .ThenBy(p => p, StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>What changes while an entry is still being copied in: file count, total size and the latest write time.</summary>
    public static string Fingerprint(string entry)
    {
        if (File.Exists(entry))
        {
            var f = new FileInfo(entry);
            return string.Create(CultureInfo.InvariantCulture, $"1/{f.Length}/{f.LastWriteTimeUtc.Ticks}");
        }
        var files = Directory.EnumerateFiles(entry, "*", SearchOption.AllDirectories).Select(p => new FileInfo(p)).ToList();
        var latest = files.Count == 0 ? 0 : files.Max(f => f.LastWriteTimeUtc.Ticks);
        return string.Create(CultureInfo.InvariantCulture, $"{files.Count}/{files.Sum(f => f.Length)}/{latest}");
    }

    /// <summary>Copies a dropped bundle (folder or .zip) into a fresh staging folder under versions/ and flushes it to the disk.</summary>
    public string Stage(string entry)
    {
        Directory.CreateDirectory(Versions);
        var staging = Path.Combine(Versions, StagingPrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)));
        Directory.CreateDirectory(staging);
        if (Directory.Exists(entry))
        {
            foreach (var file in Directory.EnumerateFiles(entry, "*", SearchOption.AllDirectories))
            {
                var target = Path.Combine(staging, Path.GetRelativePath(entry, file));
                Directory.CreateDirectory(Path.GetDirectoryName(target)!);
                File.Copy(file, target);
            }
        }
        else
        {
            ZipFile.ExtractToDirectory(entry, staging);
        }
        DurableFiles.SyncTree(staging);
        return staging;
    }

    /// <summary>The name the next version gets: NNNN-&lt;model id&gt;, NNNN one above the highest in versions/.</summary>
    public string NextVersionName(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        var next = Directory.EnumerateDirectories(Versions)
            .Select(d => Path.GetFileName(d))
            .Select(n => n.Length > 4 && int.TryParse(n.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var k) ? k : 0)
            .DefaultIfEmpty(0).Max() + 1;
        var safe = new string(modelId.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray()).TrimStart('.');
        return string.Create(CultureInfo.InvariantCulture, $"{next:0000}-{(safe.Length == 0 ? "model" : safe)}");
    }

    /// <summary>Renames a staging folder to versions/<paramref name="version"/> and flushes versions/.</summary>
    public void Commit(string staging, string version)
    {
        Directory.Move(staging, VersionPath(version));
        DurableFiles.SyncFolder(Versions);
    }

    /// <summary>Moves a refused entry (drop folder or version) to rejected/ beside a .reason.txt; returns where it went.</summary>
    public string Reject(string entry, string reason, DateTimeOffset nowUtc)
    {
        Directory.CreateDirectory(Rejected);
        var stamp = nowUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var target = Path.Combine(Rejected, $"{stamp}-{Path.GetFileName(entry)}");
        for (var k = 2; Path.Exists(target); k++)
        {
            target = Path.Combine(Rejected, $"{stamp}-{k}-{Path.GetFileName(entry)}");
        }
        File.WriteAllText(target + ".reason.txt", $"{nowUtc.UtcDateTime.ToString("o", CultureInfo.InvariantCulture)} {Path.GetFileName(entry)}: {reason}\n", Encoding.UTF8);
        MoveAcross(entry, target);
        DurableFiles.SyncFolder(Rejected);
        PruneRejected();
        return target;
    }

    /// <summary>How many refused bundles rejected/ keeps (with their reasons); older ones are deleted.</summary>
    public const int RejectedKept = 20;

    private void PruneRejected()
    {
        var bundles = Directory.EnumerateFileSystemEntries(Rejected).Where(p => !p.EndsWith(".reason.txt", StringComparison.Ordinal))
            .OrderByDescending(p => Path.GetFileName(p), StringComparer.Ordinal).Skip(RejectedKept);
        foreach (var old in bundles)
        {
            Remove(old);
            File.Delete(old + ".reason.txt");
        }
    }

    /// <summary>Removes an installed entry from the drop folder.</summary>
    public static void Remove(string entry)
    {
        if (Directory.Exists(entry))
        {
            Directory.Delete(entry, recursive: true);
        }
        else if (File.Exists(entry))
        {
            File.Delete(entry);
        }
    }

    /// <summary>Deletes versions other than <paramref name="keep"/>, keeping the <paramref name="newest"/> newest ones anyway.</summary>
    public int Prune(IEnumerable<string?> keep, int newest = 3)
    {
        var kept = keep.Where(k => k is not null).ToHashSet(StringComparer.Ordinal);
        var versions = Directory.EnumerateDirectories(Versions).Select(d => Path.GetFileName(d)).Where(n => !n.StartsWith('.'))
            .OrderByDescending(n => n, StringComparer.Ordinal).ToList();
        var removed = 0;
        foreach (var v in versions.Skip(newest).Where(v => !kept.Contains(v)))
        {
            Directory.Delete(VersionPath(v), recursive: true);
            removed++;
        }
        return removed;
    }

    private static void MoveAcross(string source, string target)
    {
        try
        {
            if (Directory.Exists(source))
            {
                Directory.Move(source, target);
            }
            else
            {
                File.Move(source, target);
            }
        }
        catch (IOException)
        {
            // another file system (a drop folder mounted elsewhere): copy, then delete
            if (Directory.Exists(source))
            {
                foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                {
                    var t = Path.Combine(target, Path.GetRelativePath(source, file));
                    Directory.CreateDirectory(Path.GetDirectoryName(t)!);
                    File.Copy(file, t, overwrite: true);
                }
                Directory.Delete(source, recursive: true);
            }
            else
            {
                File.Copy(source, target, overwrite: true);
                File.Delete(source);
            }
        }
    }
}
