using System.Text.Json;
using System.Text.Json.Serialization;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.ModelExport.Training;

/// <summary>model.json: what a chain model folder holds.</summary>
public sealed record ChainModelInfo(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("latent_size")] int LatentSize,
    [property: JsonPropertyName("shading_hidden")] int ShadingHidden,
    [property: JsonPropertyName("module_hidden")] int ModuleHidden,
    [property: JsonPropertyName("inverter_hidden")] int InverterHidden,
    [property: JsonPropertyName("sites")] int Sites,
    [property: JsonPropertyName("feature_spec_version")] int FeatureSpecVersion,
    [property: JsonPropertyName("features")] IReadOnlyList<FeatureColumn> Features,
    [property: JsonPropertyName("training")] TrainingSummary? Training,
    [property: JsonPropertyName("note")] string? Note)
{
    /// <summary>N3 in the efficiency-curve form (<see cref="ChainConfig.InverterCurve"/>); absent (false) in folders written before it.</summary>
    [JsonPropertyName("inverter_curve")]
    public bool InverterCurve { get; init; }

    /// <summary>The site model takes the measured POA (N1 bypassed, <see cref="ChainFeatureSet.PoaInput"/>); evaluate builds its features the same way.</summary>
    [JsonPropertyName("poa_input")]
    public bool PoaInput { get; init; }
}

/// <summary>Reads and writes a chain model folder: <c>model.json</c> + <c>chain.weights.json</c> (<see cref="WeightsFile"/>).
/// A foundation model (<c>pretrain</c>) has one row of site parameters per fleet site; a site bundle (<c>finetune</c>) has one
/// and also carries the site file as <c>site.json</c>.</summary>
public static class ChainBundle
{
    public const string InfoFile = "model.json";
    public const string WeightsFileName = "chain.weights.json";
    public const string SiteFile = "site.json";

    /// <summary>Folder of a site model holding the foundation it was fine-tuned from (networks, one site row at the fleet mean):
    /// export puts it in the bundle, and the gateway fine-tunes from it again on its own recent history.</summary>
    public const string FoundationFolder = "foundation";

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    public static void Save(string directory, ChainModel model, string kind, DateTimeOffset created, TrainingSummary? training, string? note = null, bool poaInput = false)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        var c = model.Nets.Config;
        var info = new ChainModelInfo(1, kind, created, c.LatentSize, c.ShadingHidden, c.ModuleHidden, c.InverterHidden, model.Sites.Sites,
            ChainFeatureSpecification.Version, ChainFeatureSpecification.Columns, training, note) { InverterCurve = c.InverterCurve, PoaInput = poaInput };
        File.WriteAllText(Path.Combine(directory, InfoFile), JsonSerializer.Serialize(info, Json));
        WeightsFile.Save(Path.Combine(directory, WeightsFileName), model.Parameters);
    }

    /// <summary>Writes <c>chain.onnx</c> (features → POA, DC, AC in W) and one ONNX file per factor, as the bundle names them.</summary>
    public static void WriteOnnx(string directory, ChainModel model, double dcCapacityW, double acRatingW, string modelId)
    {
        ArgumentNullException.ThrowIfNull(model);
        File.WriteAllBytes(Path.Combine(directory, BundleFormat.ChainOnnx), Shared.Bundle.ChainOnnx.Chain(model, dcCapacityW, acRatingW, modelId));
        foreach (var f in ChainFactors.All)
        {
            var path = Path.Combine(directory, f.OnnxFile);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Shared.Bundle.ChainOnnx.Factor(model, f));
        }
    }

    /// <summary>Saves the foundation beside a site model (<see cref="FoundationFolder"/>): its networks and the fleet-mean site row.</summary>
    public static void SaveFoundation(string siteModelDirectory, ChainModel foundation, DateTimeOffset created, string note)
    {
        ArgumentNullException.ThrowIfNull(foundation);
        Save(Path.Combine(siteModelDirectory, FoundationFolder), foundation.AtFleetMean(), "foundation", created, null, note);
    }

    /// <summary>The foundation saved beside a site model, or null when the folder has none.</summary>
    public static ChainModel? LoadFoundation(string siteModelDirectory) =>
        File.Exists(Path.Combine(siteModelDirectory, FoundationFolder, InfoFile)) ? Load(Path.Combine(siteModelDirectory, FoundationFolder)).Model : null;

    public static (ChainModel Model, ChainModelInfo Info) Load(string directory)
    {
        var infoPath = Path.Combine(directory, InfoFile);
        if (!File.Exists(infoPath))
        {
            throw new InputException($"{infoPath}: file not found (expected a model folder written by pretrain or finetune)");
        }
        ChainModelInfo info;
        try
        {
            info = JsonSerializer.Deserialize<ChainModelInfo>(File.ReadAllText(infoPath)) ?? throw new InputException($"{infoPath}: empty");
        }
        catch (JsonException e)
        {
            throw new InputException($"{infoPath}: not a chain model description ({e.Message})");
        }
        if (info.Schema != 1)
        {
            throw new InputException($"{infoPath}: schema {info.Schema}, this build reads 1");
        }
        if (info.FeatureSpecVersion != ChainFeatureSpecification.Version)
        {
            throw new InputException($"{infoPath}: feature_spec_version {info.FeatureSpecVersion}, this build computes version {ChainFeatureSpecification.Version}");
        }
        var config = new ChainConfig(info.LatentSize, info.ShadingHidden, info.ModuleHidden, info.InverterHidden, info.InverterCurve);
        var model = new ChainModel(new ChainNets(config, new SeededRandom(0)), new SiteParameters(info.Sites, config.LatentSize));
        WeightsFile.LoadInto(Path.Combine(directory, WeightsFileName), model.Parameters);
        return (model, info);
    }
}
