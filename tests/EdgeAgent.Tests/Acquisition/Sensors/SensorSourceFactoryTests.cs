using System.Device.Gpio;
using System.Device.I2c;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;
using static PvEdge.EdgeAgent.Tests.Acquisition.Sensors.SensorTestConfigs;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class SensorSourceFactoryTests
{
    private static SensorOptions Example() => SensorOptions.Load(RepoPaths.InRepo("src/EdgeAgent/Acquisition/Sensors/sensors.example.json"));

    [Fact]
    public async Task Create_ExampleOnTwins_EveryHistoryColumnGoodAndNearTheWeather()
    {
        var options = Example();
        var weather = new SimulatedWeather(PoaWm2: 812, TempAirC: 17.3, HumidityPct: 66, PressurePa: 99_800, TempModuleC: 44.1, WindSpeedMs: 5.5, MeterPowerW: 3_100);
        using var hardware = new SimulatedSensorHardware(options, Start, weather);
        var sources = SensorSourceFactory.Create(options, hardware);
        try
        {
            await hardware.SettleAsync(TimeSpan.FromSeconds(30), CancellationToken.None);
            var readings = new List<Reading>();
            foreach (var s in sources)
            {
                readings.AddRange(await s.ReadAsync(CancellationToken.None));
            }

            Assert.Equal(["module-temp", "air", "poa", "meter", "wind"], sources.Select(s => s.Name));
            Assert.Equal(options.Sensors.Select(c => TimeSpan.FromSeconds(c.CadenceS)), sources.Select(s => s.Cadence));
            Assert.All(readings, r => Assert.Contains(r.Source, options.Sensors.Select(c => c.Name)));
            Assert.All(readings, r => Assert.True(r.Quality == ReadingQuality.Good, r.ToString()));
            Assert.Equal(812, Single(readings, SensorQuantities.PoaWm2).Value!.Value, 0.6);
            Assert.Equal(17.3, Single(readings, SensorQuantities.TempAirC).Value!.Value, 0.01);
            Assert.Equal(66, Single(readings, SensorQuantities.HumidityPct).Value!.Value, 0.05);
            Assert.Equal(99_800, Single(readings, SensorQuantities.PressurePa).Value!.Value, 2.0);
            Assert.Equal(44.1, Single(readings, SensorQuantities.TempModuleC).Value!.Value, 0.07); // 1/16 °C steps
            Assert.Equal(5.5, Single(readings, SensorQuantities.WindSpeedMs).Value!.Value, 0.667 / 30 + 1e-9); // ±1 pulse in 30 s
            Assert.Equal(3_100, Single(readings, SensorQuantities.MeterPowerW).Value!.Value, 3_100 * 0.001);
            Assert.All(readings, r => Assert.Equal(hardware.Clock.GetUtcNow(), r.TimestampUtc));
        }
        finally
        {
            foreach (var s in sources)
            {
                s.Dispose();
            }
        }
    }

    [Fact]
    public void Create_BadConfig_ThrowsInputExceptionBeforeTouchingHardware()
    {
        var options = new SensorOptions { Sensors = [S0Meter(pin: 28)] };
        using var hardware = new SimulatedSensorHardware(new SensorOptions(), Start);

        var ex = Assert.Throws<InputException>(() => SensorSourceFactory.Create(options, hardware));

        Assert.StartsWith("sensors[0].pin: 28 is out of range", ex.Message, StringComparison.Ordinal);
        Assert.Empty(hardware.Driver.OpenPins);
    }

    [Fact]
    public async Task Create_I2cBusCannotOpen_SourceReportsMissingWithHowToEnable()
    {
        var options = new SensorOptions { Sensors = [Bme280(), S0Meter()] };
        using var hardware = new NoI2cHardware(new SimulatedSensorHardware(options, Start));
        var sources = SensorSourceFactory.Create(options, hardware);

        var air = await sources[0].ReadAsync(CancellationToken.None);

        Assert.IsType<UnavailableSensorSource>(sources[0]);
        Assert.IsType<S0MeterSource>(sources[1]);
        Assert.Equal(3, air.Count);
        Assert.All(air, r => Assert.Contains("dtparam=i2c_arm=on", r.Reason, StringComparison.Ordinal));
        foreach (var s in sources)
        {
            s.Dispose();
        }
    }

    [Fact]
    public async Task LiveTwins_FollowTheirTimeProvider_PulsesArriveWithoutSettle()
    {
        var options = new SensorOptions { Sensors = [Anemometer()] };
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Start);
        using var hardware = new SimulatedSensorHardware(options, time, new SimulatedWeather(WindSpeedMs: 6.67));
        var sources = SensorSourceFactory.Create(options, hardware);

        time.Advance(TimeSpan.FromSeconds(10)); // fires the 50 ms catch-up timer
        var r = Assert.Single(await sources[0].ReadAsync(CancellationToken.None));
        sources[0].Dispose();

        Assert.Equal(time.GetUtcNow(), hardware.Clock.GetUtcNow());
        Assert.Equal(6.67, r.Value!.Value, 0.667 / 10 + 1e-9);
    }

    /// <summary>A Pi with I²C not enabled: /dev/i2c-1 does not exist.</summary>
    private sealed class NoI2cHardware(SimulatedSensorHardware inner) : ISensorHardware
    {
        public string Description => "no i2c";
        public TimeProvider Time => inner.Time;
        public GpioController Gpio => inner.Gpio;
        public I2cDevice OpenI2c(int bus, int address) => throw new IOException($"Error 2 initializing the I2C bus {bus}");
        public OneWireThermometerReader OneWire(string devicesRoot) => inner.OneWire(devicesRoot);
        public Task SettleAsync(TimeSpan span, CancellationToken cancellationToken) => inner.SettleAsync(span, cancellationToken);
        public void Dispose() => inner.Dispose();
    }
}
