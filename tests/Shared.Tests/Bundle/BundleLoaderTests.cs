using System.Text;
using System.Text.Json.Nodes;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Tests.Bundle;

public sealed class BundleLoaderTests
{
    public static TheoryData<string> BundleFiles() =>
    [
        "manifest.json", "manifest.sig", "chain.onnx", "chain.weights.json", "site.json", "formulas.json",
        "factors/shading.onnx", "factors/module.onnx", "factors/inverter.onnx", "report/notes.txt",
    ];

    [Fact]
    public void Load_SignedBundle_VerifiesEveryListedFile()
    {
        using var b = new TestBundle();
        var loaded = b.Load();
        Assert.True(loaded.Signed);
        Assert.Equal("test-7", loaded.ModelId);
        Assert.Equal(8, loaded.Manifest.Files.Count);
        Assert.All(loaded.Manifest.Files, f => Assert.Equal(BundleFormat.Sha256(File.ReadAllBytes(Path.Combine(b.BundlePath, f.Path))), f.Sha256));
        Assert.True(loaded.HasAllFormulas);
        Assert.Equal(5000, loaded.Site.DcCapacityW, 6);
    }

    [Theory]
    [MemberData(nameof(BundleFiles))]
    public void Load_OneByteChangedInAnyFile_RefusedNamingTheFile(string file)
    {
        using var b = new TestBundle();
        var path = Path.Combine(b.BundlePath, file);
        var bytes = File.ReadAllBytes(path);
        var at = bytes.Length / 2;
        bytes[at] = (byte)(bytes[at] == (byte)'7' ? '8' : '7');
        File.WriteAllBytes(path, bytes);

        var e = Assert.Throws<InputException>(b.Load);

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(BundleFiles))]
    public void Load_MissingFile_RefusedNamingTheFile(string file)
    {
        using var b = new TestBundle();
        File.Delete(Path.Combine(b.BundlePath, file));

        var e = Assert.Throws<InputException>(b.Load);

        Assert.Contains(file, e.Message, StringComparison.Ordinal);
        Assert.Contains("missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BundleWithFoundation_GivesTheFoundationApartFromTheSiteModel()
    {
        using var b = new TestBundle(foundation: true);
        using var plain = new TestBundle();

        var loaded = b.Load();

        Assert.True(loaded.HasFoundation);
        Assert.False(plain.Load().HasFoundation);
        Assert.Null(plain.Load().CreateFoundationModel());
        Assert.Equal(TestBundle.RandomModel(8).Parameters.SelectMany(t => t.Data), loaded.CreateFoundationModel()!.Parameters.SelectMany(t => t.Data));
        Assert.Equal(b.Model.Parameters.SelectMany(t => t.Data), loaded.CreateChainModel().Parameters.SelectMany(t => t.Data));
    }

    [Fact]
    public void Load_FoundationNamedButNotListed_RefusedNamingTheFile()
    {
        using var b = new TestBundle(sign: false, foundation: true);
        var path = Path.Combine(b.BundlePath, BundleFormat.Manifest);
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        var files = manifest["files"]!.AsArray();
        files.Remove(files.Single(f => (string?)f!["path"] == BundleFormat.FoundationWeights));
        File.WriteAllText(path, manifest.ToJsonString());

        var e = Assert.Throws<InputException>(b.Load);

        Assert.Contains("foundation.weights.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("not listed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SignedWithAnotherKey_Refused()
    {
        using var b = new TestBundle();
        var (_, otherPublic) = BundleKeys.Generate();
        var other = BundleKeys.ParsePublic(otherPublic, "other.pub");

        var e = Assert.Throws<InputException>(() => BundleLoader.Load(b.BundlePath, other));

        Assert.Contains("manifest.sig", e.Message, StringComparison.Ordinal);
        Assert.Contains("does not verify", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnsignedBundleWithTrustedKey_Refused()
    {
        using var signed = new TestBundle();
        using var unsigned = new TestBundle(sign: false);

        var e = Assert.Throws<InputException>(() => BundleLoader.Load(unsigned.BundlePath, signed.PublicKey));

        Assert.Contains("manifest.sig: missing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownSchema_RefusedNamingManifest()
    {
        using var b = new TestBundle(sign: false);
        var path = Path.Combine(b.BundlePath, BundleFormat.Manifest);
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        json["schema"] = 2;
        File.WriteAllText(path, json.ToJsonString());

        var e = Assert.Throws<InputException>(() => BundleLoader.Load(b.BundlePath, null));

        Assert.Contains("manifest.json: schema 2 is unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_UnknownFormulasSchema_RefusedNamingFormulas()
    {
        using var b = new TestBundle(sign: false);
        var manifestPath = Path.Combine(b.BundlePath, BundleFormat.Manifest);
        var formulasPath = Path.Combine(b.BundlePath, BundleFormat.Formulas);
        var formulas = JsonNode.Parse(File.ReadAllText(formulasPath))!;
        formulas["schema"] = 9;
        var bytes = Encoding.UTF8.GetBytes(formulas.ToJsonString());
        File.WriteAllBytes(formulasPath, bytes);
        // re-hash so only the schema is wrong
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
        foreach (var f in manifest["files"]!.AsArray())
        {
            if ((string?)f!["path"] == BundleFormat.Formulas)
            {
                f["sha256"] = BundleFormat.Sha256(bytes);
                f["bytes"] = bytes.Length;
            }
        }
        File.WriteAllText(manifestPath, manifest.ToJsonString());

        var e = Assert.Throws<InputException>(() => BundleLoader.Load(b.BundlePath, null));

        Assert.Contains("formulas.json: schema 9 is unknown", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_Zip_SameManifestAsFolder()
    {
        using var b = new TestBundle(zipName: "bundle.zip");

        var loaded = b.Load();

        Assert.True(loaded.Signed);
        Assert.Equal(b.Manifest.Files.Select(f => f.Sha256), loaded.Manifest.Files.Select(f => f.Sha256));
        Assert.Equal(loaded.File(BundleFormat.ChainOnnx).Length, loaded.Manifest.Files.Single(f => f.Path == BundleFormat.ChainOnnx).Bytes);
    }

    [Fact]
    public void Load_NotABundle_RefusedNamingThePath()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"pvedge-none-{Guid.NewGuid():N}");

        var e = Assert.Throws<InputException>(() => BundleLoader.Load(missing, null));

        Assert.StartsWith(missing, e.Message, StringComparison.Ordinal);
    }
}
