namespace PvEdge.EdgeAgent.Weather;

/// <summary>The weather the agent held for a 15-minute interval (its latest forecast, or the pushed weather), stored in the history beside
/// the measurements so that the interval can later be explained by the model again: bundle validation, and the nightly fine-tuning
/// (<see cref="Models.RetuneService"/>). Internal quantities: not columns of the history CSV of formats.md.</summary>
public static class RecordedWeather
{
    public const string GhiWm2 = "forecast_ghi_wm2";
    public const string DniWm2 = "forecast_dni_wm2";
    public const string DhiWm2 = "forecast_dhi_wm2";
    public const string TempAirC = "forecast_temp_air_c";
    public const string WindSpeedMs = "forecast_wind_speed_ms";

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

    /// <summary>The stored weather of an interval, from its values by quantity; null when none was stored.</summary>
    public static WeatherPoint? From(DateTimeOffset startUtc, IReadOnlyDictionary<string, double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        return values.TryGetValue(GhiWm2, out var ghi)
            ? new WeatherPoint(startUtc, ghi, values.GetValueOrDefault(DniWm2, double.NaN), values.GetValueOrDefault(DhiWm2, double.NaN),
                values.GetValueOrDefault(TempAirC, 20), values.GetValueOrDefault(WindSpeedMs, 1))
            : null;
    }
}
