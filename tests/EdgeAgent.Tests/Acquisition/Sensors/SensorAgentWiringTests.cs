using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using PvEdge.EdgeAgent.Commands;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Storage;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

/// <summary>The sensors inside the running agent: <c>Sensors:File</c> and <c>Sensors:Simulated</c>, the whole host on a fake clock
/// with the simulated twins beside the in-process inverter, and bad sensor files at start.</summary>
public sealed class SensorAgentWiringTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 6, 21, 15, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-sensors-").FullName;

    private string SensorFile(string json)
    {
        var path = Path.Combine(_dir, $"sensors-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static string AllSensorsJson => File.ReadAllText(RepoPaths.InRepo("src/EdgeAgent/Acquisition/Sensors/sensors.example.json"));

    private AgentHostSettings Settings(FakeTimeProvider fake, string sensorFile) =>
        PvEdge.EdgeAgent.Tests.Hosting.OfflineHost.Settings(_dir, fake, "sensortest", new Dictionary<string, string?>
        {
            ["Mqtt:ReconnectMinS"] = "5",
            ["Acquisition:SimulatedCadenceS"] = "10",
            ["Sensors:File"] = sensorFile,
            ["Sensors:Simulated"] = "true",
        });

    [Fact]
    public async Task Run_SimulatedSensorsOnFakeClock_TelemetryHistoryAndCsvCarrySensorValues()
    {
        var fake = new FakeTimeProvider(Start);
        var settings = Settings(fake, SensorFile(AllSensorsJson));
        var setup = AgentHost.Configure(settings);
        var weather = new SimulatedWeather();
        var dbPath = settings.Overrides!["Storage:Path"]!;
        using (var host = AgentHost.Build(settings, setup))
        {
            await host.StartAsync();
            try
            {
                var sensors = host.Services.GetRequiredService<SensorSet>();
                Assert.Equal(["module-temp", "air", "poa", "meter", "wind"], sensors.Sources.Select(s => s.Name));
                var polled = host.Services.GetRequiredService<IEnumerable<IReadingSource>>().Select(s => s.Name).ToList();
                Assert.Equal(["simulated-inverter", "module-temp", "air", "poa", "meter", "wind"], polled);
                for (var i = 0; i < 7 * 12; i++)
                {
                    fake.Advance(TimeSpan.FromSeconds(5));
                    await Task.Delay(20);
                    if (i == 4 * 12)
                    {
                        // the module probes come loose at 15:04:05: their column turns missing, the others carry on
                        var bus = ((SimulatedSensorHardware)sensors.Hardware!).OneWireBus;
                        foreach (var id in SimulatedSensorHardware.DefaultProbeIds)
                        {
                            bus.Unplug(id);
                        }
                    }
                }
                await Task.Delay(300);

                var db = host.Services.GetRequiredService<AgentDatabase>();
                var telemetry = db.PeekOutbox(10_000).Where(m => m.Topic == "pvedge/sensortest/telemetry")
                    .Select(m => JsonDocument.Parse(m.Payload).RootElement)
                    .ToDictionary(p => DateTimeOffset.Parse(p.GetProperty("start").GetString()!, CultureInfo.InvariantCulture), p => p.GetProperty("readings"));
                Assert.True(telemetry.Count >= 6, $"{telemetry.Count} telemetry messages");
                // The acquisition loop may lag the fake clock on a loaded machine, so a minute can lose a source: every quantity must be
                // good in some minute before the unplug, at the twins' value, and never good with another value.
                var before = telemetry.Where(kv => kv.Key < Start.AddMinutes(4)).Select(kv => kv.Value).ToList();
                AssertGood(before, "poa_wm2", weather.PoaWm2, 1.0);
                AssertGood(before, "temp_module_c", weather.TempModuleC, 0.1);
                AssertGood(before, "temp_air_c", weather.TempAirC, 0.05);
                AssertGood(before, "humidity_pct", weather.HumidityPct, 0.5);
                AssertGood(before, "pressure_pa", weather.PressurePa, 5);
                AssertGood(before, "wind_speed_ms", weather.WindSpeedMs, 0.2);
                AssertGood(before, "meter_power_w", weather.MeterPowerW, weather.MeterPowerW * 0.05);
                var maxKwh = weather.MeterPowerW * 4 / 60 / 1000; // the register counts up from initial_kwh 0 for at most 4 minutes
                AssertGood(before, "meter_energy_kwh", maxKwh / 2, maxKwh / 2);
                Assert.All(before, r => Assert.True(r.TryGetProperty("ac_power_w", out _), "the inverter's readings share the payload"));

                var after = telemetry.Where(kv => kv.Key >= Start.AddMinutes(5)).Select(kv => kv.Value).ToList();
                Assert.NotEmpty(after);
                Assert.All(after, r =>
                {
                    Assert.Equal("missing", r.GetProperty("temp_module_c").GetProperty("quality").GetString());
                    Assert.Equal(JsonValueKind.Null, r.GetProperty("temp_module_c").GetProperty("value").ValueKind);
                });
                AssertGood(after, "poa_wm2", weather.PoaWm2, 1.0);

                var history = db.ReadHistory(Start, Start.AddHours(1), TimeSpan.FromMinutes(1));
                foreach (var q in new[] { "poa_wm2", "temp_module_c", "temp_air_c", "wind_speed_ms", "humidity_pct", "pressure_pa", "meter_energy_kwh", "meter_power_w" })
                {
                    Assert.Contains(history, v => v.Quantity == q && v.Value is not null);
                }
            }
            finally
            {
                await host.StopAsync();
            }
        }

        var csv = Path.Combine(_dir, "history.csv");
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("edgeagent",
            ["export-history", "--db", dbPath, "--from", "2026-06-21T15:00:00Z", "--to", "2026-06-21T16:00:00Z", "--step", "1", "--out", csv],
            [new ExportHistoryCommand()], new CliContext(output, output, fake), CancellationToken.None);
        Assert.True(code == 0, output.ToString());
        var lines = File.ReadAllLines(csv);
        var header = lines[0].Split(',');
        Assert.Equal(["time", "ac_power_w", "dc_power_w", "dc_power_w__mppt1", "dc_power_w__mppt2", "poa_wm2", "temp_air_c", "temp_module_c", "wind_speed_ms", "inverter_state", "meter_power_w", "meter_energy_kwh"], header);
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        foreach (var (column, value, tolerance) in new[] { ("poa_wm2", weather.PoaWm2, 1.0), ("temp_module_c", weather.TempModuleC, 0.1), ("temp_air_c", weather.TempAirC, 0.05),
            ("wind_speed_ms", weather.WindSpeedMs, 0.2), ("meter_power_w", weather.MeterPowerW, weather.MeterPowerW * 0.05) })
        {
            var cells = rows.Select(r => r[Array.IndexOf(header, column)]).Where(c => c.Length > 0).ToList();
            Assert.NotEmpty(cells);
            Assert.All(cells, c => Assert.Equal(value, double.Parse(c, CultureInfo.InvariantCulture), tolerance));
        }
        Assert.Equal("", rows[^1][Array.IndexOf(header, "temp_module_c")]);
        var energy = rows.Select(r => r[Array.IndexOf(header, "meter_energy_kwh")]).Where(c => c.Length > 0).Select(c => double.Parse(c, CultureInfo.InvariantCulture)).ToList();
        Assert.True(energy.Count >= 2 && energy[^1] > energy[0], $"the meter's energy counts up in the CSV: {string.Join(' ', energy)}");
    }

    /// <summary>The quantity is good in at least one of the payloads, and every good value is the expected one.</summary>
    private static void AssertGood(IReadOnlyList<JsonElement> payloads, string quantity, double expected, double tolerance)
    {
        var good = new List<double>();
        foreach (var readings in payloads)
        {
            Assert.True(readings.TryGetProperty(quantity, out var r), $"{quantity} not in the telemetry payload {readings}");
            if (r.GetProperty("quality").GetString() == "good")
            {
                good.Add(r.GetProperty("value").GetDouble());
            }
        }
        Assert.True(good.Count > 0, $"{quantity} never good in {payloads.Count} payloads");
        Assert.All(good, v => Assert.Equal(expected, v, tolerance));
    }

    [Fact]
    public void Build_WithoutSensorFile_PollsOnlyTheInverter()
    {
        var settings = Settings(new FakeTimeProvider(Start), "");
        using var host = AgentHost.Build(settings, AgentHost.Configure(settings));
        Assert.Empty(host.Services.GetRequiredService<SensorSet>().Sources);
        Assert.Equal(["simulated-inverter"], host.Services.GetRequiredService<IEnumerable<IReadingSource>>().Select(s => s.Name));
    }

    [Fact]
    public void Dispose_HostAndSensorSet_SourcesReleasePinsBeforeHardwareGoes()
    {
        var json = """{ "sensors": [ { "name": "wind", "kind": "anemometer", "pin": 27, "ms_per_hz": 0.667 } ] }""";
        var settings = Settings(new FakeTimeProvider(Start), SensorFile(json));
        var host = AgentHost.Build(settings, AgentHost.Configure(settings));
        var hardware = (SimulatedSensorHardware)host.Services.GetRequiredService<SensorSet>().Hardware!;
        Assert.Equal([27], hardware.Driver.OpenPins);
        host.Dispose();
        Assert.Empty(hardware.Driver.OpenPins);

        var options = SensorOptions.Parse(json, "sensors.json");
        var recording = new RecordingHardware(new SimulatedSensorHardware(options, Start));
        var set = new SensorSet(SensorSourceFactory.Create(options, recording), recording);
        set.Dispose();
        Assert.Equal(0, recording.OpenPinsAtDispose);
    }

    /// <summary>Remembers how many pins were still open when it was disposed.</summary>
    private sealed class RecordingHardware(SimulatedSensorHardware inner) : ISensorHardware
    {
        public int? OpenPinsAtDispose { get; private set; }
        public string Description => inner.Description;
        public TimeProvider Time => inner.Time;
        public System.Device.Gpio.GpioController Gpio => inner.Gpio;
        public System.Device.I2c.I2cDevice OpenI2c(int bus, int address) => inner.OpenI2c(bus, address);
        public OneWireThermometerReader OneWire(string devicesRoot) => inner.OneWire(devicesRoot);
        public Task SettleAsync(TimeSpan span, CancellationToken cancellationToken) => inner.SettleAsync(span, cancellationToken);

        public void Dispose()
        {
            OpenPinsAtDispose = inner.Driver.OpenPins.Count;
            inner.Dispose();
        }
    }

    [Theory]
    [InlineData("""{ "sensors": [ { "name": "meter", "kind": "s0_meter", "pin": 40, "impulses_per_kwh": 1000 } ] }""", "sensors[0].pin: 40 is out of range")]
    [InlineData("""{ "sensors": [ { "name": "a", "kind": "bme280", "address": "0x76" }, { "name": "b", "kind": "bme280", "address": "0x76" } ] }""", "sensors[1].address: 0x76 on I²C bus 1 is already used by sensors[0] 'a'")]
    [InlineData("""{ "sensors": [ { "name": "m", "kind": "s0_meter", "pin": 17, "impulses_per_kwh": 1000 }, { "name": "w", "kind": "anemometer", "pin": 17, "ms_per_hz": 0.667 } ] }""", "sensors[1].pin: BCM 17 is already claimed by sensors[0] 'm'")]
    [InlineData("""{ "sensors": [ { "name": "m", "kind": "s0_meter", "pin": 17, "impulses_per_kwh": 1000, } ], "sensor": 1 }""", "'sensor' could not be mapped")]
    public async Task CheckConfigAndRun_BadSensorFile_OneLineNamingKeyAndExit2(string json, string expected)
    {
        var sensors = SensorFile(json);
        var config = Path.Combine(_dir, "edgeagent.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Sensors = new { File = sensors }, Storage = new { Path = Path.Combine(_dir, "b.db") } }));
        foreach (ICliCommand command in new ICliCommand[] { new CheckConfigCommand(), new RunCommand() })
        {
            var output = new StringWriter(CultureInfo.InvariantCulture);
            var error = new StringWriter(CultureInfo.InvariantCulture);
            var code = await CliHost.RunAsync("edgeagent", [command.Name, "--config", config], [command], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
            Assert.Equal(2, code);
            var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains("Sensors:File", line, StringComparison.Ordinal);
            Assert.Contains(sensors, line, StringComparison.Ordinal);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configure_SensorFileMissing_OneLineNamingKey()
    {
        var missing = Path.Combine(_dir, "nope.json");
        var settings = Settings(new FakeTimeProvider(Start), missing);
        var ex = Assert.Throws<InputException>(() => AgentHost.Configure(settings));
        Assert.Equal($"configuration key 'Sensors:File' = '{missing}': file not found", ex.Message);
    }

    [Fact]
    public async Task CheckConfig_GoodSensorFile_ListsSensorsAndExits0()
    {
        var config = Path.Combine(_dir, "edgeagent.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new { Sensors = new { File = SensorFile(AllSensorsJson), Simulated = true } }));
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("edgeagent", ["check-config", "--config", config], [new CheckConfigCommand()], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        Assert.Contains("sensors: 5 (module-temp ds18b20 1-wire gpio 4, air bme280 i2c-1 0x76, poa pyranometer i2c-1 0x48, meter s0_meter gpio 17, wind anemometer gpio 27) on simulated twins", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Sensors", error.ToString(), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
