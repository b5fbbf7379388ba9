using System.Device.I2c;
using System.Globalization;
using Iot.Device.Bmxx80;
using Iot.Device.Bmxx80.PowerMode;
using UnitsNet;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>Air temperature, humidity and pressure from a BME280 through Iot.Device.Bmxx80, one forced-mode measurement per read.
/// The binding is created on the first read (its constructor checks the chip id 0x60 and reads the calibration), so a sensor
/// that is absent at start-up reads as missing and is found when it answers.</summary>
public sealed class Bme280Source : I2cSensorSource
{
    private static readonly string[] Produces = [SensorQuantities.TempAirC, SensorQuantities.HumidityPct, SensorQuantities.PressurePa];
    private static readonly TimeSpan StatusPoll = TimeSpan.FromMilliseconds(2);
    private const int MaxStatusPolls = 50;
    private const byte TempMsbRegister = 0xFA;
    private const int ResetValue = 0x80000;


    /// <param name="device">The chip on its bus and address.</param>
    /// <param name="shouldDispose">True to dispose <paramref name="device"/> with this source.</param>
    public Bme280Source(SensorConfig config, I2cDevice device, TimeProvider time, bool shouldDispose = true)
        : base(config, device, time, shouldDispose)
    {
    }

    public override IReadOnlyList<string> Quantities => Produces;

    public override async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        var (values, failure) = await WithRetriesAsync(ct => MeasureAsync(ct), cancellationToken).ConfigureAwait(false);
        var at = Time.GetUtcNow();
        if (failure is not null)
        {
            LastDetail = failure;
            return AllMissing(at, failure);
        }
        var (tempC, humidityPct, pressurePa) = values;
        LastDetail = string.Create(CultureInfo.InvariantCulture, $"chip id 0x60 at {Wiring}");
        return
        [
            Check(SensorQuantities.TempAirC, tempC, -40, 85, "°C", at),
            Check(SensorQuantities.HumidityPct, humidityPct, 0, 100, "%", at),
            Check(SensorQuantities.PressurePa, pressurePa, 30_000, 110_000, "Pa", at),
        ];
    }

    /// <summary>Outside the chip's operating range (datasheet: −40 to 85 °C, 300 to 1100 hPa) the value is suspect.</summary>
    private Reading Check(string quantity, double value, double min, double max, string unit, DateTimeOffset at) =>
        value >= min && value <= max
            ? Good(quantity, value, at)
            : Suspect(quantity, value, at, string.Create(CultureInfo.InvariantCulture, $"{value:0.##} {unit} outside the BME280's range {min} to {max}"));

    /// <summary>adc_T as the chip holds it (20 bits); 0x80000 until a measurement has run.</summary>
    private int RawTemperature()
    {
        Span<byte> raw = stackalloc byte[3];
        Device.WriteRead([TempMsbRegister], raw);
        return (raw[0] << 12) | (raw[1] << 4) | (raw[2] >> 4);
    }

    private async ValueTask<Attempt<(double, double, double)>> MeasureAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (Binding is not Bme280 bme)
            {
                try
                {
                    Binding = bme = new Bme280(Device);
                }
                catch (IOException ex) when (ex.Message.Contains("chip with id", StringComparison.Ordinal))
                {
                    return Attempt<(double, double, double)>.Fail($"not a BME280 at {Wiring} ({ex.Message})");
                }
            }
            bme.SetPowerMode(Bmx280PowerMode.Forced);
            for (var i = 0; bme.ReadStatus().Measuring; i++)
            {
                if (i >= MaxStatusPolls)
                {
                    return Attempt<(double, double, double)>.Retry("measurement did not finish (status bit 3 stuck)");
                }
                await Task.Delay(StatusPoll, Time, cancellationToken).ConfigureAwait(false);
            }
            if (RawTemperature() == ResetValue)
            {
                return Attempt<(double, double, double)>.Retry("no measurement: the data registers still hold the reset value 0x80000");
            }
            if (!bme.TryReadTemperature(out Temperature t) || !bme.TryReadPressure(out Pressure p) || !bme.TryReadHumidity(out RelativeHumidity h))
            {
                return Attempt<(double, double, double)>.Fail("a measurement is switched off (oversampling skipped)");
            }
            return Attempt<(double, double, double)>.Ok((t.DegreesCelsius, h.Percent, p.Pascals));
        }
        catch (IOException ex)
        {
            // The binding is rebuilt on the next try: the chip may have been swapped or power-cycled.
            Binding = null;
            return Attempt<(double, double, double)>.Retry($"I²C error at {Wiring}: {ex.Message}");
        }
    }
}
