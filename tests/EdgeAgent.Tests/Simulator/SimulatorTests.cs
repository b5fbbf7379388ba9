using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using PvEdge.InverterSimulator;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Simulator;

/// <summary>The simulator's own pieces: clock, fault schedule, physics plant, command line.</summary>
public sealed class SimulatorTests
{
    [Fact]
    public void SimulatedClock_Speed60_OneRealMinuteIsOneSimulatedHour()
    {
        var real = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", CultureInfo.InvariantCulture));
        var start = DateTimeOffset.Parse("2026-06-21T06:00:00Z", CultureInfo.InvariantCulture);
        var clock = new SimulatedClock(start, 60, real);
        Assert.Equal(start, clock.GetUtcNow());
        real.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(start.AddHours(1), clock.GetUtcNow());
    }

    [Theory]
    [InlineData("""{ "faults": [ { "type": "explode", "start": "2026-06-21T12:00:00Z", "end": "2026-06-21T13:00:00Z" } ] }""", "f.json: faults[0].type: expected one of mppt2_outage")]
    [InlineData("""{ "faults": [ { "type": "throttle", "start": "2026-06-21T12:00:00Z", "end": "2026-06-21T13:00:00Z" } ] }""", "f.json: faults[0].limit_pct: expected a number in [0, 100]")]
    [InlineData("""{ "faults": [ { "type": "comm_stall", "start": "2026-06-21T12:00:00", "end": "2026-06-21T13:00:00Z" } ] }""", "f.json: faults[0].start: expected an ISO-8601 time with an offset")]
    [InlineData("""{ "faults": [ { "type": "comm_stall", "start": "2026-06-21T14:00:00Z", "end": "2026-06-21T13:00:00Z" } ] }""", "f.json: faults[0].end: must be after start")]
    [InlineData("""{ "faults": [ { "type": "frozen_sensor", "sensor": "rain", "start": "2026-06-21T12:00:00Z", "end": "2026-06-21T13:00:00Z" } ] }""", "f.json: faults[0].sensor: expected one of")]
    [InlineData("""{ "fault": [] }""", "f.json: faults: expected an array")]
    public void FaultSchedule_BadInput_OneLineNamingTheKey(string json, string expected) =>
        Assert.StartsWith(expected, Assert.Throws<InputException>(() => FaultSchedule.Parse(json, "f.json")).Message, StringComparison.Ordinal);

    [Fact]
    public void FaultSchedule_ActiveWindow_IsHalfOpen()
    {
        var s = FaultSchedule.Parse("""{ "faults": [ { "type": "inverter_fault", "start": "2026-06-21T12:00:00+02:00", "end": "2026-06-21T13:00:00+02:00" } ] }""", "f.json");
        var start = DateTimeOffset.Parse("2026-06-21T10:00:00Z", CultureInfo.InvariantCulture);
        Assert.NotNull(s.Active(FaultKind.InverterFault, start));
        Assert.Null(s.Active(FaultKind.InverterFault, start.AddHours(1)));
        Assert.Null(s.Active(FaultKind.Throttle, start));
    }

    [Fact]
    public void FaultSchedule_ToJson_ParsesBackToTheSameFaults()
    {
        var t = DateTimeOffset.Parse("2026-06-21T12:00:00Z", CultureInfo.InvariantCulture);
        var schedule = new FaultSchedule([
            new Fault(FaultKind.Outage, t, t.AddHours(1)),
            new Fault(FaultKind.Throttle, t, t.AddHours(2), LimitPct: 40),
            new Fault(FaultKind.FrozenSensor, t, t.AddHours(3), Sensor: "poa"),
            new Fault(FaultKind.Degradation, t, t.AddDays(400), RatePctPerYear: 3),
        ]);
        Assert.Equal(schedule.Faults, FaultSchedule.Parse(schedule.ToJson(), "f.json").Faults);
    }

    [Theory]
    [InlineData("""{ "faults": [ { "type": "degradation", "start": "2026-06-21T12:00:00Z", "end": "2027-06-21T13:00:00Z" } ] }""")]
    [InlineData("""{ "faults": [ { "type": "degradation", "rate_pct_per_year": -1, "start": "2026-06-21T12:00:00Z", "end": "2027-06-21T13:00:00Z" } ] }""")]
    public void FaultSchedule_DegradationWithoutPositiveRate_OneLineNamingTheKey(string json) =>
        Assert.StartsWith("f.json: faults[0].rate_pct_per_year: expected a number in (0, 100]", Assert.Throws<InputException>(() => FaultSchedule.Parse(json, "f.json")).Message, StringComparison.Ordinal);

