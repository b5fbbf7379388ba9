using System.Globalization;
using Microsoft.Extensions.Options;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>Checks a sensor list the way an installer would wire it: every error is one line naming the key
/// (<c>sensors[2].pin</c>) and what was expected.</summary>
public static class SensorValidation
{
    /// <summary>The BCM numbers of the 40-pin header's GPIOs.</summary>
    public const int MaxBcmPin = 27;

    private static readonly int[] AdsAddresses = [0x48, 0x49, 0x4A, 0x4B];
    private static readonly int[] BmeAddresses = [0x76, 0x77];
    private static readonly int[] RangesMv = [256, 512, 1024, 2048, 4096, 6144];

    /// <summary>Throws <see cref="InputException"/> with the first error, prefixed with <paramref name="fileName"/> when given.</summary>
    public static void Validate(SensorOptions options, string? fileName = null)
    {
        var errors = Errors(options);
        if (errors.Count > 0)
        {
            throw fileName is null ? new InputException(errors[0]) : InputException.InFile(fileName, errors[0]);
        }
    }

    /// <summary>Every problem found, one line each, in the order of the list.</summary>
    public static IReadOnlyList<string> Errors(SensorOptions options)
    {
        var errors = new List<string>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var i2c = new Dictionary<(int Bus, int Address), int>();
        var pins = new Dictionary<int, int>();
        if (options.Sensors is null)
        {
            return ["sensors: expected a list of sensors, got null"];
        }
        var list = options.Sensors;
        for (var i = 0; i < list.Count; i++)
        {
            var s = list[i];
            var key = $"sensors[{i}]";
            if (s is null)
            {
                errors.Add($"{key}: expected a sensor object, got null");
                continue;
            }
            if (string.IsNullOrWhiteSpace(s.Name))
            {
                errors.Add($"{key}.name: a name is required");
            }
            else if (names.TryGetValue(s.Name, out var other))
            {
                errors.Add($"{key}.name: '{s.Name}' is already the name of sensors[{other}]");
            }
            else
            {
                names[s.Name] = i;
            }
            if (!Enum.IsDefined(s.Kind))
            {
                errors.Add($"{key}.kind: expected ds18b20, bme280, pyranometer, s0_meter or anemometer");
                continue;
            }
            Check(errors, s.CadenceS is > 0 and <= 86_400, $"{key}.cadence_s: expected seconds in (0, 86400], got {F(s.CadenceS)}");
            Check(errors, s.Retries is >= 0 and <= 10, $"{key}.retries: expected 0 to 10, got {s.Retries}");
            Check(errors, s.RetryDelayMs is >= 0 and <= 10_000, $"{key}.retry_delay_ms: expected 0 to 10000, got {F(s.RetryDelayMs)}");
            if (s.UsesI2c)
            {
                CheckI2c(errors, s, key, list, i2c, i);
            }
            if (s.UsesGpioPin)
            {
                CheckPin(errors, s, key, list, pins, i);
            }
            CheckCalibration(errors, s, key);
        }
        CheckI2cPinsFree(errors, list, pins);
        return errors;
    }

    private static void CheckI2c(List<string> errors, SensorConfig s, string key, List<SensorConfig> list, Dictionary<(int, int), int> used, int index)
    {
        if (s.Bus is < 0 or > 22)
        {
            errors.Add($"{key}.bus: expected an I²C bus number 0 to 22 (/dev/i2c-N), got {s.Bus}");
            return;
        }
        var allowed = s.Kind == SensorKind.Bme280 ? BmeAddresses : AdsAddresses;
        var address = s.EffectiveAddress;
        if (Array.IndexOf(allowed, address) < 0)
        {
            errors.Add($"{key}.address: 0x{address:x2} is not a {KindName(s.Kind)} address (expected {string.Join(" or ", allowed.Select(a => $"0x{a:x2}"))})");
            return;
        }
        if (used.TryGetValue((s.Bus, address), out var other))
        {
            errors.Add($"{key}.address: 0x{address:x2} on I²C bus {s.Bus} is already used by sensors[{other}] '{list[other].Name}'");
            return;
        }
        used[(s.Bus, address)] = index;
    }

