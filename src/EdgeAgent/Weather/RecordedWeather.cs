namespace PvEdge.EdgeAgent.Weather;

/// <summary>The weather the agent held for a 15-minute interval (its latest forecast, or the pushed weather), stored in the history beside
/// the measurements so that the interval can later be explained by the model again: bundle validation, and the nightly fine-tuning
/// (<see cref="Models.RetuneService"/>). Internal quantities: not columns of the history CSV of formats.md.</summary>
public static class RecordedWeather
{
    /// <summary>The stored quantities are the history's weather columns under this prefix.</summary>
    public const string Prefix = "forecast_";
    public const string GhiWm2 = Prefix + "ghi_wm2";
    public const string DniWm2 = Prefix + "dni_wm2";
    public const string DhiWm2 = Prefix + "dhi_wm2";
    public const string TempAirC = Prefix + "temp_air_c";
    public const string WindSpeedMs = Prefix + "wind_speed_ms";

    /// <summary>The history resolution the weather is stored at.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    /// <summary>The values to store for an interval; none when the agent held no forecast for it (clear sky is not weather).</summary>
    public static IEnumerable<KeyValuePair<string, double?>> Values(WeatherState weather, DateTimeOffset startUtc, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(weather);
        if (weather.SourceFor(startUtc) == WeatherSources.ClearSky)
        {
            return [];
        }
        var w = weather.At(startUtc, step);
        return [new(GhiWm2, w.GhiWm2), new(DniWm2, w.DniWm2), new(DhiWm2, w.DhiWm2), new(TempAirC, w.TempAirC), new(WindSpeedMs, w.WindSpeedMs)];
    }

    /// <summary>The weather of an interval from its values by quantity: the stored forecast (<paramref name="prefix"/> "" reads the
    /// measured columns of formats.md instead); null without GHI.</summary>
    public static WeatherPoint? From(DateTimeOffset startUtc, IReadOnlyDictionary<string, double> values, string prefix = Prefix)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue(prefix + "ghi_wm2", out var ghi)
            ? new WeatherPoint(startUtc, ghi, values.GetValueOrDefault(prefix + "dni_wm2", double.NaN), values.GetValueOrDefault(prefix + "dhi_wm2", double.NaN),
                values.GetValueOrDefault(prefix + "temp_air_c", 20), values.GetValueOrDefault(prefix + "wind_speed_ms", 1))
            : null;
    }
}
