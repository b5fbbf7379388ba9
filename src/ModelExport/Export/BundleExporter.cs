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
        created = new DateTimeOffset(created.UtcTicks - (created.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
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

        FormulasFile? formulas = null;
        byte[]? formulasJson = null;
        var formulasPath = Path.Combine(modelFolder, BundleFormat.Formulas);
        if (File.Exists(formulasPath))
        {
            formulasJson = File.ReadAllBytes(formulasPath);
            formulas = BundleLoader.ParseFormulas(formulasJson, formulasPath);
        }
        var report = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var reportDir = Path.Combine(modelFolder, BundleFormat.ReportFolder);
        JsonElement? validation = null;
        if (Directory.Exists(reportDir))
        {
            foreach (var file in Directory.EnumerateFiles(reportDir, "*", SearchOption.AllDirectories))
            {
                report[Path.GetRelativePath(reportDir, file).Replace('\\', '/')] = File.ReadAllBytes(file);
            }
            var evaluation = Path.Combine(reportDir, "evaluation.json");
            if (File.Exists(evaluation))
            {
                validation = ReadJson(evaluation);
            }
        }
        var quantiles = historyPath is null ? null : Residuals(model, site, historyPath, info.PoaInput);
        var training = new BundleTraining(info.Kind, info.Created, info.Note, info.Training is null ? null : JsonSerializer.SerializeToElement(info.Training));
        var (manifest, files) = BundleBuilder.Build(model, new BundleContent(siteBytes, weights, formulas, formulasJson, report, training, validation, quantiles, info.PoaInput,
            ChainBundle.LoadFoundation(modelFolder)), modelId, created);
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
    internal static ResidualQuantiles Residuals(ChainModel model, Site site, string historyPath, bool poaInput = false)
    {
        var features = ChainFeatureSpecification.Build(site, History.Read(historyPath), 0, poaInput);
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
