using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Tests.Features;

/// <summary>Histories made by the physics core (<see cref="SyntheticHistory"/>), misaligned the ways logger exports and merged
/// weather files are: interval ends written as starts, weather from another source.</summary>
public sealed class HistoryTimingTests
{
    private static readonly Site Site = SyntheticHistory.Site;

    private static History Make(int days, TimeSpan step, int acLateRows = 0, int weatherLateRows = 0, Func<double, double>? shade = null) =>
        SyntheticHistory.Make(days, step, acLateRows, weatherLateRows, shade);

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
    public void CloudChanges_WhatRecursEveryDayGoes_ACloudStays()
    {
        // five days of a clear-sky index with a shade edge at 14:00 every day, and one cloud on day 3 from 10:00 to 10:45
        var step = TimeSpan.FromMinutes(15);
        var t0 = new DateTimeOffset(2026, 6, 1, 0, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, 5 * 96).Select(k => t0 + (step * k)).ToArray();
        var cloud = (From: t0.AddDays(2).AddHours(10), To: t0.AddDays(2).AddHours(10.75));
        var series = times.Select(t => (t.TimeOfDay.TotalHours >= 14 ? 0.3 : 1.0) - (t >= cloud.From && t < cloud.To ? 0.5 : 0)).ToArray();
        bool Daylight(int i) => times[i].TimeOfDay.TotalHours is >= 6 and <= 18;

        var changes = HistoryTiming.CloudChanges(times, step, series, i => i > 0 && Daylight(i) && Daylight(i - 1));

        for (var i = 0; i < times.Length; i++)
        {
            var expected = !(i > 0 && Daylight(i) && Daylight(i - 1)) ? double.NaN
                : times[i] == cloud.From ? -0.5 : times[i] == cloud.To ? 0.5 : 0;
            Assert.True(double.IsNaN(expected) ? double.IsNaN(changes[i]) : Math.Abs(changes[i] - expected) < 1e-12,
                $"{times[i]:u}: {changes[i]} (expected {expected}; the raw change is {(i > 0 ? series[i] - series[i - 1] : double.NaN)})");
        }
    }

    [Fact]
    public void Check_TwoDaysOnly_SaysNothing()
    {
        Assert.Empty(HistoryTiming.Check(Site, Make(2, TimeSpan.FromMinutes(15), acLateRows: 4)));
    }
}
