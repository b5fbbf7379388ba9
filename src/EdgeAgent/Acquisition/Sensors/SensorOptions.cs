using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>What is wired to the Pi's header. JSON keys are snake_case (<c>cadence_s</c>, <c>impulses_per_kwh</c>).</summary>
public enum SensorKind
{
    /// <summary>DS18B20 probes on the back of a module, over the kernel's 1-Wire bus; several probes are averaged.</summary>
    Ds18b20,
    /// <summary>BME280 air temperature, humidity and pressure over I²C.</summary>
    Bme280,
    /// <summary>A thermopile pyranometer or reference cell read by an ADS1115 ADC over I²C.</summary>
    Pyranometer,
    /// <summary>An S0 pulse output of an energy meter on a GPIO pin.</summary>
    S0Meter,
    /// <summary>A pulse (reed or Hall) cup anemometer on a GPIO pin.</summary>
    Anemometer,
}

/// <summary>The sensors of one gateway: <c>{ "sensors": [ { "name": "module", "kind": "ds18b20" }, ... ] }</c>.</summary>
public sealed class SensorOptions
{
    public const string SectionName = "Sensors";

    /// <summary>Where the kernel exposes 1-Wire slaves (one folder per device with a <c>w1_slave</c> file).</summary>
    public string OneWireRoot { get; set; } = "/sys/bus/w1/devices";

    public List<SensorConfig> Sensors { get; set; } = [];

    /// <summary>Reads a sensor list from a JSON file; a malformed file throws <see cref="InputException"/> naming the file and the key.
    /// The options are not validated here: call <see cref="SensorValidation.Validate(SensorOptions, string?)"/>.</summary>
    public static SensorOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw InputException.InFile(path, $"cannot read the sensor list ({ex.Message})");
        }
        return Parse(text, path);
    }

    public static SensorOptions Parse(string json, string fileName)
    {
        try
        {
            return JsonSerializer.Deserialize<SensorOptions>(json, JsonOptions)
                ?? throw InputException.InFile(fileName, "expected a JSON object with a \"sensors\" list, got null");
        }
        catch (JsonException ex)
        {
            var where = ex.Path is { Length: > 1 } p ? p.TrimStart('$', '.') : $"line {(ex.LineNumber ?? 0) + 1}";
            var what = ex.InnerException is InputException inner ? inner.Message : FirstSentence(ex.Message);
            throw InputException.InFile(fileName, $"{where}: {what}");
        }
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(". Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }

    internal static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };
}

/// <summary>One sensor. Only the keys of its kind matter; the others keep their defaults.</summary>
public sealed class SensorConfig
{
    /// <summary>Unique name, used as the reading source ("module-temp").</summary>
    public string Name { get; set; } = "";

    public SensorKind Kind { get; set; }

    /// <summary>How often the sensor is read, seconds.</summary>
    public double CadenceS { get; set; } = 10;

    /// <summary>Attempts after a CRC failure or a bus error before the value is reported missing.</summary>
    public int Retries { get; set; } = 2;

    public double RetryDelayMs { get; set; } = 100;

    // --- I²C (bme280, pyranometer)
    /// <summary>I²C bus number (/dev/i2c-1 on the header's pins 3 and 5).</summary>
    public int Bus { get; set; } = 1;

    /// <summary>7-bit I²C address, a number or a hex string such as "0x76". Default: 0x76 for the BME280, 0x48 for the ADS1115.</summary>
    [JsonConverter(typeof(HexIntJsonConverter))]
    public int? Address { get; set; }

    // --- GPIO (s0_meter, anemometer); for ds18b20 the w1-gpio data pin (default BCM 4)
    /// <summary>BCM pin number (0–27), not the header's physical pin.</summary>
    public int? Pin { get; set; }

    /// <summary>Edges closer than this to the previous edge are contact bounce.</summary>
    public double? DebounceMs { get; set; }

    // --- ds18b20
    /// <summary>1-Wire ids to average ("28-000005e2fdc3"); empty = every thermometer found on the bus.</summary>
    public List<string> Probes { get; set; } = [];

    // --- pyranometer
    /// <summary>The sensor's calibration, µV per W/m² (thermopiles are about 5–20).</summary>
    public double? SensitivityUvPerWm2 { get; set; }

