using System.Globalization;
using System.Text.Json;
using PvEdge.ModelExport.Distillation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport distill --bundle B</c>: symbolic regression of every factor net of a fine-tuned model folder; writes
/// B/formulas.json and B/report/distillation.json and prints the recovered formulas with their R² and the physics read back.</summary>
public sealed class DistillCommand : ICliCommand
{
    public string Name => "distill";

    public string Usage => "distill --bundle B [--history H] [--seconds 30] [--samples 2000] [--seed 1] [--threads 2] [--keep-r2 0.995]  distils each factor net into a formula (formulas.json, report/)";

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var folder = args.Required("bundle");
        var historyPath = args.Optional("history");
        var options = new DistillOptions(args.Double("seconds", 30, 0.1, 86_400), args.Int("samples", 2000, 50, 1_000_000), args.Int("seed", 1, 0),
            args.Int("threads", Environment.ProcessorCount, 1, 256), args.Double("keep-r2", 0.995, 0, 1));
        args.RejectUnknown();
        var (model, info) = ChainBundle.Load(folder);
        var sitePath = Path.Combine(folder, ChainBundle.SiteFile);
        if (model.Sites.Sites != 1 || !File.Exists(sitePath))
        {
            throw new InputException($"{Path.Combine(folder, ChainBundle.InfoFile)}: distill needs a fine-tuned site model ({ChainBundle.SiteFile} beside a one-site model)");
        }
        var site = SiteLoader.Load(sitePath);
        var features = historyPath is null ? null : ChainFeatureSpecification.Build(site, History.Read(historyPath), 0, info.PoaInput);
        var distiller = new FactorDistiller(model, site, options);
        var samples = distiller.Sample(features);
        var results = new List<FactorDistillation>();
        foreach (var sample in samples)
        {
            var r = await Task.Run(() => distiller.Distill(sample, context.Time, cancellationToken), cancellationToken).ConfigureAwait(false);
            results.Add(r);
            var f = r.Formula;
            context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{f.Factor,-8} {f.Output} = {f.Infix}\n         complexity {f.Complexity}, R² vs net {f.R2VsNet:F5}, R² vs truth {(f.R2VsTruth is { } t ? t.ToString("F5", CultureInfo.InvariantCulture) : "unknown")}, " +
                $"{(f.Kept ? "kept" : $"not kept (< {options.KeepR2}): ONNX only")} ({r.Search.Iterations} iterations, {r.Search.Elapsed.TotalSeconds:F0} s)"));
        }
        var formulas = new FormulasFile(FormulasFile.CurrentSchema, [.. results.Select(r => r.Formula)]);
        var module = results.First(r => r.Factor == ChainFactors.Module).Formula;
        var inverter = results.First(r => r.Factor == ChainFactors.Inverter).Formula;
        var check = distiller.Check(module.Kept ? ExprJson.ToExpr(module.Tree, "module") : null, inverter.Kept ? ExprJson.ToExpr(inverter.Tree, "inverter") : null);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"γ: true {check.GammaTrue:F5}/°C, formula {Fmt(check.GammaFormula, "F5")} ({Pct(check.GammaErrorFormula)} off), net {check.GammaNet:F5} ({Pct(check.GammaErrorNet)} off)\n" +
            $"inverter efficiency over 5–100 % load: formula within {Pct(check.InverterMaxErrorFormula)}, net within {Pct(check.InverterMaxErrorNet)} of the true curve"));

        await File.WriteAllTextAsync(Path.Combine(folder, BundleFormat.Formulas), JsonSerializer.Serialize(formulas, BundleFormat.Json), cancellationToken).ConfigureAwait(false);
        var report = Path.Combine(folder, BundleFormat.ReportFolder);
        Directory.CreateDirectory(report);
        var summary = new DistillationReport(1, options, samples[0].Rows, historyPath is not null ? "history daylight rows" : "feature specification ranges",
            [.. results.Select(r => new DistillationFactorReport(r.Formula.Factor, r.Formula.Infix, r.Formula.Complexity, r.Formula.R2VsNet, r.Formula.R2VsTruth, r.Formula.Kept,
                r.Search.Iterations, r.Search.Evaluations, r.Search.Elapsed.TotalSeconds, [.. r.Search.Pareto.Select(p => new ParetoPoint(p.Expression.ToString(), p.Complexity, p.R2))]))],
            check);
        await File.WriteAllTextAsync(Path.Combine(report, "distillation.json"), JsonSerializer.Serialize(summary, BundleFormat.Json), cancellationToken).ConfigureAwait(false);
        DistillationPlots.Inverter(distiller, inverter.Kept ? ExprJson.ToExpr(inverter.Tree, "inverter") : null, site, Path.Combine(report, "inverter.png"));
        context.Out.WriteLine($"wrote {Path.Combine(folder, BundleFormat.Formulas)}, {Path.Combine(report, "distillation.json")} and inverter.png");
        return 0;
    }

    private static string Fmt(double? v, string format) => v is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "none";

    private static string Pct(double? v) => v is { } x ? (100 * x).ToString("F2", CultureInfo.InvariantCulture) + " %" : "n/a";
}
