using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

/// <summary>The anomaly stage with the pyranometer and module probes: the same modelled weather (clear sky, no forecast held) and the same
/// low production, judged with and without the measured plane-of-array irradiance.</summary>
public sealed class MeasuredPoaAnomalyTests
{
    private const double CloudPoaWm2 = 220;
    private const double CloudModuleC = 28;

    /// <summary>An hour around noon: a healthy plant under a heavy local cloud, producing what the measured irradiance allows.</summary>
    private static List<AnomalyEvent> Run(double? poaWm2, double? moduleC)
    {
        var models = TestSite.Models;
        var expected = new ExpectedPower(models.Model, new WeatherState(models.ClearSky));
        var detector = new AnomalyDetector(new AnomalyOptions(), "gw", models.Model.AcRatingW);
        var productionW = 0.98 * models.Model.ExpectedAcFromPoaW(CloudPoaWm2, CloudModuleC)!.Value;
        var events = new List<AnomalyEvent>();
        for (var i = 0; i < 60; i++)
        {
            var values = new Dictionary<string, double?> { ["ac_power_w"] = productionW, ["inverter_state"] = 4 };
            if (poaWm2 is not null)
            {
                values[SensorQuantities.PoaWm2] = poaWm2 + (i % 3); // a live sensor, not a stuck one
                values[SensorQuantities.TempModuleC] = moduleC;
            }
            var minute = new IntervalRecord(TestSite.JuneNoonUtc.AddMinutes(i), TimeSpan.FromMinutes(1), values, values.Count);
            events.AddRange(detector.Process(expected.For(minute)));
        }
        return events;
    }

    [Fact]
    public void Process_LowProductionExplainedByMeasuredPoa_NoUnderperformance()
    {
        var events = Run(CloudPoaWm2, CloudModuleC);

        Assert.DoesNotContain(events, e => e.Type == AnomalyTypes.Underperformance);
        Assert.Empty(events);
    }

    [Fact]
    public void Process_SameProductionWithoutSensors_UnderperformanceAgainstModelledWeather()
    {
        var events = Run(null, null);

        var e = Assert.Single(events, e => e.Type == AnomalyTypes.Underperformance);
        Assert.True(e.Open);
        Assert.True(e.MeasuredW < new AnomalyOptions().UnderperformanceRatio * e.ExpectedW, $"measured {e.MeasuredW:0} W against expected {e.ExpectedW:0} W");
    }

    [Fact]
    public void Process_SameProductionUnderBrightMeasuredSun_Underperformance()
    {
        // the sensors do not excuse everything: with 900 W/m² on the plane the same production is a real loss
        var events = Run(900, 45);

        var e = Assert.Single(events, e => e.Type == AnomalyTypes.Underperformance);
        Assert.Equal(TestSite.Models.Model.ExpectedAcFromPoaW(900, 45)!.Value, e.ExpectedW, TestSite.Models.Model.AcRatingW * 0.01);
    }

    [Fact]
    public void For_PoaWithoutModuleTemperature_FallsBackToModelledWeather()
    {
        var models = TestSite.Models;
        var expected = new ExpectedPower(models.Model, new WeatherState(models.ClearSky));
        var at = TestSite.JuneNoonUtc;
        var step = TimeSpan.FromMinutes(1);
        var modelled = expected.For(new IntervalRecord(at, step, new Dictionary<string, double?> { ["ac_power_w"] = 1000 }, 1)).ExpectedW;
        var poaOnly = expected.For(new IntervalRecord(at, step, new Dictionary<string, double?> { ["ac_power_w"] = 1000, [SensorQuantities.PoaWm2] = CloudPoaWm2 }, 2)).ExpectedW;
        var both = expected.For(new IntervalRecord(at, step, new Dictionary<string, double?>
        {
            ["ac_power_w"] = 1000, [SensorQuantities.PoaWm2] = CloudPoaWm2, [SensorQuantities.TempModuleC] = CloudModuleC,
        }, 3)).ExpectedW;

        Assert.Equal(modelled, poaOnly);
        Assert.Equal(models.Model.ExpectedAcFromPoaW(CloudPoaWm2, CloudModuleC)!.Value, both, 1e-6);
        Assert.True(both < 0.5 * modelled, $"cloud {both:0} W against clear sky {modelled:0} W");
    }
}
