using System.Text.Json;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Bundle;

/// <summary>What goes into a bundle besides the model: the site file as written, the engine weights file, distilled formulas,
/// report files (paths relative to report/), training facts, validation metrics and residual quantiles; <c>PoaInput</c> when
/// the site model takes the measured plane-of-array irradiance (N1 bypassed); <c>Foundation</c>, the one-site foundation (its
/// networks and the fleet-mean site row) the gateway fine-tunes from again.</summary>
public sealed record BundleContent(
    byte[] SiteJson,
    byte[] WeightsJson,
    FormulasFile? Formulas,
    byte[]? FormulasJson,
    IReadOnlyDictionary<string, byte[]> Report,
    BundleTraining Training,
    JsonElement? Validation,
    ResidualQuantiles? ResidualQuantiles,
    bool PoaInput = false,
    ChainModel? Foundation = null);

/// <summary>Assembles a bundle's manifest and files from a one-site <see cref="ChainModel"/>: chain.onnx, factors/*.onnx,
/// chain.weights.json, site.json, formulas.json and report/. Write the result with <see cref="BundleWriter"/>.</summary>
public static class BundleBuilder
{
    public static (BundleManifest Manifest, Dictionary<string, byte[]> Files) Build(ChainModel model, BundleContent content, string modelId, DateTimeOffset created)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(content);
        if (model.Sites.Sites != 1)
        {
            throw new ArgumentException($"a bundle holds a one-site model; this one has {model.Sites.Sites} sites", nameof(model));
        }
        var site = SiteLoader.Parse(System.Text.Encoding.UTF8.GetString(content.SiteJson), BundleFormat.SiteFile);
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BundleFormat.ChainOnnx] = ChainOnnx.Chain(model, site.DcCapacityW, site.Inverter.AcCapacityW, modelId),
            [BundleFormat.ChainWeights] = content.WeightsJson,
            [BundleFormat.SiteFile] = content.SiteJson,
        };
        foreach (var f in ChainFactors.All)
        {
            files[f.OnnxFile] = ChainOnnx.Factor(model, f);
        }
        BundleFoundation? foundation = null;
        if (content.Foundation is { } f0)
        {
            if (f0.Sites.Sites != 1)
            {
                throw new ArgumentException($"a bundle's foundation has one site row (the fleet mean); this one has {f0.Sites.Sites}", nameof(content));
            }
            var fc = f0.Nets.Config;
            files[BundleFormat.FoundationWeights] = WeightsFile.ToJsonBytes(f0.Parameters);
            foundation = new BundleFoundation(BundleFormat.FoundationWeights, fc.LatentSize, fc.ShadingHidden, fc.ModuleHidden, fc.InverterHidden, fc.InverterCurve);
        }
        if (content.FormulasJson is not null)
        {
            files[BundleFormat.Formulas] = content.FormulasJson;
        }
        foreach (var (name, data) in content.Report)
        {
            files[$"{BundleFormat.ReportFolder}/{name}"] = data;
        }
        var factors = ChainFactors.All.Select(f =>
        {
            var ff = content.Formulas?.Factors.FirstOrDefault(x => x.Factor == f.Name);
            return new BundleFactor(f.Name, f.OnnxFile, f.Inputs, f.Output, ff is { Kept: true } ? ff.Infix : null,
                ff is null ? null : new FactorMetrics(ff.R2VsNet, ff.R2VsTruth, ff.Complexity));
        }).ToList();
        var plane = site.Planes[0];
        var c = model.Nets.Config;
        var manifest = new BundleManifest(BundleManifest.CurrentSchema, BundleManifest.FormatName, modelId, created,
            new BundleSite(site.Name, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, plane.TiltDeg, plane.AzimuthDeg,
                site.DcCapacityW / 1000, site.Inverter.AcKw, site.TimeZone, BundleFormat.SiteFile),
            new BundleFeatures(ChainFeatureSpecification.Version, ChainFeatureSpecification.Columns),
            new BundleChain(BundleFormat.ChainOnnx, BundleFormat.ChainWeights, c.LatentSize, c.ShadingHidden, c.ModuleHidden, c.InverterHidden,
                ChainOnnx.SkyView(model), ChainOnnx.DcGain(model),
                [new BundleOutput("poa_wm2", "W/m2"), new BundleOutput("dc_power_w", "W"), new BundleOutput("ac_power_w", "W")]) { InverterCurve = c.InverterCurve, PoaInput = content.PoaInput, Foundation = foundation },
            factors, content.Training, content.Validation, content.ResidualQuantiles, []);
        return (manifest, files);
    }
}
