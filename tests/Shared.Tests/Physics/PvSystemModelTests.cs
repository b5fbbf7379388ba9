using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Tests.Physics;

public sealed class PvSystemModelTests
{
    private static readonly DateTimeOffset Noon = new(2024, 6, 21, 12, 30, 0, TimeSpan.FromHours(-4));

    private static Site TwoPlanes(HorizonProfile? westHorizon = null) => PvlibReference.Site(TranspositionModel.Perez) with
    {
        Planes =
        [
            new Plane("east", 20, 90, 3, -0.0037, HorizonProfile.Flat),
            new Plane("west", 20, 270, 3, -0.0037, westHorizon ?? HorizonProfile.Flat),
        ],
        Inverter = new InverterSpec(5, 0.96),
    };

    private static WeatherSeries Series(params WeatherSample[] rows) =>
        new(new WeatherMetadata("test", WeatherFormat.PlainCsv, null, null, null, TimeSpan.FromHours(-4)), rows);

    [Fact]
    public void Simulate_SingleInstant_EqualsTheSeriesRun()
    {
        var model = new PvSystemModel(TwoPlanes());
        var rows = Enumerable.Range(0, 24).Select(h => new WeatherSample(Noon.AddHours(h - 12), 700, 600, 120, 25, 2, 98000)).ToArray();

        var series = model.Run(Series(rows));

        for (var i = 0; i < rows.Length; i++)
        {
            var instant = model.Simulate(rows[i]);
            // The series path interpolates the SPA's periodic terms between whole days (error < 1e-6°).
            Assert.Equal(instant.Step.Sun.ApparentZenithDeg, series.Steps[i].Sun.ApparentZenithDeg, 1e-6);
            Assert.Equal(instant.Step.Sun.AzimuthDeg, series.Steps[i].Sun.AzimuthDeg, 1e-6);
            Assert.Equal(instant.Step.DcPowerW, series.Steps[i].DcPowerW, 1e-4);
            Assert.Equal(instant.Step.AcPowerW, series.Steps[i].AcPowerW, 1e-4);
            Assert.Equal(instant.Step.Flags, series.Steps[i].Flags);
            Assert.Equal(instant.Planes[1].Poa.GlobalWm2, series.Plane(i, 1).Poa.GlobalWm2, 1e-5);
            Assert.Equal(instant.Planes[0].CellTemperatureC, series.Plane(i, 0).CellTemperatureC, 1e-6);
        }
    }

