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

    /// <summary>The same over test rows whose sun position lies in the band of sky the training window's sun paths swept (±1° of
    /// elevation at the same azimuth) and
    /// over the rows it did not (the sun path moves by up to ~0.4° of declination a day around the equinoxes).</summary>
    public RmsePair SeenSky { get; init; } = RmsePair.None;

    public RmsePair UnseenSky { get; init; } = RmsePair.None;

    /// <summary>Fraction of the scored test rows whose sun position the training window did not see.</summary>
    public double UnseenFraction { get; init; } = double.NaN;

    /// <summary>Fine-tuned and noise-floor RMSE when the site model is fine-tuned again every few days on the same number of
    /// days before each part of the test window (as a gateway re-tuning on its latest history would), instead of once before it.</summary>
    public RmsePair Rolling { get; init; } = RmsePair.None;

    /// <summary>RMSE of the <see cref="InformationBound"/> oracle on the test window (W): no model fine-tuned on the same history
    /// can be expected to do better. NaN when not computed.</summary>
    public double BoundRmseW { get; init; } = double.NaN;

    /// <summary>With a weather error: RMSE of the same oracle driven by the weather the model sees (the satellite's GHI, split by
    /// Erbs) instead of the exact weather, i.e. the true system's own physics on that weather. A reference for what the weather
    /// alone costs, not a bound (a model could shrink towards the typical day). NaN when not computed.</summary>
    public double WeatherReferenceRmseW { get; init; } = double.NaN;

    /// <summary>RMSE of the same oracle when only training positions where an obstacle moves AC by at least one noise σ reveal
    /// its top (<see cref="InformationBound.PosteriorMeanAcW"/>): an estimate of what the history can tell, not a strict bound.</summary>
    public double InformedRmseW { get; init; } = double.NaN;

    /// <summary>The <see cref="InformationBound"/> oracle's RMSE under the <see cref="Rolling"/> scheme (each part of the test
    /// window from the days before it); NaN when not computed.</summary>
    public double RollingBoundRmseW { get; init; } = double.NaN;

    /// <summary>Mornings and afternoons of the headline history that fine-tuning left out (<see cref="DayScreen"/>).</summary>
    public int ScreenedHalfDays { get; init; }

    /// <summary>The headline fine-tuning judged the weather too uncertain for the full schedule (<see cref="TrainingSummary.NoisyWeather"/>).</summary>
    public bool NoisyWeather { get; init; }
}

