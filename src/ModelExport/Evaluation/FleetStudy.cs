using PvEdge.ModelExport.Simulation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>One site's result in the study; <paramref name="Category"/> is <see cref="ShadingScene.Category"/>.</summary>
public sealed record SiteStudyResult(int Id, bool Shaded, string Category, double NoiseFloorRmseW, double PvWattsRmseW, double FineTunedRmseW, double DcCapacityW,
    double ShadingMae, IReadOnlyDictionary<int, double> PretrainedRmseByDays, IReadOnlyDictionary<int, double> ScratchRmseByDays)
{
    /// <summary>Fine-tuned and noise-floor RMSE over the first <see cref="FleetStudy.EarlyTestDays"/> days of the test window
    /// (sun path and foliage still close to the training window's) and over the rest.</summary>
    public (double FineTunedW, double NoiseFloorW) Early { get; init; } = (double.NaN, double.NaN);

    public (double FineTunedW, double NoiseFloorW) Late { get; init; } = (double.NaN, double.NaN);
}

/// <summary>Held-out evaluation over a simulated fleet with weather known exactly: for each site, fine-tune on the
/// <c>d</c> days before a fixed test window and score on the window (same window for every d), against the noise floor
/// (true physics vs noisy telemetry) and PVWatts nameplate; optionally also train from scratch (sample efficiency).</summary>
public static class FleetStudy
{
    public const int TestStartDay = 90;
    public const int TestDays = 30;

    /// <summary>The test window's first days, reported apart from the rest.</summary>
    public const int EarlyTestDays = 10;

    public static SiteStudyResult RunSite(ChainModel foundation, string data, FleetSite fs, int headlineDays, IReadOnlyList<int> efficiencyDays,
        bool scratch, int epochs)
    {
        ArgumentNullException.ThrowIfNull(foundation);
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(efficiencyDays);
        var site = SiteLoader.Load(Path.Combine(data, fs.SiteFile));
        var history = History.Read(Path.Combine(data, fs.HistoryFile));
        var truth = History.Read(Path.Combine(data, fs.TruthFile), requireAc: true);
        var all = ChainFeatureSpecification.Build(site, history);
        var perDay = (int)Math.Round(TimeSpan.FromDays(1) / history.Step);
        if (all.Rows < (TestStartDay + TestDays) * perDay)
        {
            throw new Shared.Cli.InputException($"{fs.HistoryFile}: {all.Rows / perDay} days; the study needs {TestStartDay + TestDays}");
        }
        var testFrom = TestStartDay * perDay;
        var testTo = testFrom + TestDays * perDay;
        var test = Slice(all, testFrom, testTo);
        var measured = history.Column("ac_power_w")![testFrom..testTo];
        var trueAc = truth.Column("ac_power_w")![testFrom..testTo];
        var days = efficiencyDays.Append(headlineDays).Distinct().Order().ToArray();
        var pre = new Dictionary<int, double>();
        var scr = new Dictionary<int, double>();
        double fineRmse = double.NaN, pvRmse = double.NaN, floor = double.NaN, mae = double.NaN;
        (double, double) early = (double.NaN, double.NaN), late = early;
        foreach (var d in days)
        {
            var train = Slice(all, testFrom - d * perDay, testFrom);
            var (model, _) = SiteAdaptation.FineTune(foundation, train, new AdaptationOptions(epochs, true, 1, (ulong)fs.Id));
            var series = ChainEvaluation.Run(model, site, test, measured);
            pre[d] = series.Model.RmseW;
            if (d == headlineDays)
            {
                fineRmse = series.Model.RmseW;
                pvRmse = series.PvWatts.RmseW;
                floor = ErrorMetrics.Compute(trueAc, measured, series.Scored, all.DcCapacityW).RmseW;
                var cut = EarlyTestDays * perDay;
                (double, double) Part(Range r) => (ErrorMetrics.Compute(series.ModelW.AsSpan(r), measured.AsSpan(r), series.Scored.AsSpan(r), all.DcCapacityW).RmseW,
                    ErrorMetrics.Compute(trueAc.AsSpan(r), measured.AsSpan(r), series.Scored.AsSpan(r), all.DcCapacityW).RmseW);
                early = Part(..cut);
                late = Part(cut..);
                mae = EvaluationReport.ComputeShadingMae(ChainEvaluation.Run(model, site, train, history.Column("ac_power_w")![(testFrom - d * perDay)..testFrom]),
                    fs.Scene, site.LatitudeDeg);
            }
            if (scratch && efficiencyDays.Contains(d))
            {
                var (sm, _) = SiteAdaptation.FromScratch(train, foundation.Nets.Config, new AdaptationOptions(epochs, true, 1, (ulong)fs.Id));
                scr[d] = ChainEvaluation.Run(sm, site, test, measured).Model.RmseW;
            }
        }
        return new SiteStudyResult(fs.Id, fs.Shaded, fs.Scene.Category(fs.Shaded), floor, pvRmse, fineRmse, all.DcCapacityW, mae, pre, scr) { Early = early, Late = late };
    }

    /// <summary>Rows [from, to) of a feature set.</summary>
    public static ChainFeatureSet Slice(ChainFeatureSet set, int from, int to)
    {
        ArgumentNullException.ThrowIfNull(set);
        var n = to - from;
        var x = new Tensor(n, set.X.Cols, set.X.Data[(from * set.X.Cols)..(to * set.X.Cols)]);
        var y = new Tensor(n, set.Y.Cols, set.Y.Data[(from * set.Y.Cols)..(to * set.Y.Cols)]);
        Shared.Weather.WeatherSeries? weather = null;
        if (set.Weather is { } w)
        {
            var rows = new Shared.Weather.WeatherSample[n];
            for (var i = 0; i < n; i++)
            {
                rows[i] = w[from + i];
            }
            weather = new Shared.Weather.WeatherSeries(w.Metadata, rows);
        }
        return new ChainFeatureSet(x, y, set.Times[from..to], set.SunAzimuthDeg[from..to], set.SunElevationDeg[from..to], set.AcRatingW, set.DcCapacityW)
        {
            Weather = weather,
        };
    }
}