    [Fact]
    public void Run_ReusedResult_DoesNotAllocate()
    {
        var model = new PvSystemModel(TwoPlanes());
        var weather = Series(Enumerable.Range(0, 200).Select(h => new WeatherSample(Noon.AddHours(h), 500, 400, 100, 20, 1, 99000)).ToArray());
        var result = new ChainResult(weather.Count, model.PlaneCount);
        model.Run(weather, result);

        var before = GC.GetAllocatedBytesForCurrentThread();
        model.Run(weather, result);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Simulate_GhiAlone_ErbsSplitAndThermalDefaultsFlagged()
    {
        var model = new PvSystemModel(TwoPlanes());

        var ghiOnly = model.Simulate(new WeatherSample(Noon, 900, double.NaN, double.NaN, double.NaN, double.NaN, 98000));
        var stated = model.Simulate(new WeatherSample(Noon, 900, ghiOnly.Step.Sky.DniWm2, ghiOnly.Step.Sky.DhiWm2,
            PvSystemModel.MissingTempAirC, PvSystemModel.MissingWindSpeedMs, 98000));

        Assert.True(ghiOnly.Step.AcPowerW > 1000, $"AC {ghiOnly.Step.AcPowerW} W from 900 W/m² of GHI alone");
        Assert.Equal(stated.Step.AcPowerW, ghiOnly.Step.AcPowerW, 9);
        Assert.Equal(stated.Planes[0].CellTemperatureC, ghiOnly.Planes[0].CellTemperatureC, 9);
        Assert.True(ghiOnly.Step.Flags.HasFlag(WeatherFlags.ThermalDefaults));
        Assert.True(ghiOnly.Step.Flags.HasFlag(WeatherFlags.DecompositionFilled));
        Assert.False(stated.Step.Flags.HasFlag(WeatherFlags.ThermalDefaults));
    }

    [Fact]
    public void Simulate_TwoPlanes_FeedTheSumOfTheirDcIntoOneInverter()
    {
        var model = new PvSystemModel(TwoPlanes());

        var r = model.Simulate(new WeatherSample(Noon, 900, 800, 120, 25, 2, 98000));

        Assert.Equal(r.Planes[0].DcPowerW + r.Planes[1].DcPowerW, r.Step.DcPowerW, 9);
        Assert.Equal(PvWatts.AcPowerW(r.Step.DcPowerW, 5000 / 0.96, 0.96), r.Step.AcPowerW, 9);
        Assert.Equal(r.Planes[0].DcPowerBeforeLossesW * (1 - PvWatts.DefaultLossesPct / 100), r.Planes[0].DcPowerW, 9);
    }

    [Fact]
    public void Simulate_SunBehindFarHorizon_RemovesOnlyThatPlanesBeam()
    {
        var evening = new WeatherSample(new DateTimeOffset(2024, 6, 21, 18, 30, 0, TimeSpan.FromHours(-4)), 300, 500, 90, 27, 2, 98000);
        var open = new PvSystemModel(TwoPlanes()).Simulate(evening);
        var wall = new PvSystemModel(TwoPlanes(new HorizonProfile([new HorizonPoint(0, 60)]))).Simulate(evening);

        Assert.True(open.Planes[1].Poa.DirectWm2 > 100);
        Assert.Equal(0, wall.Planes[1].Poa.DirectWm2);
        Assert.True(wall.Planes[1].BeamShaded);
        Assert.Equal(open.Planes[1].Poa.DiffuseWm2, wall.Planes[1].Poa.DiffuseWm2);
        Assert.Equal(open.Planes[0], wall.Planes[0]);
    }

    [Fact]
    public void Simulate_MissingDniAndDhi_FillsThemWithErbsAndFlagsIt()
    {
        var model = new PvSystemModel(TwoPlanes());

        var r = model.Simulate(new WeatherSample(Noon, 800, double.NaN, double.NaN, 25, 2, 98000, WeatherFlags.DniMissing | WeatherFlags.DhiMissing));

        var erbs = Decomposition.Erbs(800, r.Step.Sun.ZenithDeg, r.Step.DniExtraWm2);
        Assert.Equal(erbs, r.Step.Sky);
        Assert.True(r.Step.Flags.HasFlag(WeatherFlags.DecompositionFilled));
        Assert.True(r.Step.AcPowerW > 0);
    }

    [Fact]
    public void Simulate_NoPressure_UsesTheSiteAltitudeAndFlagsIt()
    {
        var model = new PvSystemModel(TwoPlanes());

        var r = model.Simulate(new WeatherSample(Noon, 800, 700, 100, 25, 2));

        Assert.Equal(Atmosphere.PressureFromAltitudePa(273), r.Step.PressurePa);
        Assert.True(r.Step.Flags.HasFlag(WeatherFlags.PressureFromAltitude));
    }

    [Fact]
    public void Simulate_Night_GivesZeroPowerAndAirTemperatureCells()
    {
        var model = new PvSystemModel(TwoPlanes());

        var r = model.Simulate(new WeatherSample(Noon.AddHours(12), 0, 0, 0, 15, 2, 98000));

        Assert.False(r.Step.Sun.IsUp);
        Assert.Equal(0, r.Step.AcPowerW);
        Assert.Equal(15, r.Planes[0].CellTemperatureC);
    }

    [Fact]
    public void ClearSkySample_NoonAndMidnight_GivesSunlightOnlyByDay()
    {
        var model = new PvSystemModel(TwoPlanes());

        var day = model.ClearSkySample(Noon);
        var night = model.ClearSkySample(Noon.AddHours(12));

        Assert.InRange(day.GhiWm2, 800, 1100);
        Assert.Equal(day.GhiWm2, day.DhiWm2 + day.DniWm2 * Math.Cos(Spa.Compute(Noon, model.Observer, day.PressurePa, 20).ApparentZenithDeg * Math.PI / 180), 6);
        Assert.Equal(0, night.GhiWm2);
        Assert.True(model.Simulate(day).Step.AcPowerW > 3000);
    }
}
