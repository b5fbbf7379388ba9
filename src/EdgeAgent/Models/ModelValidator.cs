using System.Globalization;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Models;

/// <summary>A daylight 15-minute interval of the history with measured AC power, and the weather the models are given for it: the
/// history's own weather columns when the site measures GHI, else the weather the agent held for the interval when it was recorded
/// (<see cref="RecordedWeather"/>), else the weather it holds now (forecast, else clear sky); <paramref name="WeatherKnown"/> is false
/// in the last case. <paramref name="SunElevationDeg"/> is the clear-sky model's at the interval.</summary>
public readonly record struct HistoryInterval(DateTimeOffset StartUtc, TimeSpan Step, WeatherPoint Weather, double MeasuredAcW, double SunElevationDeg, bool WeatherKnown);

/// <summary>Whether a bundle may be used, and why (one line), with the figures behind the decision.</summary>
public sealed record ModelVerdict(bool Accepted, string Reason, ModelComparison Comparison);

/// <summary>Checks a new bundle before it is used and while it is on probation, on the agent's own history:
/// <list type="bullet">
/// <item>its raw outputs (ONNX or formulas, before any clamping) over clear-sky days around now and over the history's weather must be
/// finite, not below −1 % and not above 102 % of the AC rating, and it must produce power under a clear sky;</item>
/// <item>on the daylight intervals of the last days with measured AC power, its mean absolute error must not exceed
/// <c>ratio × the reference model's + 2 % of the AC rating</c>. With fewer intervals than required the comparison is skipped and said so.</item>
/// </list></summary>
public sealed class ModelValidator
{
    /// <summary>Absolute allowance added to the error ratio, as a share of the AC rating (a good model on a calm day has a tiny MAE).</summary>
    public const double MarginOfRating = 0.02;

