using PvEdge.Shared.Features;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Tests.Features;

/// <summary>Histories made by the physics core (every third day clear, the others with a passing cloud each interval), then
/// misaligned the ways logger exports and merged weather files are: interval ends written as starts, weather from another source.</summary>
public sealed class HistoryTimingTests
{
    private static readonly Site Site = SiteLoader.Parse("""
        { "name": "t", "latitude": 45, "longitude": 10, "altitude_m": 200,
          "planes": [ { "name": "p", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ],
          "inverter": { "ac_kw": 4.5 } }
        """, "site.json");

    // ghi_wm2, temp_air_c and ac_power_w at interval starts; shade(local solar hour) multiplies the AC every day
    private static History Make(int days, TimeSpan step, int acLateRows = 0, int weatherLateRows = 0, Func<double, double>? shade = null)
    {
        var model = new PvSystemModel(Site);
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
            ghi[i] = model.ClearSkySample(mid).GhiWm2 * cloud;
            temp[i] = 15;
            var solarHour = (mid.UtcDateTime.TimeOfDay.TotalHours + (Site.LongitudeDeg / 15) + 24) % 24;
            ac[i] = model.Simulate(new WeatherSample(mid, ghi[i], double.NaN, double.NaN, 15, 1)).Step.AcPowerW * (shade?.Invoke(solarHour) ?? 1);
        }
        static double[] Late(double[] v, int rows) => [.. Enumerable.Range(0, v.Length).Select(i => i - rows >= 0 && i - rows < v.Length ? v[i - rows] : double.NaN)];
        return new History(times, new Dictionary<string, double[]>
        {
            ["ac_power_w"] = Late(ac, acLateRows),
            ["ghi_wm2"] = Late(ghi, weatherLateRows),
            ["temp_air_c"] = Late(temp, weatherLateRows),
        }, "h.csv");
    }

    // a building that takes 80 % of the AC every afternoon from 13:30 solar time: no clear day fits the clear-sky model
    private static double Afternoon(double solarHour) => solarHour > 13.5 ? 0.2 : 1;

    [Theory]
    [InlineData(15)]
    [InlineData(60)]
    public void Check_AlignedHistory_FindsNothing(int stepMinutes)
    {
        Assert.Empty(HistoryTiming.Check(Site, Make(12, TimeSpan.FromMinutes(stepMinutes))));
    }

    [Fact]
    public void Check_AlignedHistoryUnderRecurringShade_FindsNothing()
    {
        Assert.Empty(HistoryTiming.Check(Site, Make(12, TimeSpan.FromMinutes(15), shade: Afternoon)));
    }

    [Fact]
    public void Check_AcStampedAtIntervalEnds_FoundAgainstTheSunAndNamed()
    {
        var step = TimeSpan.FromHours(1);

        var finding = Assert.Single(HistoryTiming.Check(Site, Make(12, step, acLateRows: 1)));

        Assert.Equal("ac_power_w", finding.Column);
        Assert.InRange(finding.LateMinutes, 50, 70);
        Assert.True(finding.ClearDays >= HistoryTiming.MinimumDays);
        Assert.Contains("interval ends written as starts", finding.Describe("h.csv", step), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_WeatherFifteenMinutesLate_FoundOnGhi()
    {
        var findings = HistoryTiming.Check(Site, Make(12, TimeSpan.FromMinutes(15), weatherLateRows: 1));

        var ghi = Assert.Single(findings, f => f.Column == "ghi_wm2");
        Assert.InRange(ghi.LateMinutes, 10, 20);
        Assert.StartsWith("warning: h.csv: ghi_wm2 follows the sun as if its times were 15 min earlier", ghi.Describe("h.csv", TimeSpan.FromMinutes(15)), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_ShadedSiteAcAnHourEarly_FoundAgainstTheWeatherColumns()
    {
        var finding = Assert.Single(HistoryTiming.Check(Site, Make(12, TimeSpan.FromMinutes(15), acLateRows: -4, shade: Afternoon)));

        Assert.Equal("ac_power_w", finding.Column);
        Assert.Equal(-60, finding.LateMinutes);
        Assert.Equal(0, finding.ClearDays);
        Assert.Contains("follows the weather columns as if its times were 60 min later", finding.Describe("h.csv", TimeSpan.FromMinutes(15)), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TwoDaysOnly_SaysNothing()
    {
        Assert.Empty(HistoryTiming.Check(Site, Make(2, TimeSpan.FromMinutes(15), acLateRows: 4)));
    }
}
