using System.Buffers;
using System.Text;
using System.Text.Json;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Demo;

/// <summary>The demo's weather: clear sky × the project's stochastic cloud process (<see cref="StochasticCloudGenerator"/>). The same
/// seed drives the demo's plant, so the forecast it feeds the agent is the weather the plant then "measures" (at 5-minute resolution).</summary>
public sealed class DemoWeather
{
    /// <summary>What the one-shot commands call this weather (<c>forecast --weather demo</c>); the agent itself receives it over MQTT.</summary>
    public const string Name = "demo";

    /// <summary>Every push covers this much from the interval before now: the 48 h hourly forecast plus a day's margin.</summary>
    public static readonly TimeSpan Horizon = TimeSpan.FromHours(72);

    /// <summary>Step of the pushed points: 15 minutes, so one message serves the intraday and the hourly forecast.</summary>
    public static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    private readonly IClearSkyModel _clearSky;
    private readonly StochasticCloudGenerator _clouds;

    public DemoWeather(IClearSkyModel clearSky, int seed)
    {
        _clearSky = clearSky;
        _clouds = new StochasticCloudGenerator(seed);
    }

    /// <summary>Points at <see cref="Step"/> from the interval before the one holding <paramref name="nowUtc"/> over <see cref="Horizon"/>.</summary>
    public WeatherPoint[] Points(DateTimeOffset nowUtc)
    {
        var start = Forecasting.ForecastEngine.Floor(nowUtc, Step) - Step;
        var points = new WeatherPoint[(int)(Horizon / Step) + 1];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = WeatherState.CloudyWeather(_clearSky, _clouds, start + Step * i, Step);
        }
        return points;
    }

    /// <summary>The same points as a forecast named <paramref name="source"/> (the one-shot commands).</summary>
    public WeatherForecast Forecast(DateTimeOffset nowUtc, string source = Name) => new(source, nowUtc, Step, Points(nowUtc));

    /// <summary>The message of the weather input topic (formats.md): <c>{ "points": [ { "time", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "wind_speed_ms" } ] }</c>.</summary>
    public static byte[] PushPayload(ReadOnlySpan<WeatherPoint> points)
    {
        var buffer = new ArrayBufferWriter<byte>(160 * points.Length + 32);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("points");
            foreach (var p in points)
            {
                w.WriteStartObject();
                w.WriteString("time", PayloadWriter.Timestamp(p.StartUtc));
                w.WriteNumber("ghi_wm2", Math.Round(p.GhiWm2, 1));
                w.WriteNumber("dni_wm2", Math.Round(p.DniWm2, 1));
                w.WriteNumber("dhi_wm2", Math.Round(p.DhiWm2, 1));
                w.WriteNumber("temp_air_c", Math.Round(p.TempAirC, 2));
                w.WriteNumber("wind_speed_ms", Math.Round(p.WindSpeedMs, 2));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><see cref="PushPayload"/> as text (tests, logs).</summary>
    public static string PushText(ReadOnlySpan<WeatherPoint> points) => Encoding.UTF8.GetString(PushPayload(points));
}
