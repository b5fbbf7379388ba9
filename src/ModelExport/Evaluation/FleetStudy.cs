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
    /// (foliage still as in the training window) and over the rest.</summary>
    public RmsePair Early { get; init; } = RmsePair.None;

    public RmsePair Late { get; init; } = RmsePair.None;

    /// <summary>The same over test rows whose sun position the training window saw (within 1° in azimuth and elevation) and
    /// over the rows it did not (the sun path moves by up to ~0.4° of declination a day around the equinoxes).</summary>
    public RmsePair SeenSky { get; init; } = RmsePair.None;

    public RmsePair UnseenSky { get; init; } = RmsePair.None;

    /// <summary>Fraction of the scored test rows whose sun position the training window did not see.</summary>
    public double UnseenFraction { get; init; } = double.NaN;
}

/// <summary>Fine-tuned and noise-floor RMSE over a part of the test window, W.</summary>
public sealed record RmsePair(double FineTunedW, double NoiseFloorW)
{
    public static RmsePair None { get; } = new(double.NaN, double.NaN);
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
        bool scratch, int epochs, bool tuneNets = true)
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
        RmsePair early = RmsePair.None, late = early, seen = early, unseen = early;
        var unseenFraction = double.NaN;
        foreach (var d in days)
        {
            var train = Slice(all, testFrom - d * perDay, testFrom);
            var (model, _) = SiteAdaptation.FineTune(foundation, train, new AdaptationOptions(epochs, tuneNets, 1, (ulong)fs.Id));
            var series = ChainEvaluation.Run(model, site, test, measured);
            pre[d] = series.Model.RmseW;
            if (d == headlineDays)
            {
                fineRmse = series.Model.RmseW;
                pvRmse = series.PvWatts.RmseW;
                floor = ErrorMetrics.Compute(trueAc, measured, series.Scored, all.DcCapacityW).RmseW;
                var cut = EarlyTestDays * perDay;
                RmsePair Part(Range r, bool[] use) => new(ErrorMetrics.Compute(series.ModelW.AsSpan(r), measured.AsSpan(r), use.AsSpan(r), all.DcCapacityW).RmseW,
                    ErrorMetrics.Compute(trueAc.AsSpan(r), measured.AsSpan(r), use.AsSpan(r), all.DcCapacityW).RmseW);
                early = Part(..cut, series.Scored);
                late = Part(cut.., series.Scored);
                var sky = SeenCells(train);
                var isSeen = series.Scored.Select((u, i) => u && Seen(sky, test.SunAzimuthDeg[i], test.SunElevationDeg[i])).ToArray();
                var isUnseen = series.Scored.Select((u, i) => u && !isSeen[i]).ToArray();
                seen = Part(.., isSeen);
                unseen = Part(.., isUnseen);
                unseenFraction = isUnseen.Count(v => v) / (double)Math.Max(1, series.Scored.Count(v => v));
                mae = EvaluationReport.ComputeShadingMae(ChainEvaluation.Run(model, site, train, history.Column("ac_power_w")![(testFrom - d * perDay)..testFrom]),
                    fs.Scene, site.LatitudeDeg);
            }
            if (scratch && efficiencyDays.Contains(d))
            {
                var (sm, _) = SiteAdaptation.FromScratch(train, foundation.Nets.Config, new AdaptationOptions(epochs, true, 1, (ulong)fs.Id));
                scr[d] = ChainEvaluation.Run(sm, site, test, measured).Model.RmseW;
            }
        }
        return new SiteStudyResult(fs.Id, fs.Shaded, fs.Scene.Category(fs.Shaded), floor, pvRmse, fineRmse, all.DcCapacityW, mae, pre, scr) { Early = early, Late = late, SeenSky = seen, UnseenSky = unseen, UnseenFraction = unseenFraction };
    }

    // 1°×1° cells (azimuth, elevation) of the sun positions of a feature set's daylight rows
    private static HashSet<(int, int)> SeenCells(ChainFeatureSet set)
    {
        var cells = new HashSet<(int, int)>();
        for (var i = 0; i < set.Rows; i++)
        {
            if (set.IsDaylight(i))
            {
                cells.Add(((int)Math.Floor(set.SunAzimuthDeg[i]), (int)Math.Floor(set.SunElevationDeg[i])));
            }
        }
        return cells;
    }

    private static bool Seen(HashSet<(int, int)> cells, double azimuthDeg, double elevationDeg)
    {
        int a = (int)Math.Floor(azimuthDeg), e = (int)Math.Floor(elevationDeg);
        for (var da = -1; da <= 1; da++)
        {
            for (var de = -1; de <= 1; de++)
            {
                if (cells.Contains((a + da, e + de)))
                {
                    return true;
                }
            }
        }
        return false;
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