    [Fact]
    public async Task Engine_OutageAndDegradation_OffWithNoPowerThenAYearLaterThreePercentLess()
    {
        var noon = DateTimeOffset.Parse("2026-06-21T17:20:00Z", CultureInfo.InvariantCulture);
        var clock = new Demo.ManualClock(noon);
        var plant = new PhysicsPlant(PlantFactory.DemoSite(), null);
        await using var host = InverterSimulatorHost.Start(new InverterSimulatorOptions
        {
            Plant = plant, Clock = clock, Port = 0,
            Faults = new FaultSchedule([new Fault(FaultKind.Outage, noon, noon.AddHours(1)), new Fault(FaultKind.Degradation, noon, noon.AddYears(5), RatePctPerYear: 3)]),
        });
        Assert.Equal(0, host.Engine.LastInverter!.AcPowerW);
        Assert.Equal(0, host.Engine.LastInverter.DcPowerW.Sum());
        Assert.Equal(1, host.Engine.LastInverter.State); // OFF, not FAULT (7)
        clock.UtcNow = noon.AddDays(365.25);
        host.Engine.Refresh();
        Assert.Equal(0.97 * plant.Sample(clock.UtcNow).AcPowerW, host.Engine.LastInverter.AcPowerW, 6);
    }

    [Fact]
    public void PhysicsPlant_DemoSiteClearSky_NoonNearRatingNightZero()
    {
        var plant = new PhysicsPlant(PlantFactory.DemoSite(), null);
        var noon = plant.Sample(DateTimeOffset.Parse("2026-06-21T17:20:00Z", CultureInfo.InvariantCulture));
        var night = plant.Sample(DateTimeOffset.Parse("2026-06-21T05:00:00Z", CultureInfo.InvariantCulture));
        Assert.InRange(noon.PoaWm2, 850, 1150);
        Assert.InRange(noon.AcPowerW, 0.6 * plant.AcRatingW, plant.AcRatingW);
        Assert.Equal(noon.DcPowerW[0], noon.DcPowerW[1], 6); // one plane split over two strings
        Assert.True(noon.TempModuleC > noon.TempAirC);
        Assert.Equal(0, night.AcPowerW);
        Assert.Equal(0, night.PoaWm2);
    }

    [SkippableFact]
    public void PhysicsPlant_Tmy3Weather_FollowsTheFileByTimeOfYear()
    {
        var path = RepoPaths.Shared("data/weather/723170TYA.CSV");
        Skip.IfNot(File.Exists(path), "shared weather file missing");
        var weather = WeatherReader.Load(path);
        var plant = new PhysicsPlant(PlantFactory.DemoSite(), weather);
        // a row of the file, replayed in 2026: the GHI published equals the file's (interpolation at a row midpoint)
        var i = Enumerable.Range(0, weather.Count).First(k => weather.GhiWm2[k] > 500 && weather.TimeMid[k].Month == 6);
        var t = weather.TimeMid[i].UtcDateTime;
        var in2026 = new DateTimeOffset(2026, t.Month, t.Day, t.Hour, t.Minute, 0, TimeSpan.Zero);
        var sample = plant.Sample(in2026);
        Assert.Equal(weather.GhiWm2[i], sample.GhiWm2, 1);
        Assert.True(sample.AcPowerW > 0);
    }

    [Fact]
    public async Task Command_BadFaultFile_Exits2WithOneLine()
    {
        var file = Path.GetTempFileName();
        await File.WriteAllTextAsync(file, """{ "faults": [ { "type": "nope" } ] }""");
        var error = new StringWriter();
        var code = await SimulatorCommand.RunAsync(["--port", "0", "--faults", file], TextWriter.Null, error, TimeProvider.System, CancellationToken.None);
        File.Delete(file);
        Assert.Equal(2, code);
        Assert.Contains("faults[0].type: expected one of", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Command_Runs_PrintsEndpointAndStopsOnCancel()
    {
        var output = new StringWriter();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        var code = await SimulatorCommand.RunAsync(["--port", "0", "--speed", "600", "--start", "2026-06-21T16:00:00Z"], output, TextWriter.Null, TimeProvider.System, cts.Token);
        Assert.Equal(0, code);
        Assert.Contains("Modbus TCP on 127.0.0.1:", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("site greensboro-demo", output.ToString(), StringComparison.Ordinal);
    }
}
