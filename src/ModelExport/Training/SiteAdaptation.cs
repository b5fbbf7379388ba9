using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.ModelExport.Training;

/// <summary>How a site model is obtained from its history.</summary>
/// <param name="Epochs">passes over the site's daylight rows</param>
/// <param name="TuneNets">also adapt the shared networks (small learning rate) after the site parameters</param>
/// <param name="SampleBudget">rows × epochs at most: long histories get fewer epochs (at least 10)</param>
/// <param name="HuberDelta">0 = squared error; above 0 the robust Huber loss (<see cref="ChainModel.HuberDelta"/>)</param>
/// <param name="ShadingLearningRate">learning rate of the shared shading field in the second stage</param>
public sealed record AdaptationOptions(int Epochs = 120, bool TuneNets = true, int Threads = 1, ulong Seed = 1, int BatchSize = 128, int SampleBudget = 120_000,
    float HuberDelta = 0, float ShadingLearningRate = 5e-3f)
{
    /// <summary>Epochs for a history of <paramref name="rows"/> rows under the sample budget.</summary>
    public int EpochsFor(int rows, int budget) => Math.Clamp(budget / Math.Max(1, rows), Math.Min(10, Epochs), Epochs);
}

/// <summary>Per-site fine-tuning of a foundation chain, and training from scratch for comparison.</summary>
public static class SiteAdaptation
{
    /// <summary>Fine-tunes a copy of the foundation's networks with a new site row initialised at the fleet mean: first the
    /// site parameters (shading code, sky-view factor, gain, thermal scale), then optionally the shading field and module
    /// networks at a small learning rate. The foundation is not modified.</summary>
    public static (ChainModel Model, TrainingSummary Summary) FineTune(ChainModel foundation, ChainFeatureSet data, AdaptationOptions options,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(foundation);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var model = new ChainModel(foundation.Nets.Clone(), foundation.Sites.Mean()) { HuberDelta = options.HuberDelta };
        var rows = ChainTraining.TrainableRows(data.X, data.Y);
        var epochs = options.EpochsFor(rows.Length, options.SampleBudget);
        var stage1 = new GroupedAdam((model.Sites.Parameters, 0.03f));
        var epochs1 = options.TuneNets ? epochs * 2 / 3 : epochs;
        var s1 = ChainTraining.Train(model, data.X, data.Y, rows, stage1,
            new TrainingOptions(epochs1, options.BatchSize, 0.03f, options.Threads, options.Seed), Scaled(progress, 0, options.TuneNets ? 0.67 : 1), cancellationToken);
        if (!options.TuneNets)
        {
            return (model, s1);
        }
        var stage2 = new GroupedAdam((model.Sites.Parameters, 0.01f), (model.Nets.Shading.Parameters, options.ShadingLearningRate), (model.Nets.Module.Parameters, 3e-4f));
        var s2 = ChainTraining.Train(model, data.X, data.Y, rows, stage2,
            new TrainingOptions(epochs - epochs1, options.BatchSize, 1e-3f, options.Threads, options.Seed + 1), Scaled(progress, 0.67, 1), cancellationToken);
        return (model, s2 with { Epochs = epochs, Steps = s1.Steps + s2.Steps, FirstEpochLoss = s1.FirstEpochLoss, Seconds = s1.Seconds + s2.Seconds });
    }

    /// <summary>The same chain with fresh random networks trained on the site's history alone.</summary>
    public static (ChainModel Model, TrainingSummary Summary) FromScratch(ChainFeatureSet data, ChainConfig config, AdaptationOptions options,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var model = new ChainModel(new ChainNets(config, new SeededRandom(options.Seed)), new SiteParameters(1, config.LatentSize));
        var rows = ChainTraining.TrainableRows(data.X, data.Y);
        var opt = new GroupedAdam((model.Parameters, 3e-3f));
        var summary = ChainTraining.Train(model, data.X, data.Y, rows, opt,
            new TrainingOptions(options.EpochsFor(rows.Length, options.SampleBudget * 2) * 2, options.BatchSize, 3e-3f, options.Threads, options.Seed), null, cancellationToken);
        return (model, summary);
    }

    private static Progress? Scaled(IProgress<double>? inner, double from, double to) => inner is null ? null : new Progress(inner, from, to);

    private sealed class Progress(IProgress<double> inner, double from, double to) : IProgress<double>
    {
        public void Report(double value) => inner.Report(from + (to - from) * value);
    }
}
