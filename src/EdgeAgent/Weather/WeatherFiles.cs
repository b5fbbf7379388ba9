using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>Weather files (TMY3, PSM3, PVGIS, plain CSV: the physics library's readers) as a forecast the agent can use.</summary>
public static class WeatherFiles
{
    /// <summary>Reads a weather file; each row's interval start is its midpoint minus half the step. Missing values are dropped rows.</summary>
    public static WeatherForecast Load(string path, DateTimeOffset issuedUtc)
    {
        var series = WeatherReader.Load(path);
        if (series.Count < 2)
        {
            throw InputException.InFile(path, "expected at least two weather rows");
        }
        var step = series.TimeMid[1] - series.TimeMid[0];
        var points = new List<WeatherPoint>(series.Count);
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            if (!double.IsFinite(s.GhiWm2))
            {
                continue;
            }
            points.Add(new WeatherPoint((s.TimeMid - step / 2).ToUniversalTime(), s.GhiWm2, Finite(s.DniWm2), Finite(s.DhiWm2, s.GhiWm2),
                double.IsFinite(s.TempAirC) ? s.TempAirC : 20, double.IsFinite(s.WindSpeedMs) ? s.WindSpeedMs : 1));
        }
        return new WeatherForecast("file:" + Path.GetFileName(path), issuedUtc, step, points);
    }

    private static double Finite(double v, double fallback = 0) => double.IsFinite(v) ? v : fallback;
}