    private static void CheckPin(List<string> errors, SensorConfig s, string key, List<SensorConfig> list, Dictionary<int, int> used, int index)
    {
        if (s.EffectivePin is not { } pin)
        {
            errors.Add($"{key}.pin: a BCM pin number 0 to {MaxBcmPin} is required for a {KindName(s.Kind)}");
            return;
        }
        if (pin is < 0 or > MaxBcmPin)
        {
            errors.Add($"{key}.pin: {pin} is out of range (BCM 0 to {MaxBcmPin} on the 40-pin header)");
            return;
        }
        if (used.TryGetValue(pin, out var other))
        {
            // Several DS18B20 groups may share the one 1-Wire data line.
            if (s.Kind == SensorKind.Ds18b20 && list[other].Kind == SensorKind.Ds18b20)
            {
                return;
            }
            errors.Add($"{key}.pin: BCM {pin} is already claimed by sensors[{other}] '{list[other].Name}'");
            return;
        }
        used[pin] = index;
        if (s.Kind != SensorKind.Ds18b20 && s.DebounceMs is { } d && d is < 0 or > 1000)
        {
            errors.Add($"{key}.debounce_ms: expected 0 to 1000, got {F(d)}");
        }
    }

    private static void CheckCalibration(List<string> errors, SensorConfig s, string key)
    {
        switch (s.Kind)
        {
            case SensorKind.Pyranometer:
                Check(errors, s.SensitivityUvPerWm2 is > 0 and < 100_000, $"{key}.sensitivity_uv_per_wm2: the sensor's calibration in µV per W/m² is required (> 0), got {F(s.SensitivityUvPerWm2)}");
                Check(errors, AdcChannels.TryParse(s.Channel, out _), $"{key}.channel: expected ain0_ain1, ain0_ain3, ain1_ain3, ain2_ain3 or ain0..ain3, got '{s.Channel}'");
                Check(errors, Array.IndexOf(RangesMv, s.RangeMv) >= 0, $"{key}.range_mv: expected 256, 512, 1024, 2048, 4096 or 6144, got {s.RangeMv}");
                Check(errors, s.NightToleranceWm2 is >= 0 and <= 100, $"{key}.night_tolerance_wm2: expected 0 to 100, got {F(s.NightToleranceWm2)}");
                Check(errors, s.MaxWm2 > 0, $"{key}.max_wm2: expected > 0, got {F(s.MaxWm2)}");
                break;
            case SensorKind.S0Meter:
                Check(errors, s.ImpulsesPerKwh is > 0 and <= 100_000, $"{key}.impulses_per_kwh: the meter's constant (imp/kWh, printed on it) is required (> 0), got {F(s.ImpulsesPerKwh)}");
                Check(errors, s.InitialKwh >= 0, $"{key}.initial_kwh: expected >= 0, got {F(s.InitialKwh)}");
                Check(errors, s.MaxPowerW > 0, $"{key}.max_power_w: expected > 0, got {F(s.MaxPowerW)}");
                break;
            case SensorKind.Anemometer:
                Check(errors, s.MsPerHz is > 0 and < 100, $"{key}.ms_per_hz: the anemometer's factor in m/s per Hz is required (> 0), got {F(s.MsPerHz)}");
                Check(errors, s.OffsetMs is >= 0 and < 10, $"{key}.offset_ms: expected 0 to 10, got {F(s.OffsetMs)}");
                break;
            case SensorKind.Ds18b20:
                for (var p = 0; p < s.Probes.Count; p++)
                {
                    Check(errors, OneWireThermometerReader.IsThermometerId(s.Probes[p]), $"{key}.probes[{p}]: expected a 1-Wire thermometer id such as 28-000005e2fdc3, got '{s.Probes[p]}'");
                }
                break;
            default:
                break;
        }
    }

    /// <summary>BCM 2 and 3 are SDA/SCL of I²C bus 1: a pulse input there breaks every I²C sensor.</summary>
    private static void CheckI2cPinsFree(List<string> errors, List<SensorConfig> list, Dictionary<int, int> pins)
    {
        if (!list.Any(s => s is { UsesI2c: true, Bus: 1 }))
        {
            return;
        }
        foreach (var pin in new[] { 2, 3 })
        {
            if (pins.TryGetValue(pin, out var i))
            {
                errors.Add($"sensors[{i}].pin: BCM {pin} is {(pin == 2 ? "SDA" : "SCL")} of I²C bus 1, used by the I²C sensors");
            }
        }
    }

    private static void Check(List<string> errors, bool ok, string message)
    {
        if (!ok)
        {
            errors.Add(message);
        }
    }

    internal static string KindName(SensorKind kind) => JsonNaming(kind.ToString());

    private static string JsonNaming(string s) => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(s);

    private static string F(double? v) => v is { } x ? x.ToString(CultureInfo.InvariantCulture) : "nothing";
}

/// <summary>Hooks the same checks into the Generic Host: <c>services.AddOptions&lt;SensorOptions&gt;().ValidateOnStart()</c>.</summary>
public sealed class SensorOptionsValidator : IValidateOptions<SensorOptions>
{
    public ValidateOptionsResult Validate(string? name, SensorOptions options)
    {
        var errors = SensorValidation.Errors(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