    /// <summary>Output at zero irradiance, µV (amplifier or thermal offset), subtracted before dividing by the sensitivity.</summary>
    public double OffsetUv { get; set; }

    /// <summary>ADS1115 input: "ain0_ain1" (differential, default), "ain0".."ain3" (single-ended), "ain0_ain3", "ain1_ain3", "ain2_ain3".</summary>
    public string Channel { get; set; } = "ain0_ain1";

    /// <summary>ADS1115 full scale, mV: 256, 512, 1024, 2048, 4096 or 6144.</summary>
    public int RangeMv { get; set; } = 256;

    /// <summary>Negative irradiance down to minus this is night-time offset and reads 0; further below is suspect.</summary>
    public double NightToleranceWm2 { get; set; } = 10;

    /// <summary>Above this the irradiance is suspect.</summary>
    public double MaxWm2 { get; set; } = 1600;

    // --- s0_meter
    public double? ImpulsesPerKwh { get; set; }

    /// <summary>Meter register at the time the counting started, kWh (read it off the meter's display).</summary>
    public double InitialKwh { get; set; }

    /// <summary>Above this the derived power is suspect.</summary>
    public double MaxPowerW { get; set; } = 50_000;

    // --- anemometer
    /// <summary>Wind speed per pulse frequency, m/s per Hz (a common cup anemometer: 0.667).</summary>
    public double? MsPerHz { get; set; }

    /// <summary>Start-up speed added when the cups turn at all, m/s.</summary>
    public double OffsetMs { get; set; }

    public double MaxMs { get; set; } = 60;

    internal TimeSpan Cadence => TimeSpan.FromSeconds(CadenceS);

    internal TimeSpan RetryDelay => TimeSpan.FromMilliseconds(RetryDelayMs);

    /// <summary>The address used when none is configured.</summary>
    internal int EffectiveAddress => Address ?? (Kind == SensorKind.Pyranometer ? 0x48 : 0x76);

    /// <summary>The pin used when none is configured: the w1-gpio overlay's default BCM 4 for 1-Wire.</summary>
    internal int? EffectivePin => Pin ?? (Kind == SensorKind.Ds18b20 ? 4 : null);

    /// <summary>S0: 10 ms, so a chatter shorter than 10 ms never counts twice while 30 ms pulses (EN 62053-31) at 20 Hz still
    /// leave the line quiet long enough; reed anemometers: 5 ms.</summary>
    internal TimeSpan Debounce => TimeSpan.FromMilliseconds(DebounceMs ?? (Kind == SensorKind.S0Meter ? 10 : 5));

    internal bool UsesI2c => Kind is SensorKind.Bme280 or SensorKind.Pyranometer;

    internal bool UsesGpioPin => Kind is SensorKind.S0Meter or SensorKind.Anemometer or SensorKind.Ds18b20;

    /// <summary>"i2c-1 0x76", "gpio 17", "1-wire gpio 4": where an installer looks for it.</summary>
    internal string Wiring => Kind switch
    {
        SensorKind.Bme280 or SensorKind.Pyranometer => string.Create(CultureInfo.InvariantCulture, $"i2c-{Bus} 0x{EffectiveAddress:x2}"),
        SensorKind.Ds18b20 => string.Create(CultureInfo.InvariantCulture, $"1-wire gpio {EffectivePin}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"gpio {Pin}"),
    };
}

/// <summary>Reads an integer written as a JSON number or as a string in decimal or hex ("0x76"), as installers copy it from i2cdetect.</summary>
internal sealed class HexIntJsonConverter : JsonConverter<int?>
{
    public override int? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetInt32();
        }
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }
        var s = reader.TokenType == JsonTokenType.String ? reader.GetString() ?? "" : "";
        var ok = s.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? int.TryParse(s.AsSpan(2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var v)
            : int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out v);
        return ok ? v : throw new JsonException($"expected an I²C address such as 0x76 or 118, got '{s}'");
    }

    public override void Write(Utf8JsonWriter writer, int? value, JsonSerializerOptions options)
    {
        if (value is { } v)
        {
            writer.WriteStringValue(string.Create(CultureInfo.InvariantCulture, $"0x{v:x2}"));
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}
