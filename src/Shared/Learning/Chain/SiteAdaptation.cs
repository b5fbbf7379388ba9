using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>How a site model is obtained from its history.</summary>
/// <param name="Epochs">passes over the site's daylight rows</param>
/// <param name="TuneNets">also adapt the shared networks (small learning rate) after the site parameters</param>
/// <param name="SampleBudget">rows × epochs at most: long histories get fewer epochs (at least 10)</param>
/// <param name="HuberDelta">0 = squared error; above 0 the robust Huber loss (<see cref="ChainModel.HuberDelta"/>)</param>
/// <param name="ShadingLearningRate">learning rate of the shared shading field in the second stage</param>
/// <param name="EdgeUnits">units added to each hidden layer of the shading field in the third stage (0 = no third stage)</param>
/// <param name="EdgeLearningRate">learning rate of the shading field in the third stage</param>
/// <param name="EdgeGradientLeak">the third stage's <see cref="ChainModel.ShadingGradientLeak"/></param>
/// <param name="TeacherWeight">weight of the third stage's anchor to the second stage's field above the sky the history saw and at
/// its own sun positions</param>
/// <param name="ScreenDays">leave out the mornings and afternoons the weather cannot explain (<see cref="DayScreen"/>: snow, outages)</param>
/// <param name="RecentDays">the rows of the history's last this many days count <see cref="RecentWeight"/> times in training (0 = all
/// rows alike); for a model that predicts the next day only (<see cref="NightlyRecentDays"/>)</param>
/// <param name="RecentWeight">how many times those rows count</param>
/// <param name="EdgeCheckHours">the third stage's length is chosen on the history's last this many hours: a stage of the usual
/// length and one <see cref="SiteAdaptation.LongerEdgeStage"/> times as long are fitted without them, and the one that predicts
/// them better is fitted again on all rows (0 = the usual length, no choice; the check fits two more third stages). For
/// a model that predicts the next day only (<see cref="NightlyEdgeCheckHours"/>): on a model kept for weeks it was mixed</param>
/// <param name="LocalCorrection">after the third stage, read a <see cref="ShadingCorrection"/> of the shading field from the
/// history's residuals near its own sun positions (null: none); for a model that predicts the next day only, whose sun path
/// lies within a few tenths of a degree of the last days' (<see cref="NightlyCorrection"/>). Not for a bundle: the ONNX graph
/// does not carry it</param>
/// <param name="Ceiling">last, bound the shading factor below the sky the history saw by its value at the band's lower edge
/// (<see cref="ShadingCeiling"/>: obstacles stand on the ground); for the nightly re-tuning (<see cref="NightlyCeiling"/>). Not
/// for a bundle: the ONNX graph does not carry it</param>
public sealed record AdaptationOptions(int Epochs = 120, bool TuneNets = true, int Threads = 1, ulong Seed = 1, int BatchSize = 128, int SampleBudget = 120_000,
    float HuberDelta = 0, float ShadingLearningRate = 5e-3f, int EdgeUnits = 16, float EdgeLearningRate = 5e-3f, float EdgeGradientLeak = 0.01f, float TeacherWeight = 1e-3f,
    bool ScreenDays = true, int RecentDays = 0, int RecentWeight = 3, int EdgeCheckHours = 0, CorrectionOptions? LocalCorrection = null,
    bool Ceiling = false)
{
    /// <summary><see cref="Ceiling"/> of the nightly re-tuning.</summary>
    public const bool NightlyCeiling = true;

    /// <summary><see cref="RecentDays"/> of the gateway's nightly re-tuning, whose model predicts the next day only: what the sky does
    /// now (leaves falling, the sun lowering into an obstacle) weighs more than the window's average.</summary>
    public const int NightlyRecentDays = 3;

    /// <summary><see cref="EdgeCheckHours"/> of the nightly re-tuning: the window's last day's daylight judges the length of the
    /// third stage that predicts the next.</summary>
    public const int NightlyEdgeCheckHours = 16;

    /// <summary><see cref="LocalCorrection"/> of the nightly re-tuning.</summary>
    public static CorrectionOptions NightlyCorrection { get; } = new();

    /// <summary>Epochs for a history of <paramref name="rows"/> rows under the sample budget.</summary>
    public int EpochsFor(int rows, int budget) => Math.Clamp(budget / Math.Max(1, rows), Math.Min(10, Epochs), Epochs);
}

