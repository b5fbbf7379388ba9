using System.Text.Json;
using System.Text.Json.Serialization;
using PvEdge.Shared.Features;

namespace PvEdge.Shared.Bundle;

/// <summary>manifest.json of a model bundle (schema <see cref="BundleManifest.CurrentSchema"/>). Everything the gateway needs to
/// know about the model, plus the SHA-256 of every other file; the Ed25519 signature over the exact bytes of manifest.json
/// is in <c>manifest.sig</c>.</summary>
public sealed record BundleManifest(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("model_id")] string ModelId,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("site")] BundleSite Site,
    [property: JsonPropertyName("features")] BundleFeatures Features,
    [property: JsonPropertyName("chain")] BundleChain Chain,
    [property: JsonPropertyName("factors")] IReadOnlyList<BundleFactor> Factors,
    [property: JsonPropertyName("training")] BundleTraining Training,
    [property: JsonPropertyName("validation")] JsonElement? Validation,
    [property: JsonPropertyName("residual_quantiles")] ResidualQuantiles? ResidualQuantiles,
    [property: JsonPropertyName("files")] IReadOnlyList<BundleFileHash> Files)
{
    public const int CurrentSchema = 1;
    public const string FormatName = "pvedge-model-bundle";
}

/// <summary>The site the model was fine-tuned for (the full site file is <c>site.json</c> in the bundle).</summary>
public sealed record BundleSite(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("latitude")] double Latitude,
    [property: JsonPropertyName("longitude")] double Longitude,
    [property: JsonPropertyName("altitude_m")] double AltitudeM,
    [property: JsonPropertyName("tilt_deg")] double TiltDeg,
    [property: JsonPropertyName("azimuth_deg")] double AzimuthDeg,
    [property: JsonPropertyName("dc_kwp")] double DcKwp,
    [property: JsonPropertyName("ac_kw")] double AcKw,
    [property: JsonPropertyName("timezone")] string? Timezone,
    [property: JsonPropertyName("file")] string File);

/// <summary>The feature specification the chain was trained on (<see cref="ChainFeatureSpecification"/>).</summary>
public sealed record BundleFeatures(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("columns")] IReadOnlyList<FeatureColumn> Columns);

/// <summary>One output of chain.onnx.</summary>
public sealed record BundleOutput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("unit")] string Unit);

/// <summary>The whole chain: <c>chain.onnx</c> (input <c>features</c> [N, columns] normalised as the specification says; outputs
/// <c>poa_wm2</c>, <c>dc_power_w</c>, <c>ac_power_w</c>, each [N, 1]) and the engine weights it was written from.</summary>
public sealed record BundleChain(
    [property: JsonPropertyName("onnx")] string Onnx,
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("latent_size")] int LatentSize,
    [property: JsonPropertyName("shading_hidden")] int ShadingHidden,
    [property: JsonPropertyName("module_hidden")] int ModuleHidden,
    [property: JsonPropertyName("inverter_hidden")] int InverterHidden,
    [property: JsonPropertyName("sky_view")] double SkyView,
    [property: JsonPropertyName("dc_gain")] double DcGain,
    [property: JsonPropertyName("outputs")] IReadOnlyList<BundleOutput> Outputs)
{
    /// <summary>N3 in the efficiency-curve form (<see cref="Learning.Chain.ChainConfig.InverterCurve"/>); absent (false) in
    /// bundles written before it.</summary>
    [JsonPropertyName("inverter_curve")]
    public bool InverterCurve { get; init; }

    /// <summary>The site model takes the measured plane-of-array irradiance (features built with
    /// <c>ChainFeatureSpecification.Build(…, poaInput: true)</c>: POA in the ground column, beam and sky 0).</summary>
    [JsonPropertyName("poa_input")]
    public bool PoaInput { get; init; }

    /// <summary>The foundation the site model was fine-tuned from (its networks and the fleet-mean site row), with which the gateway
    /// fine-tunes again on its own recent history; absent in bundles written before it, or made without one.</summary>
    [JsonPropertyName("foundation")]
    public BundleFoundation? Foundation { get; init; }
}

/// <summary>The foundation's engine weights file (one site row: the fleet mean) and the shape of its networks.</summary>
public sealed record BundleFoundation(
    [property: JsonPropertyName("weights")] string Weights,
    [property: JsonPropertyName("latent_size")] int LatentSize,
    [property: JsonPropertyName("shading_hidden")] int ShadingHidden,
    [property: JsonPropertyName("module_hidden")] int ModuleHidden,
    [property: JsonPropertyName("inverter_hidden")] int InverterHidden,
    [property: JsonPropertyName("inverter_curve")] bool InverterCurve);

/// <summary>One input of a factor: physical value; the net sees (value − offset) / scale.</summary>
public sealed record FactorInput(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("offset")] double Offset,
    [property: JsonPropertyName("scale")] double Scale);

/// <summary>Quality of a factor's formula: R² against the net over its training domain and against the truth when known.</summary>
public sealed record FactorMetrics(
    [property: JsonPropertyName("r2_vs_net")] double? R2VsNet,
    [property: JsonPropertyName("r2_vs_truth")] double? R2VsTruth,
    [property: JsonPropertyName("complexity")] int? Complexity);

/// <summary>One factor network: its ONNX file (input <c>x</c> [N, inputs] in physical units, output <c>y</c> [N, 1]),
/// and its distilled formula over the same input names when one was kept.</summary>
public sealed record BundleFactor(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("onnx")] string Onnx,
    [property: JsonPropertyName("inputs")] IReadOnlyList<FactorInput> Inputs,
    [property: JsonPropertyName("output")] BundleOutput Output,
    [property: JsonPropertyName("formula")] string? Formula,
    [property: JsonPropertyName("metrics")] FactorMetrics? Metrics);

/// <summary>How the model was trained (from the model folder's model.json).</summary>
public sealed record BundleTraining(
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("trained")] DateTimeOffset Trained,
    [property: JsonPropertyName("note")] string? Note,
    [property: JsonPropertyName("summary")] JsonElement? Summary);

/// <summary>Quantiles of (measured − predicted) AC power as fractions of the AC rating, over daylight rows.</summary>
public sealed record ResidualQuantiles(
    [property: JsonPropertyName("p10")] double P10,
    [property: JsonPropertyName("p90")] double P90,
    [property: JsonPropertyName("rows")] int Rows);

/// <summary>A file of the bundle (path relative to the bundle root, '/' separators) and its SHA-256 (lower-case hex).</summary>
public sealed record BundleFileHash(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("bytes")] long Bytes);
