using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>An Open-Meteo style forecast client: GET {base}?latitude&amp;longitude&amp;hourly=…&amp;minutely_15=…&amp;timezone=UTC&amp;wind_speed_unit=ms.
/// Radiation values are means over the preceding step (Open-Meteo's convention), so a value stamped T covers [T − step, T).</summary>
public sealed class OpenMeteoClient
{
    public static readonly string[] Variables = ["shortwave_radiation", "direct_normal_irradiance", "diffuse_radiation", "temperature_2m", "wind_speed_10m"];

    private readonly HttpClient _http;
    private readonly string _baseUrl;

    public OpenMeteoClient(HttpClient http, string baseUrl)
    {
        _http = http;
        _baseUrl = baseUrl;
    }

    public Uri BuildUri(double latitude, double longitude, int forecastDays = 3)
    {
        var vars = string.Join(',', Variables);
        var sep = _baseUrl.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        return new Uri(string.Create(CultureInfo.InvariantCulture,
            $"{_baseUrl}{sep}latitude={latitude:0.####}&longitude={longitude:0.####}&hourly={vars}&minutely_15={vars}&forecast_days={forecastDays}&timezone=UTC&wind_speed_unit=ms"));
    }

    /// <summary>Fetches and parses both resolutions. Throws <see cref="HttpRequestException"/> or <see cref="InputException"/> (bad body).</summary>
    public async Task<(WeatherForecast Hourly, WeatherForecast? Quarter)> FetchAsync(double latitude, double longitude, DateTimeOffset nowUtc, CancellationToken ct)
    {
        using var response = await _http.GetAsync(BuildUri(latitude, longitude), ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        return Parse(body, nowUtc);
    }

    /// <summary>Parses an Open-Meteo response body. Null values drop the point (missing, never zero).</summary>
    public static (WeatherForecast Hourly, WeatherForecast? Quarter) Parse(string body, DateTimeOffset nowUtc)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (!root.TryGetProperty("hourly", out var hourly))
            {
                throw new InputException("open-meteo response: no \"hourly\" block");
            }
            var h = ParseBlock(hourly, TimeSpan.FromHours(1), "hourly", nowUtc);
            WeatherForecast? q = null;
            if (root.TryGetProperty("minutely_15", out var quarter))
            {
                q = ParseBlock(quarter, TimeSpan.FromMinutes(15), "minutely_15", nowUtc);
            }
            return (h, q);
        }
        catch (JsonException ex)
        {
            throw new InputException($"open-meteo response: not valid JSON (line {ex.LineNumber}): {ex.Message}");
        }
    }

    private static WeatherForecast ParseBlock(JsonElement block, TimeSpan step, string name, DateTimeOffset nowUtc)
    {
        var times = Array(block, "time", name);
        var cols = Variables.Select(v => Array(block, v, name)).ToArray();
        var points = new List<WeatherPoint>(times.GetArrayLength());
        var i = 0;
        foreach (var t in times.EnumerateArray())
        {
            var stamp = DateTime.ParseExact(t.GetString() ?? "", ["yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss"], CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
            var values = new double[cols.Length];
            var ok = true;
            for (var c = 0; c < cols.Length; c++)
            {
                var e = cols[c].GetArrayLength() > i ? cols[c][i] : default;
                if (e.ValueKind != JsonValueKind.Number)
                {
                    ok = false;
                    break;
                }
                values[c] = e.GetDouble();
            }
            i++;
            if (ok)
            {
                points.Add(new WeatherPoint(new DateTimeOffset(stamp, TimeSpan.Zero) - step, values[0], values[1], values[2], values[3], values[4]));
            }
        }
        if (points.Count == 0)
        {
            throw new InputException($"open-meteo response: \"{name}\" holds no complete point");
        }
        return new WeatherForecast(WeatherSources.OpenMeteo, nowUtc, step, FillGaps(points, step));
    }

    /// <summary>Keeps the series on a regular grid: a missing point is absent, so the caller's fallback fills it.</summary>
    private static List<WeatherPoint> FillGaps(List<WeatherPoint> points, TimeSpan step)
    {
        var result = new List<WeatherPoint>(points.Count);
        for (var k = 0; k < points.Count; k++)
        {
            if (k > 0 && points[k].StartUtc - points[k - 1].StartUtc != step)
            {
                break; // stop at the first gap; the forecast falls back to clear sky beyond it
            }
            result.Add(points[k]);
        }
        return result;
    }

    private static JsonElement Array(JsonElement block, string key, string name)
    {
        if (!block.TryGetProperty(key, out var a) || a.ValueKind != JsonValueKind.Array)
        {
            throw new InputException($"open-meteo response: \"{name}.{key}\" missing or not an array");
        }
        return a;
    }
}