/// <summary>Per-site fine-tuning of a foundation chain, and training from scratch for comparison.</summary>
public static class SiteAdaptation
{
    /// <summary>Width of the third stage's new edges (degrees over which a unit goes from −0.76 to +0.76).</summary>
    public const double EdgeWidthDeg = 1.5;

    /// <summary>Sun positions at which the third stage is anchored, and how far above the seen sky they reach (degrees).</summary>
    public const int TeacherPoints = 256;

    public const double TeacherSpanDeg = 20;

    /// <summary>The longer third stage that <see cref="AdaptationOptions.EdgeCheckHours"/> weighs against the usual one, as a
    /// multiple of its epochs, and the labelled rows the check needs at least.</summary>
    public const double LongerEdgeStage = 1.5;

    public const int EdgeCheckMinRows = 8;

    /// <summary>The weather is judged too uncertain for the full schedule when, after the first two stages, the median over the
    /// days of each day's AC residual (RMS) exceeds this fraction of the rating (a GHI with a satellite's 15 % hourly error: the
    /// window's RMS 0.022–0.081, the daily median 0.9 of it on the sites checked; exact weather: the window's RMS 0.0135 or less
    /// on 95 of 100 held-out sites). The median, not the window's RMS: shade that a lowering sun meets for the first time on the
    /// window's last days (autumn) gives a window's RMS up to 0.09 with the days before it clean, and was taken for weather error
    /// ...</summary>
    public const double NoisyWeatherResidual = 0.015;

    /// <summary>... and the residuals correlate with those one day earlier at the same time by less than this (unlearnt shade comes
    /// back every day: 0.77–0.96 on the exact-weather sites above the threshold; a satellite's error does not: median 0.02; shade
    /// still arriving, as a sun path lowers into an obstacle, lies between: 0.39–0.50 seen in autumn, where 0.5 misfired).</summary>
    public const double NoisyWeatherRepeat = 0.25;

    /// <summary>Epochs of the first two stages when the weather is judged too uncertain (with a 15 % hourly GHI error, 30 epochs
    /// gave a test nRMSE 6.2 % under PVWatts on the shaded held-out sites; the full 120, 1.7 % over it).</summary>
    public const int NoisyWeatherEpochs = 30;

