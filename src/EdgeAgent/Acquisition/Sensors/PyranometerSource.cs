using System.Device.I2c;
using System.Globalization;
using Iot.Device.Ads1115;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>The ADS1115 inputs an installer can name in config.</summary>
public static class AdcChannels
{
    private static readonly Dictionary<string, InputMultiplexer> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["ain0_ain1"] = InputMultiplexer.AIN0_AIN1,
        ["ain0_ain3"] = InputMultiplexer.AIN0_AIN3,
        ["ain1_ain3"] = InputMultiplexer.AIN1_AIN3,
        ["ain2_ain3"] = InputMultiplexer.AIN2_AIN3,
        ["ain0"] = InputMultiplexer.AIN0,
        ["ain1"] = InputMultiplexer.AIN1,
        ["ain2"] = InputMultiplexer.AIN2,
        ["ain3"] = InputMultiplexer.AIN3,
    };

    public static bool TryParse(string? name, out InputMultiplexer mux) => Names.TryGetValue(name ?? "", out mux);

    public static MeasuringRange RangeFromMillivolts(int rangeMv) => rangeMv switch
    {
        6144 => MeasuringRange.FS6144,
        4096 => MeasuringRange.FS4096,
        2048 => MeasuringRange.FS2048,
        1024 => MeasuringRange.FS1024,
        512 => MeasuringRange.FS0512,
        256 => MeasuringRange.FS0256,
        _ => throw new ArgumentOutOfRangeException(nameof(rangeMv), rangeMv, "expected 256, 512, 1024, 2048, 4096 or 6144"),
    };
}

/// <summary>Plane-of-array irradiance from a thermopile pyranometer or a reference cell's shunt voltage, read single-shot by an
/// ADS1115 through Iot.Device.Ads1115: <c>poa_wm2 = (µV − offset_uv) / sensitivity_uv_per_wm2</c>.
/// Small negative night values (thermal offset) read 0; below the tolerance, above <c>max_wm2</c> or at the ADC's full scale they are suspect.</summary>
public sealed class PyranometerSource : I2cSensorSource
{
    private static readonly string[] Produces = [SensorQuantities.PoaWm2];

    private readonly InputMultiplexer _mux;
    private readonly MeasuringRange _range;
    private readonly double _sensitivityUvPerWm2;

    /// <param name="shouldDispose">True to dispose <paramref name="device"/> with this source.</param>
    public PyranometerSource(SensorConfig config, I2cDevice device, TimeProvider time, bool shouldDispose = true)
        : base(config, device, time, shouldDispose)
    {
        if (!AdcChannels.TryParse(config.Channel, out _mux))
        {
            throw new ArgumentException($"unknown ADS1115 channel '{config.Channel}'", nameof(config));
        }
        _range = AdcChannels.RangeFromMillivolts(config.RangeMv);
        _sensitivityUvPerWm2 = config.SensitivityUvPerWm2 is > 0 and var s ? s : throw new ArgumentException("sensitivity_uv_per_wm2 must be > 0", nameof(config));
    }

    public override IReadOnlyList<string> Quantities => Produces;

    /// <summary>The input voltage of the last good read, µV.</summary>
    public double? LastMicrovolts { get; private set; }

    public override async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var (raw, failure) = await WithRetriesAsync(Convert, cancellationToken).ConfigureAwait(false);
        var at = Time.GetUtcNow();
        var q = SensorQuantities.PoaWm2;
        if (failure is not null)
        {
            LastDetail = failure;
            LastMicrovolts = null;
            return [Missing(q, at, failure)];
        }
        var fullScaleUv = Config.RangeMv * 1000.0;
        var microvolts = raw * fullScaleUv / 32768.0;
        LastMicrovolts = microvolts;
        var wm2 = (microvolts - Config.OffsetUv) / _sensitivityUvPerWm2;
        LastDetail = string.Create(CultureInfo.InvariantCulture, $"{microvolts:0.#} µV on {Config.Channel}, ±{Config.RangeMv} mV");
        if (raw is short.MaxValue or short.MinValue)
        {
            return [Suspect(q, wm2, at, string.Create(CultureInfo.InvariantCulture, $"ADC saturated at ±{Config.RangeMv} mV: choose a wider range_mv"))];
        }
        if (wm2 < -Config.NightToleranceWm2)
        {
            return [Suspect(q, wm2, at, string.Create(CultureInfo.InvariantCulture, $"{wm2:0.#} W/m² is below −{Config.NightToleranceWm2} W/m²: check the wiring polarity or offset_uv"))];
        }
        if (wm2 < 0)
        {
            return [Good(q, 0, at, string.Create(CultureInfo.InvariantCulture, $"night offset {wm2:0.#} W/m² read as 0"))];
        }
        if (wm2 > Config.MaxWm2)
        {
            return [Suspect(q, wm2, at, string.Create(CultureInfo.InvariantCulture, $"{wm2:0} W/m² is above max_wm2 {Config.MaxWm2}"))];
        }
        return [Good(q, wm2, at)];
    }

    private Attempt<short> Convert()
    {
        try
        {
            // Single-shot ("power-down") mode: each read starts one conversion and waits for the OS bit.
            if (Binding is not Ads1115 adc)
            {
                Binding = adc = new Ads1115(Device, _mux, _range, DataRate.SPS064, DeviceMode.PowerDown);
            }
            return Attempt<short>.Ok(adc.ReadRaw());
        }
        catch (IOException ex)
        {
            Binding = null;
            return Attempt<short>.Retry($"I²C error at {Wiring}: {ex.Message}");
        }
        catch (TimeoutException)
        {
            Binding = null;
            return Attempt<short>.Retry($"ADS1115 at {Wiring}: conversion did not finish");
        }
    }
}
