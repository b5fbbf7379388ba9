using System.Text;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Bundle;

/// <summary>A bundle that passed <see cref="BundleLoader"/>: its manifest, formulas, site and verified files.</summary>
/// <param name="Source">folder or .zip it was read from</param>
/// <param name="Signed">true when the signature was verified against a trusted key</param>
public sealed record LoadedBundle(string Source, BundleManifest Manifest, FormulasFile? Formulas, Site Site,
    IReadOnlyDictionary<string, byte[]> Files, bool Signed)
{
    public string ModelId => Manifest.ModelId;

    /// <summary>The bytes of a verified file (chain.onnx, factors/…); throws when the manifest does not list it.</summary>
    public byte[] File(string path) => Files.TryGetValue(path, out var data)
        ? data
        : throw new Cli.InputException($"{Source}: '{path}' is not a file of this bundle");

    public byte[] ChainOnnx => File(Manifest.Chain.Onnx);

    /// <summary>The chain as our engine's model (one site), from chain.weights.json.</summary>
    public ChainModel CreateChainModel()
    {
        var c = Manifest.Chain;
        return Create(new ChainConfig(c.LatentSize, c.ShadingHidden, c.ModuleHidden, c.InverterHidden, c.InverterCurve), c.Weights);
    }

    /// <summary>True when the bundle carries the foundation its site model was fine-tuned from.</summary>
    public bool HasFoundation => Manifest.Chain.Foundation is not null;

    /// <summary>The foundation (its networks, one site row at the fleet mean) from foundation.weights.json; null when the bundle has none.</summary>
    public ChainModel? CreateFoundationModel() => Manifest.Chain.Foundation is { } f
        ? Create(new ChainConfig(f.LatentSize, f.ShadingHidden, f.ModuleHidden, f.InverterHidden, f.InverterCurve), f.Weights)
        : null;

    private ChainModel Create(ChainConfig config, string weights)
    {
        var model = new ChainModel(new ChainNets(config, new SeededRandom(0)), new SiteParameters(1, config.LatentSize));
        var name = Path.Combine(Source, weights);
        WeightsFile.CopyInto(WeightsFile.Parse(Encoding.UTF8.GetString(File(weights)), name), name, model.Parameters);
        return model;
    }

    /// <summary>The kept formula of a factor (null when the factor has none); its variables are the factor's input names.</summary>
    public Expr? Formula(string factor)
    {
        var f = Formulas?.Factors.FirstOrDefault(x => x.Factor == factor && x.Kept);
        return f is null ? null : ExprJson.ToExpr(f.Tree, Path.Combine(Source, BundleFormat.Formulas));
    }

    /// <summary>True when every factor of the chain has a kept formula (the formula runner can replace the nets).</summary>
    public bool HasAllFormulas => ChainFactors.All.All(f => Formula(f.Name) is not null);
}