    /// <summary>Fine-tunes a copy of the foundation's networks with a new site row initialised at the fleet mean: first the
    /// site parameters (shading code, sky-view factor, gain, thermal scale), then optionally the shading field and module
    /// networks at a small learning rate, then (<see cref="AdaptationOptions.EdgeUnits"/> &gt; 0, not for a POA-input model) a third
    /// stage that widens the shading field by sharp edge units placed where the residuals are largest. The smooth pretrained field
    /// cannot draw a chimney 4° wide that the sun crosses once a day, and its sigmoid is saturated there (s = 1.0000): the new
    /// units and a gradient leak through the sigmoid fit such obstacles, and a weak anchor to the second stage's field above the
    /// seen sky (the pretrained family's extrapolation) keeps the new edges from carrying the fit far into sky the history never
    /// saw while letting them run on a few degrees (with no anchor the held-out ratio to the noise floor was 1.83–2.28 over three
    /// seeds, weight 0.03 gave 1.69–1.73, 1e-3 1.60–1.65). Half of the anchor's points lie at the history's own sun positions:
    /// where the beam was weak there (an overcast window) the data cannot pin the new edges either, and with the last days weighted
    /// (<see cref="AdaptationOptions.RecentDays"/>) they drew shade across the first clear day's afternoon after two overcast
    /// weeks (an unshaded site in autumn: 547 W RMSE that day against a noise floor of 42 W; 85 W with the anchor there). With
    /// <see cref="AdaptationOptions.ScreenDays"/>, the first two stages' fit judges each morning and afternoon (<see cref="DayScreen"/>);
    /// when some are left out (snow, outages), the two stages run again without them. With <see cref="AdaptationOptions.EdgeCheckHours"/>
    /// the history's last hours choose the third stage's length. The foundation is not modified.</summary>
    public static (ChainModel Model, TrainingSummary Summary) FineTune(ChainModel foundation, ChainFeatureSet data, AdaptationOptions options,
        IProgress<double>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(foundation);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var rows = ChainTraining.TrainableRows(data.X, data.Y);
        var train = Weighted(rows, data, options);
        var epochs = options.EpochsFor(train.Length, options.SampleBudget);
        var edges = options.TuneNets && options.EdgeUnits > 0 && !data.PoaInput;
        // stage 1, the site parameters from the fleet mean; stage 2, the shading field and module nets as well
        (ChainModel, TrainingSummary) SmoothStages(IProgress<double>? report)
        {
            var m = foundation.AtFleetMean();
            m.HuberDelta = options.HuberDelta;
            var epochs1 = options.TuneNets ? epochs * 2 / 3 : epochs;
            var s1 = ChainTraining.Train(m, data.X, data.Y, train, new GroupedAdam((m.Sites.Parameters, 0.03f)),
                new TrainingOptions(epochs1, options.BatchSize, 0.03f, options.Threads, options.Seed), Scaled(report, 0, options.TuneNets ? 0.5 : 1), cancellationToken);
            if (!options.TuneNets)
            {
                return (m, s1);
            }
            var stage2 = new GroupedAdam((m.Sites.Parameters, 0.01f), (m.Nets.Shading.Parameters, options.ShadingLearningRate), (m.Nets.Module.Parameters, 3e-4f));
            var s2 = ChainTraining.Train(m, data.X, data.Y, train, stage2,
                new TrainingOptions(epochs - epochs1, options.BatchSize, 1e-3f, options.Threads, options.Seed + 1), Scaled(report, 0.5, 1), cancellationToken);
            return (m, s2 with { Epochs = epochs, Steps = s1.Steps + s2.Steps, FirstEpochLoss = s1.FirstEpochLoss, Seconds = s1.Seconds + s2.Seconds });
        }
        var (model, total) = SmoothStages(Scaled(progress, 0, edges ? 0.75 : 1));
        if (options.ScreenDays)
        {
            // the fit judges the half-days (the shade that recurs every day already learnt); when some are left out, the
            // smooth stages run again without them
            var (kept, dropped) = DayScreen.Screen(model, data, rows);
            if (dropped.Length > 0)
            {
                rows = kept;
                train = Weighted(rows, data, options);
                (model, total) = SmoothStages(null);
                total = total with { ScreenedHalfDays = dropped };
            }
        }
        if (options.TuneNets && !data.PoaInput)
        {
            // residuals that are large and do not come back the next day at the same hour are the weather's error, not shade:
            // fit lightly, and leave the edge stage (which chases the largest residuals) out
            var residuals = AcResiduals(model, data);
            var (residual, repeat) = (MedianDailyRms(residuals, data, rows), DayToDayCorrelation(residuals, data, rows));
            if (residual > NoisyWeatherResidual && repeat < NoisyWeatherRepeat)
            {
                epochs = Math.Min(epochs, NoisyWeatherEpochs);
                edges = false;
                var screened = total.ScreenedHalfDays;
                (model, total) = SmoothStages(null);
                total = total with { ScreenedHalfDays = screened, NoisyWeather = new NoisyWeatherFinding(residual, repeat) };
            }
        }
        if (!edges)
        {
            return (model, total with { Rows = rows.Length });
        }
        var epochs3 = Math.Max(10, epochs / 2);
        if (options.EdgeCheckHours > 0)
        {
            epochs3 = EdgeEpochsChecked(model, data, rows, epochs3, options, cancellationToken);
        }
        var (edged, s3) = EdgeStage(model, data, rows, train, epochs3, options, Scaled(progress, 0.75, 1), cancellationToken);
        if (options.LocalCorrection is { } correction)
        {
            // what the field still misses where the history's sun was: shade the sun reached in the window's last days
            edged.Correction = ShadingCorrection.Fit(edged, data, rows, correction);
        }
        if (options.Ceiling)
        {
            // shade the lowering sun already passed through, carried down into the sky just below it
            edged.Ceiling = ShadingCeiling.Fit(edged, data, rows);
        }
        return (edged, total with { Rows = rows.Length, Epochs = epochs + epochs3, Steps = total.Steps + s3.Steps, FinalLoss = s3.FinalLoss, Seconds = total.Seconds + s3.Seconds });
    }

    // the third stage on a copy of the smooth model: the shading field widened by edge units placed at the largest residuals of
    // the rows trained on, a gradient leak through its sigmoid, and the anchor to the smooth field over the rows' sky
    private static (ChainModel, TrainingSummary) EdgeStage(ChainModel smooth, ChainFeatureSet data, int[] rows, int[] train, int epochs,
        AdaptationOptions options, IProgress<double>? progress, CancellationToken cancellationToken)
    {
        var rng = new SeededRandom(options.Seed + 7);
        var teacher = options.TeacherWeight > 0 ? FieldTeacher(smooth, data, rows, options.TeacherWeight, rng) : null;
        var wide = smooth.Nets.WithWiderShading(options.EdgeUnits, EdgeInitializer(data, ResidualAnchors(smooth, data, train, options.EdgeUnits, rng), rng), rng);
        var model = new ChainModel(wide, smooth.Sites.Mean()) { HuberDelta = options.HuberDelta, ShadingGradientLeak = options.EdgeGradientLeak, ShadingTeacher = teacher };
        var stage3 = new GroupedAdam((model.Sites.Parameters, 3e-3f), (model.Nets.Shading.Parameters, options.EdgeLearningRate));
        var summary = ChainTraining.Train(model, data.X, data.Y, train, stage3,
            new TrainingOptions(epochs, options.BatchSize, 1e-3f, options.Threads, options.Seed + 2), progress, cancellationToken);
        model.ShadingGradientLeak = 0;
        model.ShadingTeacher = null;
        return (model, summary);
    }

