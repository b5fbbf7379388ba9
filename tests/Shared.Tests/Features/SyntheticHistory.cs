using PvEdge.Shared.Features;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Tests.Features;

/// <summary>Histories made by the physics core: every third day clear, the others with a passing cloud each interval.</summary>
internal static class SyntheticHistory
{
    public static readonly Site Site = SiteLoader.Parse("""
        { "name": "t", "latitude": 45, "longitude": 10, "altitude_m": 200,
          "planes": [ { "name": "p", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ],
          "inverter": { "ac_kw": 4.5 } }
        """, "site.json");

    /// <summary><c>ac_power_w</c>, <c>ghi_wm2</c> and <c>temp_air_c</c> at interval starts from 1 May; the AC moved
    /// <paramref name="acLateRows"/> rows late, the weather <paramref name="weatherLateRows"/>; <paramref name="shade"/>(local solar
    /// hour) multiplies the AC every day, <paramref name="cloudScale"/> every GHI, <paramref name="acScale"/> and
    /// <paramref name="ghiScale"/> the written values (a unit's factor); <paramref name="acCapW"/> caps the AC (an export limit);
    /// <paramref name="site"/> is the system that made it (default <see cref="Site"/>).</summary>
    public static History Make(int days, TimeSpan step, int acLateRows = 0, int weatherLateRows = 0, Func<double, double>? shade = null,
        double cloudScale = 1, double acScale = 1, double ghiScale = 1, double acCapW = double.PositiveInfinity, Site? site = null)
    {
        site ??= Site;
        var model = new PvSystemModel(site);
        var rng = new Random(7);
        var start = new DateTimeOffset(2025, 5, 1, 0, 0, 0, TimeSpan.Zero);
        var n = (int)(TimeSpan.FromDays(days) / step);
        var times = new DateTimeOffset[n];
        var (ghi, temp, ac) = (new double[n], new double[n], new double[n]);
        for (var i = 0; i < n; i++)
        {
            times[i] = start + (i * step);
            var mid = times[i] + (step / 2);
            var cloud = (i * step).Days % 3 == 0 ? 1 : 0.25 + (0.75 * rng.NextDouble());
            var g = model.ClearSkySample(mid).GhiWm2 * cloud * cloudScale;
            temp[i] = 15;
            var solarHour = (mid.UtcDateTime.TimeOfDay.TotalHours + (site.LongitudeDeg / 15) + 24) % 24;
            ac[i] = Math.Min(acCapW, model.Simulate(new WeatherSample(mid, g, double.NaN, double.NaN, 15, 1)).Step.AcPowerW * (shade?.Invoke(solarHour) ?? 1)) * acScale;
            ghi[i] = g * ghiScale;
        }
        static double[] Late(double[] v, int rows) => [.. Enumerable.Range(0, v.Length).Select(i => i - rows >= 0 && i - rows < v.Length ? v[i - rows] : double.NaN)];
        return new History(times, new Dictionary<string, double[]>
        {
            ["ac_power_w"] = Late(ac, acLateRows),
            ["ghi_wm2"] = Late(ghi, weatherLateRows),
            ["temp_air_c"] = Late(temp, weatherLateRows),
        }, "h.csv");
    }
}