    /// <summary>Intervals with the sun lower than this are not compared (dawn and dusk are dominated by shading and timing).</summary>
    public const double MinSunElevationDeg = 10;

    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);
    private readonly AgentDatabase _database;
    private readonly WeatherState _weather;

    public ModelValidator(AgentDatabase database, WeatherState weather)
    {
        _database = database;
        _weather = weather;
    }

    /// <summary>Daylight 15-minute intervals in [from, to) with measured AC power and the sun at least <paramref name="minSunElevationDeg"/>
    /// high (default <see cref="MinSunElevationDeg"/>), oldest first.</summary>
    public List<HistoryInterval> Intervals(DateTimeOffset fromUtc, DateTimeOffset toUtc, double minSunElevationDeg = MinSunElevationDeg)
    {
        var list = new List<HistoryInterval>();
        foreach (var group in _database.ReadHistory(fromUtc, toUtc, Step).GroupBy(v => v.StartUtc))
        {
            var values = group.Where(v => v.Value is not null).ToDictionary(v => v.Quantity, v => v.Value!.Value, StringComparer.Ordinal);
            var sunElevationDeg = _weather.ClearSky.At(group.Key, Step).SunElevationDeg;
            if (!values.TryGetValue("ac_power_w", out var ac) || sunElevationDeg < minSunElevationDeg)
            {
                continue;
            }
            var weather = RecordedWeather.From(group.Key, values, prefix: "") ?? RecordedWeather.From(group.Key, values);
            list.Add(new HistoryInterval(group.Key, Step, weather ?? _weather.At(group.Key, Step), ac, sunElevationDeg, weather is not null));
        }
        return list;
    }

    /// <summary>Mean absolute errors of two models on the same intervals, both held at the lower of their AC limits.</summary>
    public static ModelComparison Compare(IPowerModel candidate, IPowerModel reference, IReadOnlyList<HistoryInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(intervals);
        if (intervals.Count == 0)
        {
            return new ModelComparison(0, null, null, 0, 0);
        }
        // an export limit the re-tuning found in the site's history holds whatever the model: both are compared at it, so a new
        // bundle (not yet re-tuned with it) is not refused or rolled back for the capped middays alone
        var limitW = Math.Min(candidate.AcLimitW, reference.AcLimitW);
        double c = 0, r = 0;
        foreach (var i in intervals)
        {
            c += Math.Abs(Math.Min(limitW, candidate.ExpectedAcW(i.Weather, i.Step)) - i.MeasuredAcW);
            r += Math.Abs(Math.Min(limitW, reference.ExpectedAcW(i.Weather, i.Step)) - i.MeasuredAcW);
        }
        return new ModelComparison(intervals.Count, c / intervals.Count, r / intervals.Count, 0, 0);
    }

    /// <summary>True when the candidate's error is clearly worse than the reference's: MAE > ratio × reference MAE + 2 % of the rating.</summary>
    public static bool ClearlyWorse(ModelComparison comparison, double ratio, double acRatingW)
    {
        ArgumentNullException.ThrowIfNull(comparison);
        return comparison.CandidateMaeW is { } c && comparison.ReferenceMaeW is { } r && c > (ratio * r) + (MarginOfRating * acRatingW);
    }

    /// <summary>Raw outputs of the candidate over clear-sky days from <paramref name="days"/> days before <paramref name="nowUtc"/> to a day after,
    /// and over the intervals' weather: how many are NaN, negative or above the rating, and a reason when the bundle must be refused.</summary>
    public (int Bad, int Checked, string? Reason) CheckOutputs(BundlePowerModel candidate, DateTimeOffset nowUtc, int days, IReadOnlyList<HistoryInterval> intervals)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(intervals);
        var start = new DateTimeOffset(nowUtc.UtcDateTime.Date, TimeSpan.Zero).AddDays(-days);
        var end = start.AddDays(days + 2);
        var samples = new List<WeatherSample>();
        for (var t = start; t < end; t += Step)
        {
            var cs = WeatherState.ClearSkyWeather(_weather.ClearSky, t, Step);
            samples.Add(new WeatherSample(t + (Step / 2), cs.GhiWm2, cs.DniWm2, cs.DhiWm2, cs.TempAirC, cs.WindSpeedMs));
        }
        var clearSkyRows = samples.Count;
        samples.AddRange(intervals.Select(i => new WeatherSample(i.StartUtc + (i.Step / 2), i.Weather.GhiWm2, i.Weather.DniWm2, i.Weather.DhiWm2, i.Weather.TempAirC, i.Weather.WindSpeedMs)));
        var (ac, daylight) = candidate.RawAcW(samples);
        var rating = candidate.AcRatingW;
        int nan = 0, negative = 0, above = 0;
        double clearSkyMax = 0;
        for (var k = 0; k < ac.Length; k++)
        {
            var v = ac[k];
            if (!float.IsFinite(v))
            {
                nan++;
                continue;
            }
            if (!daylight[k])
            {
                continue;
            }
            if (v < -0.01 * rating)
            {
                negative++;
            }
            else if (v > 1.02 * rating)
            {
                above++;
            }
            if (k < clearSkyRows)
            {
                clearSkyMax = Math.Max(clearSkyMax, v);
            }
        }
        var bad = nan + negative + above;
        if (bad > 0)
        {
            return (bad, ac.Length, string.Create(CultureInfo.InvariantCulture,
                $"{bad} of {ac.Length} outputs unusable ({nan} NaN/infinite, {negative} negative, {above} above the {rating:0} W rating)"));
        }
        if (clearSkyMax < 0.02 * rating)
        {
            return (0, ac.Length, string.Create(CultureInfo.InvariantCulture, $"no power under a clear sky (at most {clearSkyMax:0.0} W of a {rating:0} W rating)"));
        }
        return (0, ac.Length, null);
    }

    /// <summary>The checks before a swap: sane outputs, then the error on the last <paramref name="days"/> days against the model in use.</summary>
    public ModelVerdict Validate(BundlePowerModel candidate, IPowerModel current, DateTimeOffset nowUtc, int days, int minIntervals, double maxErrorRatio)
    {
        ArgumentNullException.ThrowIfNull(candidate);
        ArgumentNullException.ThrowIfNull(current);
        var intervals = Intervals(nowUtc.AddDays(-days), nowUtc);
        var (bad, checkedRows, reason) = CheckOutputs(candidate, nowUtc, days, intervals);
        if (reason is not null)
        {
            return new ModelVerdict(false, reason, new ModelComparison(0, null, null, bad, checkedRows));
        }
        if (intervals.Count < minIntervals)
        {
            return new ModelVerdict(true, string.Create(CultureInfo.InvariantCulture,
                    $"too little history to compare ({intervals.Count} daylight 15-minute intervals with measured AC in the last {days} days, {minIntervals} needed): accepted on verification and output checks alone"),
                new ModelComparison(intervals.Count, null, null, 0, checkedRows));
        }
        var comparison = Compare(candidate, current, intervals) with { Checked = checkedRows };
        var worse = ClearlyWorse(comparison, maxErrorRatio, candidate.AcRatingW);
        var text = string.Create(CultureInfo.InvariantCulture,
            $"daylight MAE {comparison.CandidateMaeW:0.0} W against {comparison.ReferenceMaeW:0.0} W of {current.Id} over {comparison.Intervals} intervals of the last {days} days");
        return worse
            ? new ModelVerdict(false, $"{text}: above {maxErrorRatio.ToString(CultureInfo.InvariantCulture)}x + {MarginOfRating:P0} of the rating", comparison)
            : new ModelVerdict(true, text, comparison);
    }
}