    // the third stage's epochs: the given ones or LongerEdgeStage times as many, whichever predicts the history's last
    // EdgeCheckHours better when both are fitted without them (the given ones when too few of those rows are labelled)
    private static int EdgeEpochsChecked(ChainModel smooth, ChainFeatureSet data, int[] rows, int epochs, AdaptationOptions options,
        CancellationToken cancellationToken)
    {
        var cut = data.Times[rows[^1]] - TimeSpan.FromHours(options.EdgeCheckHours);
        var fit = rows.Where(r => data.Times[r] < cut).ToArray();
        var check = rows.Where(r => data.Times[r] >= cut && !float.IsNaN(data.Y[r, ChainColumns.LabelAc])).ToArray();
        if (fit.Length == 0 || check.Length < EdgeCheckMinRows)
        {
            return epochs;
        }
        var fitTrain = Weighted(fit, data, options);
        double CheckError(int candidate)
        {
            var (model, _) = EdgeStage(smooth, data, fit, fitTrain, candidate, options, null, cancellationToken);
            var residual = AcResiduals(model, data);
            return check.Average(r => (double)residual[r] * residual[r]);
        }
        var longer = (int)(epochs * LongerEdgeStage);
        return CheckError(longer) < CheckError(epochs) ? longer : epochs;
    }

    // the rows to train on: each of the last RecentDays days' rows RecentWeight times (ascending rows: those at the end)
    private static int[] Weighted(int[] rows, ChainFeatureSet data, AdaptationOptions options)
    {
        if (options.RecentDays <= 0 || options.RecentWeight <= 1 || rows.Length == 0)
        {
            return rows;
        }
        var after = data.Times[rows[^1]] - TimeSpan.FromDays(options.RecentDays);
        var recent = rows.Where(r => data.Times[r] > after).ToArray();
        return [.. rows, .. Enumerable.Repeat(recent, options.RecentWeight - 1).SelectMany(r => r)];
    }

    // first-layer weights of the new units: sharp edges through the anchors' sun positions (± half an edge width), even units
    // along a line of constant azimuth, odd units along a line of constant elevation, either sign; no weight on the site code
    private static Action<int, Span<float>> EdgeInitializer(ChainFeatureSet data, int[] anchors, SeededRandom rng) => (j, column) =>
    {
        var r = anchors[j];
        var sign = rng.NextDouble() < 0.5 ? -1f : 1f;
        if (j % 2 == 0)
        {
            // k·sin(A − a) crosses zero at the anchor's azimuth a with slope k per radian
            var k = 1 / Math.Sin(EdgeWidthDeg * Math.PI / 180);
            var a = (data.SunAzimuthDeg[r] + rng.Uniform(-EdgeWidthDeg, EdgeWidthDeg)) * Math.PI / 180;
            column[ChainColumns.SinAzimuth] = sign * (float)(k * Math.Cos(a));
            column[ChainColumns.CosAzimuth] = -sign * (float)(k * Math.Sin(a));
        }
        else
        {
            var e = data.SunElevationDeg[r] + rng.Uniform(-EdgeWidthDeg, EdgeWidthDeg);
            var k = 90 / EdgeWidthDeg;
            column[ChainColumns.Elevation] = sign * (float)k;
            column[^1] = -sign * (float)(k * e / 90);
        }
    };

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

    // the model's AC minus the label on every row, in fractions of the AC rating; NaN where AC is not labelled
    private static float[] AcResiduals(ChainModel model, ChainFeatureSet data)
    {
        var residual = new float[data.Rows];
        model.Predict(data.X, residual, [], [], []);
        for (var r = 0; r < data.Rows; r++)
        {
            residual[r] -= data.Y[r, ChainColumns.LabelAc];
        }
        return residual;
    }

