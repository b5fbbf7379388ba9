using System.Globalization;
using System.Text;
using System.Text.Json;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Export;

/// <summary>What <see cref="BundleExporter.Export"/> wrote.</summary>
public sealed record ExportResult(BundleManifest Manifest, string Output, bool Signed, long TotalBytes);

/// <summary>Turns a fine-tuned model folder (model.json, chain.weights.json, site.json, and optionally formulas.json from
/// <c>distill</c> and report/ from <c>distill</c>/<c>evaluate</c>) into a bundle (product.md "The model bundle").</summary>
public static class BundleExporter
{
    public static ExportResult Export(string modelFolder, string output, string? privateKeyPath, string? historyPath, DateTimeOffset created)
    {
        var (model, info) = ChainBundle.Load(modelFolder);
        var sitePath = Path.Combine(modelFolder, ChainBundle.SiteFile);
        if (info.Sites != 1 || !File.Exists(sitePath))
        {
            throw new InputException($"{Path.Combine(modelFolder, ChainBundle.InfoFile)}: a {info.Kind} model with {info.Sites} site(s); export needs a fine-tuned site model (finetune writes {ChainBundle.SiteFile} beside it)");
        }
        var siteBytes = File.ReadAllBytes(sitePath);
        var site = SiteLoader.Load(sitePath);
        var weights = File.ReadAllBytes(Path.Combine(modelFolder, ChainBundle.WeightsFileName));
        var modelId = ModelId(site.Name, created, weights);

        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [BundleFormat.ChainOnnx] = ChainOnnx.Chain(model, site.DcCapacityW, site.Inverter.AcCapacityW, modelId),
            [BundleFormat.ChainWeights] = weights,
            [BundleFormat.SiteFile] = siteBytes,
        };
        foreach (var f in ChainFactors.All)
        {
            files[f.OnnxFile] = ChainOnnx.Factor(model, f);
        }
        FormulasFile? formulas = null;
        var formulasPath = Path.Combine(modelFolder, BundleFormat.Formulas);
        if (File.Exists(formulasPath))
        {
            var bytes = File.ReadAllBytes(formulasPath);
            formulas = BundleLoader.ParseFormulas(bytes, formulasPath);
            files[BundleFormat.Formulas] = bytes;
        }
        var reportDir = Path.Combine(modelFolder, BundleFormat.ReportFolder);
        JsonElement? validation = null;
        if (Directory.Exists(reportDir))
        {
            foreach (var file in Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                files[$"{BundleFormat.ReportFolder}/{Path.GetRelativePath(reportDir, file).Replace('\\', '/')}"] = File.ReadAllBytes(file);
            }
            var evaluation = Path.Combine(reportDir, "evaluation.json");
            if (File.Exists(evaluation))
            {
                validation = ReadJson(evaluation);
            }
        }
        var quantiles = historyPath is null ? null : Residuals(model, site, historyPath);

        var factors = ChainFactors.All.Select(f =>
        {
            var ff = formulas?.Factors.FirstOrDefault(x => x.Factor == f.Name);
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
                [new BundleOutput("poa_wm2", "W/m2"), new BundleOutput("dc_power_w", "W"), new BundleOutput("ac_power_w", "W")]),
            factors,
            new BundleTraining(info.Kind, info.Created, info.Note, info.Training is null ? null : JsonSerializer.SerializeToElement(info.Training)),
            validation, quantiles, []);
        var written = BundleWriter.Write(output, manifest, files, privateKeyPath);
        return new ExportResult(written, output, privateKeyPath is not null, written.Files.Sum(f => f.Bytes));
    }

    /// <summary>"&lt;site&gt;-&lt;created UTC&gt;-&lt;first 8 hex of the weights' SHA-256&gt;".</summary>
    public static string ModelId(string siteName, DateTimeOffset created, byte[] weights)
    {
        var slug = new StringBuilder();
        foreach (var ch in siteName.ToLowerInvariant())
        {
            slug.Append(char.IsAsciiLetterOrDigit(ch) ? ch : '-');
        }
        return string.Create(CultureInfo.InvariantCulture, $"{slug.ToString().Trim('-')}-{created.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}-{BundleFormat.Sha256(weights)[..8]}");
    }

    /// <summary>p10/p90 of (measured − predicted AC) / AC rating over the history's daylight rows with measured AC.</summary>
    internal static ResidualQuantiles Residuals(ChainModel model, Site site, string historyPath)
    {
        var features = ChainFeatureSpecification.Build(site, History.Read(historyPath));
        var n = features.Rows;
        var poa = new float[n];
        var dc = new float[n];
        var ac = new float[n];
        new EngineChainPredictor(model, site.DcCapacityW, site.Inverter.AcCapacityW).Predict(features.X.Data, poa, dc, ac);
        var residuals = new List<double>();
        for (var i = 0; i < n; i++)
        {
            var measured = features.Y[i, ChainColumns.LabelAc];
            if (features.IsDaylight(i) && !float.IsNaN(measured))
            {
                residuals.Add(measured - (ac[i] / features.AcRatingW));
            }
        }
        if (residuals.Count < 10)
        {
            throw new InputException($"{historyPath}: {residuals.Count} daylight rows with ac_power_w; at least 10 are needed for residual quantiles");
        }
        residuals.Sort();
        return new ResidualQuantiles(Quantile(residuals, 0.1), Quantile(residuals, 0.9), residuals.Count);
    }

    private static double Quantile(List<double> sorted, double q)
    {
        var pos = q * (sorted.Count - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (pos - lo));
    }

    private static JsonElement ReadJson(string path)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
            return doc.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new InputException($"{path}: not valid JSON ({e.Message})");
        }
    }
}
