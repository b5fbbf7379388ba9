using PvEdge.ModelExport.Simulation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport pretrain --data D --out M</c>: trains the foundation chain over a simulated fleet.</summary>
public sealed class PretrainCommand : ICliCommand
{
    public string Name => "pretrain";

    public string Usage => "pretrain --data D --out M [--epochs 6] [--days 365] [--threads 2] [--seed 1]  trains the foundation chain (per kWp) over a fleet";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var data = args.Required("data");
        var output = args.Required("out");
        var epochs = args.Int("epochs", 6, 1, 10_000);
        var days = args.Int("days", 365, 1, 100_000);
        var threads = args.Int("threads", TrainingOptions.DefaultThreads, 1, 64);
        var seed = args.Int("seed", 1, 0);
        args.RejectUnknown();
        var manifest = FleetGenerator.ReadManifest(data);
        var (x, y) = Load(data, manifest, days, context);
        var config = ChainConfig.Default;
        var model = new ChainModel(new ChainNets(config, new SeededRandom((ulong)seed)), new SiteParameters(manifest.Sites.Count, config.LatentSize));
        var rows = ChainTraining.TrainableRows(x, y);
        var optimizer = new GroupedAdam((model.Nets.Parameters, 3e-3f), (model.Sites.Parameters, 2e-2f));
        TrainingSummary summary;
        using (var bar = new ProgressBar(context.Error, "pretrain"))
        {
            summary = ChainTraining.Train(model, x, y, rows, optimizer, new TrainingOptions(epochs, 512, 3e-3f, threads, (ulong)seed), bar, cancellationToken);
        }
        var polished = ChainTraining.PolishInverter(model, x, y, rows, threads);
        ChainBundle.Save(output, model, "foundation", context.Time.GetUtcNow(), summary,
            $"pretrained on {manifest.Sites.Count} simulated sites ({data}), {days} days each");
        context.Out.WriteLine($"pretrained on {summary.Rows} daylight rows of {manifest.Sites.Count} sites: loss {summary.FirstEpochLoss:G3} → {summary.FinalLoss:G3} " +
            $"in {summary.Seconds:F0} s ({summary.SamplesPerSecond:N0} samples/s, {threads} threads), inverter polished to {polished:G3}; wrote {output}/{ChainBundle.InfoFile} and {ChainBundle.WeightsFileName}");
        return Task.FromResult(0);
    }

    /// <summary>Features and labels of every fleet site (site index = position in the manifest), first <paramref name="days"/> days.</summary>
    internal static (Tensor X, Tensor Y) Load(string data, FleetManifest manifest, int days, CliContext context)
    {
        var parts = new ChainFeatureSet[manifest.Sites.Count];
        using (var bar = new ProgressBar(context.Error, "features"))
        {
            var done = 0;
            Parallel.For(0, manifest.Sites.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, k =>
            {
                var fs = manifest.Sites[k];
                var site = SiteLoader.Load(Path.Combine(data, fs.SiteFile));
                var history = History.Read(Path.Combine(data, fs.HistoryFile));
                parts[k] = ChainFeatureSpecification.Build(site, history, k);
                bar.Report(Interlocked.Increment(ref done) / (double)manifest.Sites.Count);
            });
        }
        var keep = parts.Select(p => Math.Min(p.Rows, days * 96)).ToArray();
        var total = keep.Sum();
        var x = new Tensor(total, ChainColumns.Count, "features");
        var y = new Tensor(total, ChainColumns.LabelCount, "labels");
        var o = 0;
        for (var k = 0; k < parts.Length; k++)
        {
            parts[k].X.Data.AsSpan(0, keep[k] * ChainColumns.Count).CopyTo(x.Data.AsSpan(o * ChainColumns.Count));
            parts[k].Y.Data.AsSpan(0, keep[k] * ChainColumns.LabelCount).CopyTo(y.Data.AsSpan(o * ChainColumns.LabelCount));
            o += keep[k];
        }
        return (x, y);
    }
}
