using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;

namespace PvEdge.ModelExport.Tests.Simulation;

public sealed class SatelliteWeatherTests
{
    private const int Hours = 3000;

    // 15-minute rows of a constant 500 W/m² GHI with DNI and DHI, one row missing
    private static History Constant()
    {
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var times = Enumerable.Range(0, Hours * 4).Select(i => start.AddMinutes(15 * i)).ToArray();
        var ghi = Enumerable.Repeat(500.0, times.Length).ToArray();
        ghi[7] = double.NaN;
        return new History(times, new Dictionary<string, double[]>
        {
            ["ac_power_w"] = new double[times.Length],
            ["ghi_wm2"] = ghi,
            ["dni_wm2"] = Enumerable.Repeat(600.0, times.Length).ToArray(),
            ["dhi_wm2"] = Enumerable.Repeat(100.0, times.Length).ToArray(),
        }, "constant.csv");
    }

    [Fact]
    public void Degrade_HourlyErrorOfSigmaCorrelatedFromHourToHour_NoBeamOrDiffuseLeft()
    {
        var history = Constant();

        var degraded = SatelliteWeather.Degrade(history, 0.15, 3);

        Assert.False(degraded.Has("dni_wm2"));
        Assert.False(degraded.Has("dhi_wm2"));
        Assert.Equal(500.0, history.Column("ghi_wm2")![0]);
        var ghi = degraded.Column("ghi_wm2")!;
        Assert.True(double.IsNaN(ghi[7]));
        Assert.All(ghi.Where(double.IsFinite), g => Assert.True(g >= 0));
        // constant within each clock hour
        var hourly = Enumerable.Range(0, Hours).Select(h => ghi[4 * h] / 500 - 1).ToArray();
        for (var h = 0; h < Hours; h++)
        {
            Assert.Equal(hourly[h], ghi[(4 * h) + 2] / 500 - 1, 12);
            Assert.Equal(hourly[h], ghi[(4 * h) + 1] / 500 - 1, 12);
        }
        var mean = hourly.Average();
        var sd = Math.Sqrt(hourly.Average(e => (e - mean) * (e - mean)));
        var lag1 = Enumerable.Range(1, Hours - 1).Average(h => (hourly[h] - mean) * (hourly[h - 1] - mean)) / (sd * sd);
        Assert.InRange(sd, 0.12, 0.18);
        Assert.InRange(lag1, 0.6, 0.8);
        Assert.Equal(ghi, SatelliteWeather.Degrade(history, 0.15, 3).Column("ghi_wm2")!);
    }

    [Fact]
    public void Degrade_NoGhi_NamesTheFile()
    {
        var history = new History([DateTimeOffset.UnixEpoch], new Dictionary<string, double[]> { ["ac_power_w"] = [0] }, "poa-only.csv");

        var e = Assert.Throws<InputException>(() => SatelliteWeather.Degrade(history, 0.15, 1));

        Assert.Contains("poa-only.csv", e.Message, StringComparison.Ordinal);
    }
}