/// <summary>How <see cref="FleetStudy.RunSite"/> fine-tunes and scores one site.</summary>
/// <param name="HeadlineDays">days of history before the test window for the headline figures</param>
/// <param name="EfficiencyDays">further history lengths for the sample-efficiency table</param>
/// <param name="Scratch">also train from scratch on each efficiency length</param>
/// <param name="TestStartDay">first day of the 30-day test window, counted from the fleet's first day</param>
/// <param name="BoundSamples">posterior draws of the <see cref="InformationBound"/> oracle (0: not computed)</param>
/// <param name="WeatherErrorSigma">above 0, the model and PVWatts see the weather as from a satellite
/// (<see cref="SatelliteWeather.Degrade"/>: GHI with this hourly error, no DNI or DHI); the oracle keeps the exact weather</param>
/// <param name="RollingRecentDays">the <see cref="AdaptationOptions.RecentDays"/> of the rolling scheme's fine-tunings (the gateway's
/// nightly re-tuning: <see cref="AdaptationOptions.NightlyRecentDays"/>); the headline fine-tuning weighs all days alike</param>
/// <param name="RollingEdgeCheckHours">the <see cref="AdaptationOptions.EdgeCheckHours"/> of the rolling scheme's fine-tunings (the
/// gateway's: <see cref="AdaptationOptions.NightlyEdgeCheckHours"/>); the headline fine-tuning keeps the usual length</param>
/// <param name="RollingCorrection">the rolling scheme's fine-tunings read a <see cref="AdaptationOptions.LocalCorrection"/> (the
/// gateway's: <see cref="AdaptationOptions.NightlyCorrection"/>); the headline fine-tuning has none</param>
/// <param name="RollingCeiling">the rolling scheme's fine-tunings bound the field below the sky they saw (the gateway's:
/// <see cref="AdaptationOptions.NightlyCeiling"/>); the headline fine-tuning takes <see cref="AdaptationOptions.Ceiling"/> from
/// <paramref name="Adaptation"/></param>
public sealed record StudyOptions(int HeadlineDays, IReadOnlyList<int> EfficiencyDays, bool Scratch, int Epochs, bool TuneNets = true,
    AdaptationOptions? Adaptation = null, string? DumpFolder = null, int RollingDays = 0, int TestStartDay = FleetStudy.DefaultTestStartDay, int BoundSamples = 0,
    double WeatherErrorSigma = 0, int RollingRecentDays = AdaptationOptions.NightlyRecentDays, int RollingEdgeCheckHours = AdaptationOptions.NightlyEdgeCheckHours,
    bool RollingCorrection = true, bool RollingCeiling = AdaptationOptions.NightlyCeiling);

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
    /// <summary>Day 90 (1 April on a fleet starting 1 January): the history and test windows span the spring equinox, when the
    /// sun's path climbs fastest and the test sees most sky the history did not.</summary>
    public const int DefaultTestStartDay = 90;
    public const int TestDays = 30;

    /// <summary>The test window's first days, reported apart from the rest.</summary>
    public const int EarlyTestDays = 10;

    public static SiteStudyResult RunSite(ChainModel foundation, string data, FleetSite fs, StudyOptions study)
    {
        ArgumentNullException.ThrowIfNull(foundation);
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentNullException.ThrowIfNull(study);
        var (headlineDays, efficiencyDays, scratch, epochs, tuneNets, adaptation, dumpFolder, rollingDays, testStartDay, boundSamples, weatherError, recentDays, edgeCheckHours, correction, ceiling) = study;
        var site = SiteLoader.Load(Path.Combine(data, fs.SiteFile));
        var exactHistory = History.Read(Path.Combine(data, fs.HistoryFile));
        var history = weatherError > 0 ? SatelliteWeather.Degrade(exactHistory, weatherError, (ulong)fs.Id) : exactHistory;
        var truth = History.Read(Path.Combine(data, fs.TruthFile), requireAc: true);
        var all = ChainFeatureSpecification.Build(site, history);
        // the oracle's weather over rows [from, to): always the exact weather (built again only for the oracle)
        var exact = weatherError > 0 && boundSamples > 0 ? ChainFeatureSpecification.Build(site, exactHistory) : all;
        Shared.Weather.WeatherSeries WeatherOf(int from, int to) => Slice(exact, from, to).Weather
            ?? throw new Shared.Cli.InputException($"{fs.HistoryFile}: no weather columns; the information bound needs them");
        var perDay = (int)Math.Round(TimeSpan.FromDays(1) / history.Step);
        if (all.Rows < (testStartDay + TestDays) * perDay)
        {
            throw new Shared.Cli.InputException($"{fs.HistoryFile}: {all.Rows / perDay} days; the study needs {testStartDay + TestDays}");
        }
        var testFrom = testStartDay * perDay;
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
        var options = (adaptation ?? new AdaptationOptions()) with { Epochs = epochs, TuneNets = tuneNets, Threads = 1, Seed = (ulong)fs.Id + (adaptation?.Seed ?? 1) - 1 };
        // the nightly scheme's own options (the gateway's: the last days weigh more, the last day judges the edge stage's length)
        var rollingOptions = options with { RecentDays = recentDays, EdgeCheckHours = edgeCheckHours, LocalCorrection = correction ? AdaptationOptions.NightlyCorrection : null, Ceiling = ceiling };
        var rolling = RmsePair.None;
        var bound = double.NaN;
        var informed = double.NaN;
        var weatherReference = double.NaN;
        var rollingBound = double.NaN;
        var screened = 0;
        var noisyWeather = false;
        foreach (var d in days)
        {
            var trainFrom = testFrom - (d * perDay);
            var train = Slice(all, trainFrom, testFrom);
            var (model, tuning) = SiteAdaptation.FineTune(foundation, train, options);
            var series = ChainEvaluation.Run(model, site, test, measured);
            pre[d] = series.Model.RmseW;
            if (d == headlineDays)
            {
                fineRmse = series.Model.RmseW;
                screened = tuning.ScreenedHalfDays.Count;
                noisyWeather = tuning.NoisyWeather is not null;
                pvRmse = series.PvWatts.RmseW;
                double Rmse(double[] acW) => ErrorMetrics.Compute(acW, measured, series.Scored, all.DcCapacityW).RmseW;
                floor = Rmse(trueAc);
                var cut = EarlyTestDays * perDay;
                RmsePair Part(Range r, bool[] use) => new(ErrorMetrics.Compute(series.ModelW.AsSpan(r), measured.AsSpan(r), use.AsSpan(r), all.DcCapacityW).RmseW,
                    ErrorMetrics.Compute(trueAc.AsSpan(r), measured.AsSpan(r), use.AsSpan(r), all.DcCapacityW).RmseW);
                early = Part(..cut, series.Scored);
                late = Part(cut.., series.Scored);
                var sky = SeenBand(train);
                var isSeen = series.Scored.Select((u, i) => u && Seen(sky, test.SunAzimuthDeg[i], test.SunElevationDeg[i])).ToArray();
                var isUnseen = series.Scored.Select((u, i) => u && !isSeen[i]).ToArray();
                seen = Part(.., isSeen);
                if (rollingDays > 0)
                {
                    var stitched = new double[series.ModelW.Length];
                    var stitchedShading = new double[series.ModelW.Length];
                    var stitchedBound = new double[series.ModelW.Length];
                    for (var from = 0; from < stitched.Length; from += rollingDays * perDay)
                    {
                        var to = Math.Min(stitched.Length, from + (rollingDays * perDay));
                        var recentFrom = trainFrom + from;
                        var recent = Slice(all, recentFrom, testFrom + from);
                        var part = Slice(test, from, to);
                        var (m, _) = from == 0 && rollingOptions == options ? (model, default(TrainingSummary)) : SiteAdaptation.FineTune(foundation, recent, rollingOptions);
                        var run = ChainEvaluation.Run(m, site, part, measured[from..to]);
                        run.ModelW.CopyTo(stitched, from);
                        run.ShadingLearned.CopyTo(stitchedShading, from);
                        if (boundSamples > 0)
                        {
                            InformationBound.PosteriorMeanAcW(site, fs.Scene, fs.SoilingFraction, WeatherOf(recentFrom, testFrom + from), WeatherOf(testFrom + from, testFrom + to),
                                boundSamples, (ulong)fs.Id).CopyTo(stitchedBound, from);
                        }
                    }
                    rolling = new(Rmse(stitched), floor);
                    if (dumpFolder is not null)
                    {
                        DumpRolling(Path.Combine(dumpFolder, $"rolling_{fs.Id:D4}.csv"), fs.Scene, site.LatitudeDeg, test, measured, trueAc, stitched, stitchedShading, series.Scored);
                    }
                    rollingBound = boundSamples > 0 ? Rmse(stitchedBound) : double.NaN;
                }
                unseen = Part(.., isUnseen);
                if (boundSamples > 0)
                {
                    var (trainWeather, testWeather) = (WeatherOf(trainFrom, testFrom), WeatherOf(testFrom, testTo));
                    bound = Rmse(InformationBound.PosteriorMeanAcW(site, fs.Scene, fs.SoilingFraction, trainWeather, testWeather, boundSamples, (ulong)fs.Id));
                    informed = Rmse(InformationBound.PosteriorMeanAcW(site, fs.Scene, fs.SoilingFraction, trainWeather, testWeather, boundSamples, (ulong)fs.Id,
                        noiseSigmas: 1));
                    if (weatherError > 0)
                    {
                        weatherReference = Rmse(InformationBound.PosteriorMeanAcW(site, fs.Scene, fs.SoilingFraction, train.Weather!, test.Weather!, boundSamples, (ulong)fs.Id));
                    }
                }
                unseenFraction = isUnseen.Count(v => v) / (double)Math.Max(1, series.Scored.Count(v => v));
                var trainSeries = ChainEvaluation.Run(model, site, train, history.Column("ac_power_w")![trainFrom..testFrom]);
                mae = EvaluationReport.ComputeShadingMae(trainSeries, fs.Scene, site.LatitudeDeg);
                if (dumpFolder is not null)
                {
                    Dump(Path.Combine(dumpFolder, $"site_{fs.Id:D4}.csv"), fs.Scene, site.LatitudeDeg, trainSeries, truth.Column("ac_power_w")![trainFrom..testFrom], null, series, trueAc, isSeen);
                }
            }
            if (scratch && efficiencyDays.Contains(d))
            {
                var (sm, _) = SiteAdaptation.FromScratch(train, foundation.Nets.Config, new AdaptationOptions(epochs, true, 1, (ulong)fs.Id));
                scr[d] = ChainEvaluation.Run(sm, site, test, measured).Model.RmseW;
            }
        }
        return new SiteStudyResult(fs.Id, fs.Shaded, fs.Scene.Category(fs.Shaded), floor, pvRmse, fineRmse, all.DcCapacityW, mae, pre, scr) { Early = early, Late = late, SeenSky = seen, UnseenSky = unseen, UnseenFraction = unseenFraction, Rolling = rolling, BoundRmseW = bound, InformedRmseW = informed, WeatherReferenceRmseW = weatherReference, RollingBoundRmseW = rollingBound, ScreenedHalfDays = screened, NoisyWeather = noisyWeather };
    }

    // the rolling scheme's stitched predictions over the test window, row by row (W)
    private static void DumpRolling(string path, ShadingScene scene, double latitudeDeg, ChainFeatureSet test, double[] measuredW, double[] trueW, double[] modelW,
        double[] shadingLearned, bool[] scored)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        double ShadingTrue(int i) => scene.BeamFactor(test.SunAzimuthDeg[i], test.SunElevationDeg[i], ShadingScene.LeafOn(test.Times[i].DayOfYear, latitudeDeg));
        File.WriteAllLines(path, Enumerable.Range(0, modelW.Length).Select(i => string.Create(ci,
            $"{test.Times[i]:O},{test.SunAzimuthDeg[i]:F2},{test.SunElevationDeg[i]:F2},{test.X[i, ChainColumns.Beam]:F4},{ShadingTrue(i):F4},{shadingLearned[i]:F4},{measuredW[i]:F1},{trueW[i]:F1},{modelW[i]:F1},{(scored[i] ? 1 : 0)}"))
            .Prepend("time_utc,sun_azimuth_deg,sun_elevation_deg,beam_kwm2,s_true,s_learned,measured_ac_w,true_ac_w,model_ac_w,scored"));
    }

    private static void Dump(string path, ShadingScene scene, double latitudeDeg, EvaluationSeries train, double[] trainTrue, bool[]? trainSeen, EvaluationSeries test, double[] testTrue, bool[] testSeen)
    {
        var ci = System.Globalization.CultureInfo.InvariantCulture;
        using var w = new StreamWriter(path);
        w.WriteLine("part,row,az,el,beam,s_true,s_learned,measured_w,model_w,true_w,scored,seen");
        void Write(string part, EvaluationSeries e, double[] t, bool[]? seen)
        {
            var f = e.Features;
            for (var i = 0; i < f.Rows; i++)
            {
                if (!e.Scored[i])
                {
                    continue;
                }
                var leaf = ShadingScene.LeafOn(f.Times[i].DayOfYear, latitudeDeg);
                w.WriteLine(string.Create(ci, $"{part},{i},{f.SunAzimuthDeg[i]:F2},{f.SunElevationDeg[i]:F2},{f.X[i, ChainColumns.Beam]:F4},{scene.BeamFactor(f.SunAzimuthDeg[i], f.SunElevationDeg[i], leaf):F4},{e.ShadingLearned[i]:F4},{e.MeasuredW[i]:F1},{e.ModelW[i]:F1},{t[i]:F1},1,{(seen is null ? 1 : seen[i] ? 1 : 0)}"));
            }
        }
        Write("train", train, trainTrue, trainSeen);
        Write("test", test, testTrue, testSeen);
    }

    // the band of the sky the training rows' sun paths swept (per 1° of azimuth, segments only, as in the figures of earlier
    // notes), and whether a position lies within 1° of it
    private static SunPathBand SeenBand(ChainFeatureSet set) => SunPathBand.Sweep(set, set.IsDaylight, 1, rowBins: false);

    private static bool Seen(SunPathBand band, double azimuthDeg, double elevationDeg)
    {
        var (lo, hi) = band.At(azimuthDeg);
        return elevationDeg >= lo - 1 && elevationDeg <= hi + 1;
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
