using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.InverterSimulator.Plant;

/// <summary>The plant driven by the physics model chain of <c>src/Shared</c> (<see cref="PvSystemModel"/>): the weather row at the
/// simulated time (or clear sky when there is no weather file) → POA, cell temperature, DC per plane, AC.
/// Planes are wired to the two MPPT inputs in turn (plane 1 → MPPT 1, plane 2 → MPPT 2, plane 3 → MPPT 1, ...); a single-plane site is
/// split into two equal strings. The met station's pyranometer and back-of-module sensor sit on plane 1.</summary>
public sealed class PhysicsPlant : IPlantState
{
    private const double StringVmpV = 380; // modelled MPP voltage of one string at 25 °C
    private const double VoltageTempCoefficientPerC = -0.0029;
    private readonly PvSystemModel _model;
    private readonly WeatherSeries? _weather;
    private readonly PlaneStep[] _planes;
    private readonly Lock _lock = new();

    public PhysicsPlant(Site site, WeatherSeries? weather)
    {
        _model = new PvSystemModel(site);
        _weather = weather is { Count: > 0 } ? weather : null;
        _planes = new PlaneStep[site.Planes.Count];
        Site = site;
    }

    public Site Site { get; }

    public double AcRatingW => Site.Inverter.AcCapacityW;

    public string Description => _weather is null
        ? $"site {Site.Name} ({Site.DcCapacityW / 1000:0.##} kWp DC, {AcRatingW / 1000:0.##} kW AC), clear sky (no weather file)"
        : $"site {Site.Name} ({Site.DcCapacityW / 1000:0.##} kWp DC, {AcRatingW / 1000:0.##} kW AC), weather {_weather.Metadata.Source} ({_weather.Count} rows, replayed by day of year)";

    public PlantSample Sample(DateTimeOffset timeUtc)
    {
        var weather = _weather is null ? _model.ClearSkySample(timeUtc) : Interpolate(_weather, timeUtc);
        lock (_lock)
        {
            var step = _model.Simulate(weather, _planes);
            double mppt1 = 0, mppt2 = 0;
            for (var p = 0; p < _planes.Length; p++)
            {
                var dc = Math.Max(0, _planes[p].DcPowerW);
                if (_planes.Length == 1)
                {
                    mppt1 = dc / 2;
                    mppt2 = dc / 2;
                }
                else if (p % 2 == 0)
                {
                    mppt1 += dc;
                }
                else
                {
                    mppt2 += dc;
                }
            }
            var plane = _planes[0];
            var cell = double.IsFinite(plane.CellTemperatureC) ? plane.CellTemperatureC : weather.TempAirC;
            var volts = StringVmpV * (1 + VoltageTempCoefficientPerC * (cell - 25));
            return new PlantSample(timeUtc, Math.Max(0, step.AcPowerW), [mppt1, mppt2], [mppt1 > 0 ? volts : 0, mppt2 > 0 ? volts : 0],
                step.Sky.GhiWm2, step.Sky.DniWm2, step.Sky.DhiWm2, Math.Max(0, plane.Poa.GlobalWm2), step.TempAirC, cell, step.WindSpeedMs);
        }
    }

    /// <summary>The weather at <paramref name="timeUtc"/>: the file is replayed by time of year (a TMY's rows carry a typical year),
    /// values interpolated linearly between row midpoints; geometry is computed at the instant itself.</summary>
    private static WeatherSample Interpolate(WeatherSeries weather, DateTimeOffset timeUtc)
    {
        var times = weather.TimeMid;
        var shifted = MapIntoSeries(timeUtc, times[0], times[^1], weather.Metadata.Step);
        var i = BinarySearch(times, shifted);
        if (i < 0)
        {
            return weather[0] with { TimeMid = shifted };
        }
        if (i >= times.Length - 1)
        {
            return weather[times.Length - 1] with { TimeMid = shifted };
        }
        var a = weather[i];
        var b = weather[i + 1];
        var gap = (times[i + 1] - times[i]).TotalSeconds;
        var f = gap > 0 ? Math.Clamp((shifted - times[i]).TotalSeconds / gap, 0, 1) : 0;
        if (gap > 2 * weather.Metadata.Step.TotalSeconds)
        {
            f = f < 0.5 ? 0 : 1; // a hole in the file: hold the nearer row
        }
        static double Lerp(double x, double y, double f) => double.IsNaN(x) ? y : double.IsNaN(y) ? x : x + (y - x) * f;
        return new WeatherSample(shifted, Lerp(a.GhiWm2, b.GhiWm2, f), Lerp(a.DniWm2, b.DniWm2, f), Lerp(a.DhiWm2, b.DhiWm2, f),
            Lerp(a.TempAirC, b.TempAirC, f), Lerp(a.WindSpeedMs, b.WindSpeedMs, f), Lerp(a.PressurePa, b.PressurePa, f), a.Flags | b.Flags);
    }

    /// <summary>The instant of the series that stands for <paramref name="t"/>: the same calendar date and time of day in the series'
    /// year when it covers a year (TMY), else <paramref name="t"/> wrapped over the series' own length.</summary>
    private static DateTimeOffset MapIntoSeries(DateTimeOffset t, DateTimeOffset first, DateTimeOffset last, TimeSpan step)
    {
        var span = last - first + step;
        if (span >= TimeSpan.FromDays(360))
        {
            var utc = t.UtcDateTime;
            var year = first.UtcDateTime.Year;
            var day = utc is { Month: 2, Day: 29 } && !DateTime.IsLeapYear(year) ? 28 : utc.Day;
            var mapped = new DateTimeOffset(year, utc.Month, day, 0, 0, 0, TimeSpan.Zero) + utc.TimeOfDay;
            return mapped < first && mapped.AddYears(1) <= last + step ? mapped.AddYears(1) : mapped;
        }
        var offset = (t - first).Ticks % span.Ticks;
        return first + TimeSpan.FromTicks(offset < 0 ? offset + span.Ticks : offset);
    }

    /// <summary>Index of the last row whose midpoint is at or before <paramref name="t"/>; -1 if none.</summary>
    private static int BinarySearch(ReadOnlySpan<DateTimeOffset> times, DateTimeOffset t)
    {
        int lo = 0, hi = times.Length - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) / 2;
            if (times[mid] <= t)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }
}
