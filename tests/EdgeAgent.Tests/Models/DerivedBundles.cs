using System.Text;
using PvEdge.Shared.Bundle;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Models;

/// <summary>Bundles made from the committed models/default with the production builder and writer: the same chain under another model
/// id and signing key, or with its AC output scaled (a bundle whose outputs are plausible but wrong, negative or above the rating).</summary>
internal static class DerivedBundles
{
    public static string DefaultPath => RepoPaths.InRepo("models/default");

    public static string DefaultPublicKey => RepoPaths.InRepo("models/default.pub");

    public static LoadedBundle LoadDefault() => BundleLoader.Load(DefaultPath, BundleKeys.LoadPublic(DefaultPublicKey));

    /// <summary>A fresh Ed25519 pair in <paramref name="folder"/>: (private key file, public key file).</summary>
    public static (string PrivateKey, string PublicKey) Keys(string folder, string name = "publisher")
    {
        var (privatePem, publicPem) = BundleKeys.Generate();
        var priv = Path.Combine(folder, name + ".key");
        var pub = Path.Combine(folder, name + ".pub");
        File.WriteAllBytes(priv, privatePem);
        File.WriteAllBytes(pub, publicPem);
        return (priv, pub);
    }

    /// <summary>Writes the default chain as bundle <paramref name="modelId"/> to <paramref name="output"/> (a folder, or a .zip by name),
    /// signed with <paramref name="privateKey"/>; <paramref name="acScale"/> ≠ 1 rewrites chain.onnx with its AC output scaled.</summary>
    /// <param name="editSite">changes site.json (e.g. a bundle fine-tuned for another site)</param>
    public static string Write(string output, string modelId, string? privateKey, double acScale = 1, Func<string, string>? editSite = null)
    {
        var source = LoadDefault();
        var files = new Dictionary<string, byte[]>(source.Files, StringComparer.Ordinal);
        if (editSite is not null)
        {
            files[source.Manifest.Site.File] = Encoding.UTF8.GetBytes(editSite(Encoding.UTF8.GetString(files[source.Manifest.Site.File])));
        }
        if (acScale != 1)
        {
            files[BundleFormat.ChainOnnx] = ChainOnnx.Chain(source.CreateChainModel(), source.Site.DcCapacityW, source.Site.Inverter.AcCapacityW * acScale, modelId);
        }
        BundleWriter.Write(output, source.Manifest with { ModelId = modelId }, files, privateKey);
        return output;
    }

    /// <summary>Changes one byte in the middle of a file of a bundle folder.</summary>
    public static void FlipByte(string bundle, string file)
    {
        var path = Path.Combine(bundle, file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>Rewrites manifest.json with another schema number and signs it again (a bundle from a newer exporter).</summary>
    public static void SetSchema(string bundle, int schema, string privateKey)
    {
        var path = Path.Combine(bundle, BundleFormat.Manifest);
        var text = File.ReadAllText(path).Replace($"\"schema\": {BundleManifest.CurrentSchema},", $"\"schema\": {schema},", StringComparison.Ordinal);
        var bytes = Encoding.UTF8.GetBytes(text);
        File.WriteAllBytes(path, bytes);
        File.WriteAllText(Path.Combine(bundle, BundleFormat.Signature), Convert.ToBase64String(BundleKeys.Sign(privateKey, bytes)) + "\n");
    }
}
