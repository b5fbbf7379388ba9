using System.Device.I2c;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>Builds one source per configured sensor on the given hardware (real or simulated).</summary>
public static class SensorSourceFactory
{
    /// <summary>Validates <paramref name="options"/> (throws <see cref="PvEdge.Shared.Cli.InputException"/> with one line naming the key),
    /// then creates the sources in config order. A bus that cannot be opened (I²C not enabled, no GPIO chip) gives a source whose
    /// readings are missing with that reason, so one bad sensor never stops the others. The caller disposes every source, then the hardware.</summary>
    public static IReadOnlyList<SensorSource> Create(SensorOptions options, ISensorHardware hardware)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(hardware);
        SensorValidation.Validate(options);
        var sources = new List<SensorSource>(options.Sensors.Count);
        foreach (var config in options.Sensors)
        {
            sources.Add(CreateOne(config, options, hardware));
        }
        return sources;
    }

    private static SensorSource CreateOne(SensorConfig config, SensorOptions options, ISensorHardware hardware)
    {
        var time = hardware.Time;
        switch (config.Kind)
        {
            case SensorKind.Ds18b20:
                return new Ds18b20Source(config, hardware.OneWire(options.OneWireRoot), time);
            case SensorKind.Bme280:
            case SensorKind.Pyranometer:
                I2cDevice device;
                try
                {
                    device = hardware.OpenI2c(config.Bus, config.EffectiveAddress);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
                {
                    return new UnavailableSensorSource(config, time, $"cannot open /dev/i2c-{config.Bus}: {ex.Message} (enable I²C: dtparam=i2c_arm=on)");
                }
                return config.Kind == SensorKind.Bme280
                    ? new Bme280Source(config, device, time, shouldDispose: true)
                    : new PyranometerSource(config, device, time, shouldDispose: true);
            case SensorKind.S0Meter:
            case SensorKind.Anemometer:
                System.Device.Gpio.GpioController gpio;
                try
                {
                    gpio = hardware.Gpio;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or InvalidOperationException or DllNotFoundException)
                {
                    return new UnavailableSensorSource(config, time, $"no GPIO controller: {ex.Message}");
                }
                return config.Kind == SensorKind.S0Meter
                    ? new S0MeterSource(config, gpio, time, shouldDispose: false)
                    : new AnemometerSource(config, gpio, time, shouldDispose: false);
            default:
                throw new ArgumentOutOfRangeException(nameof(config), config.Kind, "unknown sensor kind");
        }
    }
}

/// <summary>A configured sensor whose bus could not be opened: every read is missing with the reason.</summary>
public sealed class UnavailableSensorSource : SensorSource
{
    private readonly string _reason;
    private readonly IReadOnlyList<string> _quantities;

    public UnavailableSensorSource(SensorConfig config, TimeProvider time, string reason)
        : base(config, time)
    {
        _reason = reason;
        LastDetail = reason;
        _quantities = config.Kind switch
        {
            SensorKind.Ds18b20 => [SensorQuantities.TempModuleC],
            SensorKind.Bme280 => [SensorQuantities.TempAirC, SensorQuantities.HumidityPct, SensorQuantities.PressurePa],
            SensorKind.Pyranometer => [SensorQuantities.PoaWm2],
            SensorKind.S0Meter => [SensorQuantities.MeterEnergyKwh, SensorQuantities.MeterPowerW],
            _ => [SensorQuantities.WindSpeedMs],
        };
    }

    public override IReadOnlyList<string> Quantities => _quantities;

    public override Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(AllMissing(Time.GetUtcNow(), _reason));
}