    // the median over the days (DayScreen's days) of the root-mean-square of each day's labelled residuals
    private static double MedianDailyRms(float[] residual, ChainFeatureSet data, int[] rows)
    {
        var day = DayScreen.DayNumbers(data);
        var daily = rows.Where(r => !float.IsNaN(residual[r])).GroupBy(r => day[r])
            .Select(g => Math.Sqrt(g.Average(r => (double)residual[r] * residual[r]))).Order().ToArray();
        return daily.Length == 0 ? 0 : daily[daily.Length / 2];
    }

    // correlation of each row's residual with the residual one day earlier at the same time of day (NaN under 10 such pairs)
    private static double DayToDayCorrelation(float[] residual, ChainFeatureSet data, int[] rows)
    {
        var byTime = rows.Where(r => !float.IsNaN(residual[r])).ToDictionary(r => data.Times[r]);
        var pairs = byTime.Where(kv => byTime.ContainsKey(kv.Key.AddDays(-1)))
            .Select(kv => (A: (double)residual[kv.Value], B: (double)residual[byTime[kv.Key.AddDays(-1)]])).ToArray();
        if (pairs.Length < 10)
        {
            return double.NaN;
        }
        double ma = pairs.Average(p => p.A), mb = pairs.Average(p => p.B);
        var cov = pairs.Average(p => (p.A - ma) * (p.B - mb));
        var va = pairs.Average(p => (p.A - ma) * (p.A - ma));
        var vb = pairs.Average(p => (p.B - mb) * (p.B - mb));
        return cov / Math.Sqrt(va * vb);
    }

    // rows drawn with probability proportional to their squared AC residual under the model
    private static int[] ResidualAnchors(ChainModel model, ChainFeatureSet data, int[] rows, int count, SeededRandom rng)
    {
        var residual = AcResiduals(model, data);
        var weights = rows.Select(r => float.IsNaN(residual[r]) ? 0 : (double)residual[r] * residual[r]).ToArray();
        var total = weights.Sum();
        var anchors = new int[count];
        for (var j = 0; j < count; j++)
        {
            var u = rng.NextDouble() * total;
            var i = 0;
            while (i < rows.Length - 1 && (u -= weights[i]) > 0)
            {
                i++;
            }
            anchors[j] = rows[i];
        }
        return anchors;
    }

    // the field's values at the sun positions of half the points' rows, and for the other half above the sky the rows' sun paths
    // swept (at a row's azimuth, 1° to 1° + TeacherSpanDeg above the highest elevation seen within ±1° of it)
    private static ShadingTeacher FieldTeacher(ChainModel model, ChainFeatureSet data, int[] rows, float weight, SeededRandom rng)
    {
        var top = new double[360];
        Array.Fill(top, double.NegativeInfinity);
        foreach (var r in rows)
        {
            var a = AzimuthBin(data.SunAzimuthDeg[r]);
            top[a] = Math.Max(top[a], data.SunElevationDeg[r]);
        }
        var inputs = new Tensor(TeacherPoints, 3, "teacher_sun");
        var targets = new Tensor(TeacherPoints, 1, "teacher_s");
        for (var k = 0; k < TeacherPoints; k++)
        {
            var r = rows[rng.NextInt(rows.Length)];
            var azimuthDeg = data.SunAzimuthDeg[r];
            var a = AzimuthBin(azimuthDeg);
            var seen = Math.Max(top[a], Math.Max(top[(a + 359) % 360], top[(a + 1) % 360]));
            // odd points at the row's own sun position, even ones in the unseen sky above it
            var elevationDeg = k % 2 == 1 ? data.SunElevationDeg[r] : Math.Min(89, seen + 1 + (rng.NextDouble() * TeacherSpanDeg));
            inputs[k, 0] = (float)Math.Sin(azimuthDeg * Math.PI / 180);
            inputs[k, 1] = (float)Math.Cos(azimuthDeg * Math.PI / 180);
            inputs[k, 2] = (float)(elevationDeg / 90);
            targets[k, 0] = model.ShadingAt(0, azimuthDeg, elevationDeg);
        }
        return new ShadingTeacher(inputs, targets, weight);
    }

    private static int AzimuthBin(double azimuthDeg) => (((int)Math.Round(azimuthDeg) % 360) + 360) % 360;

    private static Progress? Scaled(IProgress<double>? inner, double from, double to) => inner is null ? null : new Progress(inner, from, to);

    private sealed class Progress(IProgress<double> inner, double from, double to) : IProgress<double>
    {
        public void Report(double value) => inner.Report(from + (to - from) * value);
    }
}
