using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport finetune --base M --history H --site S --out B</c>: adapts the foundation chain to one site.</summary>
public sealed class FinetuneCommand : ICliCommand
{
    public const int MinimumDaylightDays = 2;

    public string Name => "finetune";

    public string Usage => "finetune --base M --history H --site S --out B [--epochs 120] [--site-only] [--threads 1]  adapts the foundation chain to one site's history";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var basePath = args.Required("base");
        var historyPath = args.Required("history");
        var options = SiteCommandOptions.Read(args);
        var (sitePath, output) = options;
        var epochs = args.Int("epochs", 120, 1, 100_000);
        var siteOnly = args.Flag("site-only");
        var threads = args.Int("threads", 1, 1, 64);
        args.RejectUnknown();
        var site = options.LoadSite();
        var history = History.Read(historyPath);
        var features = LoadFeatures(site, history);
        var (foundation, _) = ChainBundle.Load(basePath);
        Training.TrainingSummary summary;
        Shared.Learning.Chain.ChainModel model;
        using (var bar = new ProgressBar(context.Error, "finetune"))
        {
            (model, summary) = SiteAdaptation.FineTune(foundation, features, new AdaptationOptions(epochs, !siteOnly, threads), bar, cancellationToken);
        }
        ChainBundle.Save(output, model, "site", context.Time.GetUtcNow(), summary, $"fine-tuned from {basePath} on {historyPath}");
        File.Copy(sitePath, Path.Combine(output, ChainBundle.SiteFile), overwrite: true);
        ChainBundle.WriteOnnx(output, model, site.DcCapacityW, site.Inverter.AcCapacityW, site.Name);
        var svf = 1 / (1 + Math.Exp(-model.Sites.SkyViewLogit.Data[0]));
        context.Out.WriteLine($"fine-tuned on {summary.Rows} daylight rows ({ChainFeatureSpecification.DaylightDays(features, site.LongitudeDeg)} days): " +
            $"loss {summary.FirstEpochLoss:G3} → {summary.FinalLoss:G3}; gain {model.Sites.Gain.Data[0]:F3}, sky-view {svf:F3}; wrote {output}");
        return Task.FromResult(0);
    }

    /// <summary>Features of a history, rejecting one with fewer than <see cref="MinimumDaylightDays"/> days of daylight AC data.</summary>
    internal static ChainFeatureSet LoadFeatures(Site site, History history)
    {
        var features = ChainFeatureSpecification.Build(site, history);
        var days = ChainFeatureSpecification.DaylightDays(features, site.LongitudeDeg);
        if (days < MinimumDaylightDays)
        {
            throw new InputException($"{history.Source}: {days} day(s) of daylight data with ac_power_w and weather; at least {MinimumDaylightDays} are needed");
        }
        return features;
    }
}
