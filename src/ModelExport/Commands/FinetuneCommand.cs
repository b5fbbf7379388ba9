using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport finetune --base M --history H --site S --out B</c>: adapts the foundation chain to one site.</summary>
public sealed class FinetuneCommand : ICliCommand
{
    public const int MinimumDaylightDays = 2;

    public string Name => "finetune";

    public string Usage => "finetune --base M --history H --site S --out B [--epochs 120] [--site-only] [--threads 1] [--poa-input] [--zero-shot] [--huber 0] [--edge-units 16] [--keep-all-days] [--keep-ac-rating]  adapts the foundation chain to one site's history " +
        "(--poa-input: the measured poa_wm2 drives the module, N1 bypassed; the default when the history has POA and no GHI. --zero-shot: no training, the fleet-mean site; any history length. --huber D: robust loss, D in fractions of the AC rating, for real telemetry. --edge-units N: sharp units added to the shading field in a third stage, 0 = none. " +
        "Mornings and afternoons producing under 80 % (the site's POA drives the model) or 50 % (weather through N1, which may be off for hours) of what a first fit expects, " +
        "against a typical one (snow, outages), are left out and named; --keep-all-days keeps them. AC that stays flat under the site file's inverter rating whenever the weather would give more " +
        "(an export limit) becomes the model's AC limit; --keep-ac-rating keeps the file's)";

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
        var zeroShot = args.Flag("zero-shot");
        var huber = args.Double("huber", 0, 0, 1);
        var edgeUnits = args.Int("edge-units", 16, 0, 256);
        var keepAllDays = args.Flag("keep-all-days");
        var keepAcRating = args.Flag("keep-ac-rating");
        var history = History.Read(historyPath);
        var poaInput = args.Flag("poa-input") || ChainFeatureSpecification.PrefersPoaInput(history);
        args.RejectUnknown();
        var site = options.LoadSite();
        var reference = CheckHistory(site, history, context.Error);
        var limit = keepAcRating ? null : AcLimit.Detect(reference);
        if (limit is not null)
        {
            context.Out.WriteLine(limit.Describe(site.Inverter.AcCapacityW) + string.Create(CultureInfo.InvariantCulture,
                $" Fine-tuned with {limit.LimitW:F0} W as the AC limit, written as inverter.ac_kw {limit.LimitW / 1000:F3} ") +
                "in the bundle's site.json: give the gateway's site file the same (--keep-ac-rating keeps the file's)");
            site = limit.Apply(site);
        }
        var features = zeroShot ? ChainFeatureSpecification.Build(site, history, 0, poaInput) : LoadFeatures(site, history, poaInput);
        var (foundation, _) = ChainBundle.Load(basePath);
        TrainingSummary? summary = null;
        Shared.Learning.Chain.ChainModel model;
        if (zeroShot)
        {
            model = foundation.AtFleetMean();
        }
        else
        {
            using var bar = new ProgressBar(context.Error, "finetune");
            (model, summary) = SiteAdaptation.FineTune(foundation, features, new AdaptationOptions(epochs, !siteOnly, threads, HuberDelta: (float)huber, EdgeUnits: edgeUnits, ScreenDays: !keepAllDays), bar, cancellationToken);
        }
        ChainBundle.Save(output, model, "site", context.Time.GetUtcNow(), summary,
            zeroShot ? $"zero-shot from {basePath} (fleet-mean site parameters)" : $"fine-tuned from {basePath} on {historyPath}", poaInput);
        ChainBundle.SaveFoundation(output, foundation, context.Time.GetUtcNow(), $"the fleet-mean site of {basePath}");
        WriteSite(sitePath, Path.Combine(output, ChainBundle.SiteFile), limit is null ? null : site.Inverter.AcKw);
        ChainBundle.WriteOnnx(output, model, site.DcCapacityW, site.Inverter.AcCapacityW, site.Name);
        foreach (var day in summary?.ScreenedHalfDays ?? [])
        {
            var half = day.Afternoon ? "afternoon" : "morning";
            context.Out.WriteLine($"left out the {half} of {day.FirstRowTime:yyyy-MM-dd}: {Math.Max(0, day.PerformanceIndex):P0} of the expected AC against {day.ReferenceIndex:P0} on a typical {half} (snow, outage or curtailment?)");
        }
        if (summary?.NoisyWeather is { } noisy)
        {
            context.Out.WriteLine($"the weather explains the history only to {noisy.ResidualOfRating:P1} of the AC rating on a typical day, with errors that do not come back the next day " +
                $"(correlation {noisy.DayToDayCorrelation:F2}): weather from a satellite or a distant station? fine-tuned lightly ({summary.Epochs} epochs, no edge stage)");
        }
        var svf = 1 / (1 + Math.Exp(-model.Sites.SkyViewLogit.Data[0]));
        var input = poaInput ? "measured POA drives the module (N1 bypassed)" : "weather through N1";
        context.Out.WriteLine(summary is null
            ? $"zero-shot site model (fleet-mean site parameters, {input}): gain {model.Sites.Gain.Data[0]:F3}, sky-view {svf:F3}; wrote {output}"
            : $"fine-tuned on {summary.Rows} daylight rows ({ChainFeatureSpecification.DaylightDays(features, site.LongitudeDeg)} days, {input}): " +
              $"loss {summary.FirstEpochLoss:G3} → {summary.FinalLoss:G3}; gain {model.Sites.Gain.Data[0]:F3}, sky-view {svf:F3}; wrote {output}");
        return Task.FromResult(0);
    }

    /// <summary>The site file as the bundle carries it: a copy, with <c>inverter.ac_kw</c> set (and <c>dc_ac_ratio</c> dropped) when the
    /// history showed a lower AC limit.</summary>
    private static void WriteSite(string sitePath, string destination, double? acKw)
    {
        if (acKw is null)
        {
            File.Copy(sitePath, destination, overwrite: true);
            return;
        }
        // read as SiteLoader reads it (its comments are not kept)
        var root = JsonNode.Parse(File.ReadAllText(sitePath), documentOptions: SiteLoader.DocumentOptions)!.AsObject();
        var inverter = root["inverter"] as JsonObject ?? [];
        inverter.Remove("dc_ac_ratio");
        inverter["ac_kw"] = Math.Round(acKw.Value, 4);
        root["inverter"] = inverter;
        File.WriteAllText(destination, root.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>The history's checks against the site file (<see cref="HistoryChecks"/>): a refusal for wrong units, warning lines
    /// on <paramref name="error"/> for timing and orientation. Returns what they were held against, for the AC limit to use again.</summary>
    internal static ClearSkyReference CheckHistory(Site site, History history, TextWriter error)
    {
        var reference = new ClearSkyReference(site, history);
        foreach (var warning in HistoryChecks.Run(reference))
        {
            error.WriteLine(warning);
        }
        return reference;
    }

    /// <summary>Features of a history, rejecting one with fewer than <see cref="MinimumDaylightDays"/> days of daylight AC data.</summary>
    internal static ChainFeatureSet LoadFeatures(Site site, History history, bool poaInput = false, int minimumDays = MinimumDaylightDays)
    {
        var features = ChainFeatureSpecification.Build(site, history, 0, poaInput);
        var days = ChainFeatureSpecification.DaylightDays(features, site.LongitudeDeg);
        if (days < minimumDays)
        {
            throw new InputException($"{history.Source}: {days} day(s) of daylight data with ac_power_w and weather; at least {minimumDays} are needed (--zero-shot makes a site model without training)");
        }
        return features;
    }
}
