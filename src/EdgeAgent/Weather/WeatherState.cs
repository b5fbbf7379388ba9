using PvEdge.EdgeAgent.Inference;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>Where the site is, for the weather client and the local-day energy sums.</summary>
public sealed record SiteContext(string Name, double Latitude, double Longitude, TimeZoneInfo TimeZone);

/// <summary>The weather forecasts the agent currently holds (hourly and 15-minute), with clear sky filling whatever they do not cover.
/// Written by the weather service, read by the forecaster and the anomaly detector.</summary>
public sealed class WeatherState
{
    private readonly IClearSkyModel _clearSky;
    private volatile WeatherForecast? _hourly;
    private volatile WeatherForecast? _quarter;

    public WeatherState(IClearSkyModel clearSky)
    {
        _clearSky = clearSky;
    }

    public IClearSkyModel ClearSky => _clearSky;

    public WeatherForecast? Hourly => _hourly;

    public WeatherForecast? Quarter => _quarter;

    public void Set(WeatherForecast hourly, WeatherForecast? quarter)
    {
        _hourly = hourly;
        _quarter = quarter;
    }

    /// <summary>The source that covers the start of [from, to): the 15-minute forecast, the hourly one, else clear sky.</summary>
    public string SourceFor(DateTimeOffset fromUtc)
    {
        if (_quarter?.At(fromUtc) is not null)
        {
            return _quarter.Source;
        }
        return _hourly?.At(fromUtc) is not null ? _hourly.Source : WeatherSources.ClearSky;
    }

    /// <summary>The weather of the interval starting at <paramref name="startUtc"/>: the finest forecast that holds it, else clear sky.</summary>
    public WeatherPoint At(DateTimeOffset startUtc, TimeSpan step)
    {
        var mid = startUtc + step / 2;
        var p = (step < TimeSpan.FromHours(1) ? _quarter?.At(mid) : null) ?? _hourly?.At(mid) ?? _quarter?.At(mid);
        return p is { } w ? w with { StartUtc = startUtc } : ClearSkyWeather(_clearSky, startUtc, step);
    }

    /// <summary>Clear-sky weather of one interval, with a mild default temperature and wind.</summary>
    public static WeatherPoint ClearSkyWeather(IClearSkyModel clearSky, DateTimeOffset startUtc, TimeSpan step)
    {
        var cs = clearSky.At(startUtc, step);
        return new WeatherPoint(startUtc, cs.GhiWm2, cs.DniWm2, cs.DhiWm2, 20, 1);
    }

    /// <summary>Clear sky × the stochastic cloud process: the demo's weather (and, with another seed, its "measured" plant).</summary>
    public static WeatherPoint CloudyWeather(IClearSkyModel clearSky, StochasticCloudGenerator clouds, DateTimeOffset startUtc, TimeSpan step)
    {
        var cs = clearSky.At(startUtc, step);
        var k = clouds.MeanClearSkyIndex(startUtc, step);
        var ghi = cs.GhiWm2 * k;
        var dni = cs.DniWm2 * StochasticCloudGenerator.BeamFraction(k);
        var cosZ = cs.DniWm2 > 1 ? Math.Max(0, (cs.GhiWm2 - cs.DhiWm2) / cs.DniWm2) : 0;
        var dhi = Math.Max(0, ghi - dni * cosZ);
        var temp = 12 + 8 * k * Math.Max(0, Math.Sin(cs.SunElevationDeg * Math.PI / 180));
        return new WeatherPoint(startUtc, ghi, dni, dhi, temp, 2 + 2 * (1 - k));
    }
}
