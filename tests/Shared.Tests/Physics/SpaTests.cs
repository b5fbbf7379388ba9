using PvEdge.Shared.Physics;

namespace PvEdge.Shared.Tests.Physics;

public sealed class SpaTests
{
    // Reda & Andreas (2004), NREL/TP-560-34302, table A5.1: Golden, Colorado, 17 October 2003 12:30:30 local (UTC−7),
    // ΔT 67 s, 820 mbar, 11 °C, elevation 1830.14 m.
    private static readonly Observer Golden = new(39.742476, -105.1786, 1830.14, 67.0, 0.5667);

    [Fact]
    public void Compute_SpaPaperTestCase_GivesApparentZenith50_11162AndAzimuth194_34024()
    {
        var time = new DateTimeOffset(2003, 10, 17, 12, 30, 30, TimeSpan.FromHours(-7));

        var sun = Spa.Compute(time, Golden, 82000, 11);

        Assert.Equal(50.11162, sun.ApparentZenithDeg, 5);
        Assert.Equal(194.34024, sun.AzimuthDeg, 5);
    }

    [Fact]
    public void Compute_DenseSpan_InterpolatedSeriesEqualTheSingleInstantApiWithinAMillionthDegree()
    {
        var start = new DateTimeOffset(2024, 6, 21, 0, 7, 13, TimeSpan.Zero);
        var unix = Enumerable.Range(0, 300).Select(h => Spa.UnixSeconds(start.AddMinutes(30 * h))).ToArray();
        var pressure = Enumerable.Repeat(95000.0, 300).ToArray();
        var temp = Enumerable.Repeat(25.0, 300).ToArray();
        var result = new SolarPosition[300];

        Spa.Compute(unix, Golden, pressure, temp, result);

        for (var i = 0; i < 300; i++)
        {
            var single = Spa.Compute(start.AddMinutes(30 * i), Golden, 95000, 25);
            Assert.Equal(single.ZenithDeg, result[i].ZenithDeg, 1e-6);
            Assert.Equal(single.ApparentZenithDeg, result[i].ApparentZenithDeg, 1e-6);
            Assert.Equal(single.AzimuthDeg, result[i].AzimuthDeg, 1e-6);
            Assert.Equal(single.EquationOfTimeMin, result[i].EquationOfTimeMin, 1e-6);
        }
    }

    [Fact]
    public void Compute_SunBelowHorizonBeyondRefractionLimit_HasNoRefraction()
    {
        var midnight = new DateTimeOffset(2003, 10, 17, 0, 0, 0, TimeSpan.FromHours(-7));

        var sun = Spa.Compute(midnight, Golden, 82000, 11);

        Assert.True(sun.ZenithDeg > 120);
        Assert.Equal(sun.ZenithDeg, sun.ApparentZenithDeg);
    }
}

public sealed class SpaSparseTests
{
    [Fact]
    public void Compute_SparseSpan_IsExactlyTheSingleInstantApi()
    {
        var observer = new Observer(52.5, 13.4, 34);
        var times = new[] { new DateTimeOffset(2020, 3, 1, 9, 0, 0, TimeSpan.Zero), new DateTimeOffset(2021, 9, 9, 15, 0, 0, TimeSpan.Zero) };
        var result = new SolarPosition[2];

        Spa.Compute(times.Select(Spa.UnixSeconds).ToArray(), observer, [101000, 99000], [5, 20], result);

        Assert.Equal(Spa.Compute(times[0], observer, 101000, 5), result[0]);
        Assert.Equal(Spa.Compute(times[1], observer, 99000, 20), result[1]);
    }
}
