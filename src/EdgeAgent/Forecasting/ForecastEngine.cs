using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Forecasting;

/// <summary>Computes the hourly (48 h) and intraday (6 h, 15 min) forecasts. Each interval is the mean of the model over 15-minute
/// sub-intervals (sun geometry is not linear over an hour). The band comes from the model's residual quantiles, scaled by the
/// clear-sky power of the interval so it vanishes at night. Intraday blends the measured/expected ratio of the last half hour into
/// the next hours, fading with lead time.</summary>
public sealed class ForecastEngine
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly IPowerModel _model;
    private readonly WeatherState _weather;
    private readonly TimeZoneInfo _timeZone;

    public ForecastEngine(IPowerModel model, WeatherState weather, TimeZoneInfo timeZone)
    {
        _model = model;
        _weather = weather;
        _timeZone = timeZone;
    }

    /// <summary>Hourly points from the start of the current hour.</summary>
    public PowerForecast Hourly(DateTimeOffset nowUtc, int hours, double measuredTodayKwh = 0)
    {
        var start = Floor(nowUtc, TimeSpan.FromHours(1));
        var points = Points(start, TimeSpan.FromHours(1), hours, _ => 1.0);
        var (today, tomorrow) = DailyEnergy(nowUtc, points, measuredTodayKwh);
        return new PowerForecast(nowUtc, _model.Id, _weather.SourceFor(start), points, today, tomorrow);
    }

    /// <summary>15-minute points from the current quarter hour; <paramref name="measuredRatio"/> is measured / expected over the last half hour (null: no blend).</summary>
    public PowerForecast Intraday(DateTimeOffset nowUtc, int hours, double? measuredRatio, double blendHours, double measuredTodayKwh = 0)
    {
        var start = Floor(nowUtc, SubStep);
        var points = Points(start, SubStep, hours * 4, i =>
        {
            var lead = (start + SubStep * i + SubStep / 2 - nowUtc).TotalHours;
            return measuredRatio is { } r ? 1 + (Math.Clamp(r, 0, 1.5) - 1) * Math.Exp(-Math.Max(0, lead) / blendHours) : 1.0;
        });
        var (today, tomorrow) = DailyEnergy(nowUtc, points, measuredTodayKwh);
        return new PowerForecast(nowUtc, _model.Id, _weather.SourceFor(start), points, today, tomorrow);
    }

    /// <summary>Expected AC power for the interval from the current weather (no band).</summary>
    public double Expected(DateTimeOffset startUtc, TimeSpan step) => Means(startUtc, step, 1, clearSky: false)[0];

    // n consecutive intervals of one step from start: p50 (times the intraday factor, at most the rating or the export limit) and the band
    private ForecastPoint[] Points(DateTimeOffset start, TimeSpan step, int n, Func<int, double> factor)
    {
        var expected = Means(start, step, n, clearSky: false);
        var clear = Means(start, step, n, clearSky: true);
        var (q10, q90) = _model.ResidualQuantiles;
        var points = new ForecastPoint[n];
        for (var i = 0; i < n; i++)
        {
            var p50 = Math.Min(_model.AcLimitW, expected[i] * factor(i));
            var scale = Math.Max(clear[i], p50);
            var p10 = Math.Clamp(p50 + q10 * scale, 0, p50);
            var p90 = Math.Clamp(p50 + q90 * scale, p50, Math.Max(p50, _model.AcLimitW));
            var from = start + step * i;
            points[i] = new ForecastPoint(from, from + step, p50, p10, p90);
        }
        return points;
    }

    // The model's mean over the 15-minute sub-intervals of each of n intervals, for the current weather or clear sky: every
    // sub-interval of every interval in one call, so a bundle computes its features and runs its chain once per forecast
    private double[] Means(DateTimeOffset start, TimeSpan step, int n, bool clearSky)
    {
        var subs = Math.Max(1, (int)(step / SubStep));
        var sub = step / subs;
        var weather = new WeatherPoint[n * subs];
        for (var r = 0; r < weather.Length; r++)
        {
            var t = start + sub * r;
            weather[r] = clearSky ? WeatherState.ClearSkyWeather(_weather.ClearSky, t, sub) : _weather.At(t, sub);
        }
        var acW = new double[weather.Length];
        _model.ExpectedAcW(weather, sub, acW);
        var means = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = 0.0;
            for (var r = i * subs; r < (i + 1) * subs; r++)
            {
                sum += Math.Max(0, acW[r]);
            }
            means[i] = sum / subs;
        }
        return means;
    }

    /// <summary>Energy of the local day of <paramref name="nowUtc"/> (measured so far + forecast from now on) and of the next local day.</summary>
    private (double Today, double Tomorrow) DailyEnergy(DateTimeOffset nowUtc, ForecastPoint[] points, double measuredTodayKwh)
    {
        var today = TimeZoneInfo.ConvertTime(nowUtc, _timeZone).Date;
        var tomorrow = today.AddDays(1);
        double eToday = measuredTodayKwh, eTomorrow = 0;
        foreach (var p in points)
        {
            var end = p.EndUtc;
            var from = p.StartUtc < nowUtc ? nowUtc : p.StartUtc;
            if (end <= from)
            {
                continue;
            }
            var day = TimeZoneInfo.ConvertTime(p.StartUtc, _timeZone).Date;
            var kwh = p.P50W * (end - from).TotalHours / 1000.0;
            if (day == today)
            {
                eToday += kwh;
            }
            else if (day == tomorrow)
            {
                eTomorrow += kwh;
            }
        }
        return (eToday, eTomorrow);
    }

    public static DateTimeOffset Floor(DateTimeOffset t, TimeSpan step) => new(t.UtcTicks - t.UtcTicks % step.Ticks, TimeSpan.Zero);
}
