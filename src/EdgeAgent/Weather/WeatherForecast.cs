namespace PvEdge.EdgeAgent.Weather;

/// <summary>Weather of one interval (start instant, interval mean), SI units.</summary>
public readonly record struct WeatherPoint(DateTimeOffset StartUtc, double GhiWm2, double DniWm2, double DhiWm2, double TempAirC, double WindSpeedMs);

/// <summary>The weather sources named in every forecast (formats.md).</summary>
public static class WeatherSources
{
    public const string OpenMeteo = "open-meteo";
    public const string Mqtt = "mqtt";
    public const string ClearSky = "clear-sky";
}

/// <summary>A weather forecast: points at a fixed step, ordered by time, and the source it came from.</summary>
public sealed record WeatherForecast(string Source, DateTimeOffset IssuedUtc, TimeSpan Step, IReadOnlyList<WeatherPoint> Points)
{
    public DateTimeOffset FromUtc => Points.Count > 0 ? Points[0].StartUtc : IssuedUtc;

    public DateTimeOffset ToUtc => Points.Count > 0 ? Points[^1].StartUtc + Step : IssuedUtc;

    /// <summary>True when the forecast covers [from, to).</summary>
    public bool Covers(DateTimeOffset fromUtc, DateTimeOffset toUtc) => Points.Count > 0 && FromUtc <= fromUtc && ToUtc >= toUtc;

    /// <summary>The point whose interval holds <paramref name="t"/>, or null outside the forecast.</summary>
    public WeatherPoint? At(DateTimeOffset t)
    {
        if (Points.Count == 0 || t < FromUtc || t >= ToUtc)
        {
            return null;
        }
        var i = (int)((t - FromUtc) / Step);
        i = Math.Clamp(i, 0, Points.Count - 1);
        return Points[i];
    }
}
