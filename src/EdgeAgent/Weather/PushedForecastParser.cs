using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>Parses a forecast pushed on pvedge/&lt;gw&gt;/weather/forecast/set:
/// <c>{ "points": [ { "time", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "wind_speed_ms" } ] }</c>, "time" the interval start with an offset,
/// points ascending at a constant step. Only "time" and "ghi_wm2" are required: a forecast of GHI alone (as most providers
/// give) leaves the others out or null, and the physics splits DNI/DHI by Erbs and assumes 20 °C and 1 m/s. Anything else is
/// rejected with one line naming the point and key.</summary>
public static class PushedForecastParser
{
    private static readonly (string Key, double Min, double Max, bool Required)[] Fields =
    [
        ("ghi_wm2", 0, 1600, true), ("dni_wm2", 0, 1400, false), ("dhi_wm2", 0, 1000, false), ("temp_air_c", -60, 70, false), ("wind_speed_ms", 0, 80, false),
    ];

    public static WeatherForecast Parse(string payload, DateTimeOffset nowUtc)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(payload);
        }
        catch (JsonException ex)
        {
            throw new InputException($"not valid JSON (line {ex.LineNumber}, byte {ex.BytePositionInLine}): expected {{\"points\": [...]}}");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("points", out var pts) || pts.ValueKind != JsonValueKind.Array)
            {
                throw new InputException("expected an object with a \"points\" array");
            }
            var points = new List<WeatherPoint>();
            var i = 0;
            foreach (var p in pts.EnumerateArray())
            {
                if (p.ValueKind != JsonValueKind.Object)
                {
                    throw new InputException($"points[{i}]: expected an object");
                }
                if (!p.TryGetProperty("time", out var t) || t.ValueKind != JsonValueKind.String ||
                    !DateTimeOffset.TryParse(t.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var time) ||
                    !HasOffset(t.GetString()!))
                {
                    throw new InputException($"points[{i}].time: expected an ISO-8601 time with an offset");
                }
                var v = new double[Fields.Length];
                for (var f = 0; f < Fields.Length; f++)
                {
                    var (key, min, max, required) = Fields[f];
                    if (!required && (!p.TryGetProperty(key, out var given) || given.ValueKind == JsonValueKind.Null))
                    {
                        v[f] = double.NaN;
                        continue;
                    }
                    if (!p.TryGetProperty(key, out var e) || e.ValueKind != JsonValueKind.Number || !double.IsFinite(e.GetDouble()) || e.GetDouble() < min || e.GetDouble() > max)
                    {
                        throw new InputException($"points[{i}].{key}: expected a number in [{min}, {max}]{(required ? "" : ", null or nothing")}");
                    }
                    v[f] = e.GetDouble();
                }
                points.Add(new WeatherPoint(time.ToUniversalTime(), v[0], v[1], v[2], v[3], v[4]));
                i++;
            }
            if (points.Count < 2)
            {
                throw new InputException("points: expected at least two points");
            }
            var step = points[1].StartUtc - points[0].StartUtc;
            if (step <= TimeSpan.Zero || step > TimeSpan.FromHours(3))
            {
                throw new InputException("points[1].time: expected times ascending with a step of at most 3 hours");
            }
            for (var k = 2; k < points.Count; k++)
            {
                if (points[k].StartUtc - points[k - 1].StartUtc != step)
                {
                    throw new InputException($"points[{k}].time: expected a constant step of {step.TotalMinutes:0} minutes");
                }
            }
            return new WeatherForecast(WeatherSources.Mqtt, nowUtc, step, points);
        }
    }

    private static bool HasOffset(string s) => s.EndsWith('Z') || s.EndsWith('z') || s.Length > 6 && (s[^6] is '+' or '-') && s[^3] == ':';
}
