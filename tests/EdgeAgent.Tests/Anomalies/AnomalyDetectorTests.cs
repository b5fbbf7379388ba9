using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Anomalies;

public sealed class AnomalyDetectorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 16, 0, 0, TimeSpan.Zero);
    private const double Rating = 4000;

    private static DetectorInput Minute(int i, double? acW, double expectedW = 3000, double clearW = 3500, double state = 4)
    {
        var values = new Dictionary<string, double?> { ["ac_power_w"] = acW, ["inverter_state"] = state };
        return new DetectorInput(new IntervalRecord(T0.AddMinutes(i), TimeSpan.FromMinutes(1), values, 1), expectedW, clearW);
    }

    private static List<AnomalyEvent> Run(AnomalyDetector d, IEnumerable<DetectorInput> inputs) => inputs.SelectMany(i => d.Process(i)).ToList();

    [Fact]
    public void Process_ThirtyMinuteOutage_OneEventOpenedThenClosedWithStartAndEnergy()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 10 }, "gw", Rating);
        var inputs = Enumerable.Range(0, 90).Select(i => Minute(i, i is >= 20 and < 50 ? 0 : 2900));
        var events = Run(d, inputs).Where(e => e.Type == AnomalyTypes.Outage).ToList();
        Assert.Equal(2, events.Count);
        Assert.True(events[0].Open);
        Assert.False(events[1].Open);
        Assert.Equal(events[0].Id, events[1].Id);
        Assert.Equal(T0.AddMinutes(20), events[1].StartUtc);
        Assert.Equal(T0.AddMinutes(50), events[1].EndUtc);
        Assert.Equal(3000 * 0.5 / 1000, events[1].EnergyLostKwh, 6);
        Assert.Equal("critical", events[1].Severity);
        Assert.Empty(d.OpenEvents);
    }

    [Theory]
    [InlineData(double.PositiveInfinity, 3990)] // held at the 4000 W rating
    [InlineData(2800, 2795)] // held at an export limit under the rating
    public void Process_HeldAtTheLimitWhileTheModelReachesIt_Clipping(double acLimitW, double acW)
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 10 }, "gw", Rating);
        var expected = Math.Min(Rating, acLimitW);
        var inputs = Enumerable.Range(0, 60).Select(i => Minute(i, i < 40 ? acW : 0.6 * expected, expected, 4500) with { AcLimitW = acLimitW });
        var events = Run(d, inputs).Where(e => e.Type == AnomalyTypes.Clipping).ToList();
        Assert.Equal(2, events.Count);
        Assert.Equal(T0, events[0].StartUtc);
        Assert.Equal(T0.AddMinutes(40), events[1].EndUtc);
        Assert.Equal("info", events[1].Severity);
    }

    [Fact]
    public void Process_AtTheLimitWhenTheModelExpectsLess_NoClipping()
    {
        // a plant at its rating under a sky the model says gives 3000 W is not held back by its inverter
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 10 }, "gw", Rating);
        var events = Run(d, Enumerable.Range(0, 60).Select(i => Minute(i, 3990)));
        Assert.DoesNotContain(events, e => e.Type == AnomalyTypes.Clipping);
    }

    [Fact]
    public void Restore_EventWhoseCheckNoLongerRuns_ClosedAfterAnHourOfDaylight()
    {
        // a string-loss event open before a restart, on an inverter that no longer reports its MPPTs: nothing can judge it again
        var d = new AnomalyDetector(new AnomalyOptions(), "gw", Rating);
        var restored = new AnomalyEvent("gw-mppt_imbalance-1", AnomalyTypes.MpptImbalance, "major", true, T0.AddDays(-1), null, 3000, 1500, 12,
            new Dictionary<string, double> { ["minutes"] = 300 });
        d.Restore([restored]);
        Assert.Equal(restored.Id, Assert.Single(d.OpenEvents).Id);

        var events = Run(d, Enumerable.Range(0, 90).Select(i => Minute(i, 2900)));

        var closed = Assert.Single(events);
        Assert.Equal((restored.Id, false), (closed.Id, closed.Open));
        Assert.Equal(T0.AddMinutes(AnomalyDetector.RestoredCheckMinutes - 1), closed.EndUtc);
        Assert.Equal(restored.StartUtc, closed.StartUtc);
        Assert.Empty(d.OpenEvents);
    }

    [Fact]
    public void Process_DipShorterThanDebounce_NoEvent()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 10 }, "gw", Rating);
        Assert.Empty(Run(d, Enumerable.Range(0, 60).Select(i => Minute(i, i is >= 20 and < 25 ? 0 : 2900))));
    }

    [Fact]
    public void Process_Night_Suppressed()
    {
        var d = new AnomalyDetector(new AnomalyOptions(), "gw", Rating);
        Assert.Empty(Run(d, Enumerable.Range(0, 120).Select(i => Minute(i, 0, expectedW: 0, clearW: 0))));
        Assert.Equal(0, d.JudgedMinutes);
        Run(d, Enumerable.Range(120, 45).Select(i => Minute(i, 2900)));
        Assert.Equal(45, d.JudgedMinutes);
    }

    [Fact]
    public void Process_FaultState_InverterFaultNotOutage()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 5 }, "gw", Rating);
        var events = Run(d, Enumerable.Range(0, 30).Select(i => Minute(i, 0, state: 7)));
        Assert.Equal(AnomalyTypes.InverterFault, Assert.Single(events).Type);
    }

    [Fact]
    public void Process_AllValuesMissingInDaylight_CommunicationLost()
    {
        var d = new AnomalyDetector(new AnomalyOptions { CommunicationLostMinutes = 5 }, "gw", Rating);
        var inputs = Enumerable.Range(0, 20).Select(i => new DetectorInput(
            new IntervalRecord(T0.AddMinutes(i), TimeSpan.FromMinutes(1), new Dictionary<string, double?> { ["ac_power_w"] = null }, 0), 3000, 3500));
        var e = Assert.Single(Run(d, inputs));
        Assert.Equal(AnomalyTypes.CommunicationLost, e.Type);
        Assert.Equal(T0, e.StartUtc);
    }

    [Fact]
    public void Process_OutageAcrossNight_StaysOneEvent()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 10 }, "gw", Rating);
        var inputs = Enumerable.Range(0, 200).Select(i => i switch
        {
            < 60 => Minute(i, 0),
            < 140 => Minute(i, 0, expectedW: 0, clearW: 0), // night: suppressed, state holds
            _ => Minute(i, 0),
        });
        var events = Run(d, inputs);
        Assert.Single(events);
        Assert.Single(d.OpenEvents);
    }

    [Fact]
    public void ToPayload_Event_HasSchemaFieldsOfFormats()
    {
        var e = new AnomalyEvent("gw-outage-1", AnomalyTypes.Outage, "critical", false, T0, T0.AddHours(1), 3000, 0, 3, new Dictionary<string, double> { ["ratio"] = 0 });
        using var doc = System.Text.Json.JsonDocument.Parse(e.ToPayload("gw", T0.AddHours(1)));
        var r = doc.RootElement;
        Assert.Equal(1, r.GetProperty("schema").GetInt32());
        Assert.Equal("gw", r.GetProperty("gateway").GetString());
        Assert.EndsWith("Z", r.GetProperty("ts").GetString(), StringComparison.Ordinal);
        foreach (var k in new[] { "id", "type", "severity", "state", "start", "end", "expected_w", "measured_w", "energy_lost_kwh", "evidence" })
        {
            Assert.True(r.TryGetProperty(k, out _), k);
        }
        Assert.Equal("closed", r.GetProperty("state").GetString());
    }

    private static DetectorInput WithPoa(int i, double poaWm2, double clearW) =>
        new(new IntervalRecord(T0.AddMinutes(i), TimeSpan.FromMinutes(1),
            new Dictionary<string, double?> { ["ac_power_w"] = 2900, ["inverter_state"] = 4, ["poa_wm2"] = poaWm2, ["temp_module_c"] = 40 }, 1), 3000, clearW);

    [Fact]
    public void Process_PoaFrozenWhileTheSunMoves_SensorStuck()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 5 }, "gw", Rating);
        var events = Run(d, Enumerable.Range(0, 90).Select(i => WithPoa(i, i < 10 ? 700 + i : 710, 3500 - 5 * i)));
        Assert.Equal(AnomalyTypes.SensorStuck, Assert.Single(events).Type);
    }

    [Fact]
    public void Process_PoaSteadyAtAFlatClearNoon_NoSensorStuck()
    {
        var d = new AnomalyDetector(new AnomalyOptions { DebounceMinutes = 5 }, "gw", Rating);
        // an integer register holding 951 W/m² for 50 minutes while the clear sky moves by less than 1 % of the rating
        Assert.Empty(Run(d, Enumerable.Range(0, 50).Select(i => WithPoa(i, 951, 3600 - 0.5 * Math.Abs(i - 25)))));
    }
}
