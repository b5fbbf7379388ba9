using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Tests.Simulation;

/// <summary>Telemetry rows are interval means, so the fleet's beam factor is the scene's mean over each interval's sun path,
/// not its value at the midpoint.</summary>
public sealed class IntervalShadingTests
{
    private static readonly ShadingScene Chimney = new(new double[36], [new Obstacle("chimney", 180, 3, 60, 0, 0)]);

    [Fact]
    public void IntervalBeamFactor_PathCrossingAnEdge_IsTheOpenShareOfThePath()
    {
        // the chimney's east edge at 177°: a path from 170° to 180° at 20° elevation is open for its first 7°
        var mean = Chimney.IntervalBeamFactor(170, 20, 175, 20, 180, 20, leafOn: 1);
        Assert.InRange(mean, 0.7 - (1.0 / ShadingScene.IntervalSamples), 0.7 + (1.0 / ShadingScene.IntervalSamples));
        Assert.Equal(1, Chimney.BeamFactor(175, 20, 1));
        Assert.Equal(1, Chimney.IntervalBeamFactor(150, 20, 155, 21, 160, 22, 1));
        Assert.Equal(0, Chimney.IntervalBeamFactor(178, 20, 180, 20, 182, 20, 1));
    }

    [Fact]
    public void IntervalBeamFactor_AcrossNorth_TakesTheShortWayRound()
    {
        var north = new ShadingScene(new double[36], [new Obstacle("building", 0, 5, 60, 0, 0)]);
        Assert.Equal(0, north.IntervalBeamFactor(358, 20, 0, 20, 2, 20, 1));
    }

    [Fact]
    public void FleetTruth_IsTheMeanOfTheSceneOverEachIntervalsMinutes()
    {
        var site = SiteLoader.Parse("""
            { "name": "interval", "latitude": 36.1, "longitude": -79.95, "altitude_m": 273,
              "planes": [ { "name": "south", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5.0 } ],
              "inverter": { "ac_kw": 4.2 } }
            """, "interval.json");
        var sim = FleetGenerator.Simulate(site, Chimney, 0, 1, new SeededRandom(5), new FleetOptions(1, 5, Days: 2, StepMinutes: 15));
        var crossings = 0;
        for (var i = 0; i < sim.Times.Length; i++)
        {
            var mid = sim.Times[i].AddMinutes(7.5);
            var sunMid = Spa.Compute(mid, site.Observer, site.DefaultPressurePa, 15);
            if (sunMid.ApparentElevationDeg < 5)
            {
                continue;
            }
            var minutes = Enumerable.Range(0, 15).Average(k =>
            {
                var sun = Spa.Compute(sim.Times[i].AddMinutes(k + 0.5), site.Observer, site.DefaultPressurePa, 15);
                return Chimney.BeamFactor(sun.AzimuthDeg, sun.ApparentElevationDeg, 1);
            });
            Assert.True(Math.Abs(sim.BeamFactor[i] - minutes) < 0.02, $"{sim.Times[i]:u}: fleet {sim.BeamFactor[i]:F3}, minute mean {minutes:F3}");
            if (Math.Abs(Chimney.BeamFactor(sunMid.AzimuthDeg, sunMid.ApparentElevationDeg, 1) - sim.BeamFactor[i]) > 0.2)
            {
                crossings++;
            }
        }
        // the sun crosses both of the chimney's edges on each of the two days
        Assert.InRange(crossings, 2, 8);
    }
}
