using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class SensorValidationTests
{
    private static SensorOptions Parse(string sensorsJson) => SensorOptions.Parse($$"""{ "sensors": [ {{sensorsJson}} ] }""", "s.json");

    private static string FirstError(string sensorsJson)
    {
        var ex = Assert.Throws<InputException>(() => SensorValidation.Validate(Parse(sensorsJson), "s.json"));
        Assert.DoesNotContain('\n', ex.Message);
        return ex.Message;
    }

    [Fact]
    public void Validate_ExampleFile_Passes()
    {
        var options = SensorOptions.Load(RepoPaths.InRepo("src/EdgeAgent/Acquisition/Sensors/sensors.example.json"));

        Assert.Empty(SensorValidation.Errors(options));
        Assert.Equal(5, options.Sensors.Count);
        Assert.Equal(0x76, options.Sensors[1].Address);
    }

    [Fact]
    public void Validate_PinOutOfRange_NamesKeyAndRange()
    {
        var message = FirstError("""{ "name": "meter", "kind": "s0_meter", "pin": 31, "impulses_per_kwh": 1000 }""");

        Assert.Equal("s.json: sensors[0].pin: 31 is out of range (BCM 0 to 27 on the 40-pin header)", message);
    }

    [Fact]
    public void Validate_NegativePin_IsOutOfRange()
    {
        Assert.Contains("sensors[0].pin: -1 is out of range", FirstError("""{ "name": "wind", "kind": "anemometer", "pin": -1, "ms_per_hz": 0.667 }"""));
    }

    [Fact]
    public void Validate_I2cAddressUsedTwice_NamesBothSensors()
    {
        var message = FirstError("""
            { "name": "poa", "kind": "pyranometer", "address": "0x48", "sensitivity_uv_per_wm2": 15 },
            { "name": "ref-cell", "kind": "pyranometer", "address": 72, "sensitivity_uv_per_wm2": 20 }
            """);

        Assert.Equal("s.json: sensors[1].address: 0x48 on I²C bus 1 is already used by sensors[0] 'poa'", message);
    }

    [Fact]
    public void Validate_SameAddressOnTwoBuses_Passes()
    {
        var options = Parse("""
            { "name": "a", "kind": "bme280", "bus": 1, "address": "0x76" },
            { "name": "b", "kind": "bme280", "bus": 3, "address": "0x76" }
            """);

        Assert.Empty(SensorValidation.Errors(options));
    }

    [Fact]
    public void Validate_TwoSensorsClaimOnePin_NamesTheFirstClaim()
    {
        var message = FirstError("""
            { "name": "meter", "kind": "s0_meter", "pin": 17, "impulses_per_kwh": 1000 },
            { "name": "wind", "kind": "anemometer", "pin": 17, "ms_per_hz": 0.667 }
            """);

        Assert.Equal("s.json: sensors[1].pin: BCM 17 is already claimed by sensors[0] 'meter'", message);
    }

    [Fact]
    public void Validate_PulseInputOnOneWireDefaultPin_Conflicts()
    {
        var message = FirstError("""
            { "name": "module", "kind": "ds18b20" },
            { "name": "meter", "kind": "s0_meter", "pin": 4, "impulses_per_kwh": 1000 }
            """);

        Assert.Contains("sensors[1].pin: BCM 4 is already claimed by sensors[0] 'module'", message);
    }

    [Fact]
    public void Validate_TwoProbeGroupsOnOneWireLine_Pass()
    {
        var options = Parse("""
            { "name": "east", "kind": "ds18b20", "probes": ["28-00000a1b2c3d"] },
            { "name": "west", "kind": "ds18b20", "probes": ["28-00000a1b2c4e"] }
            """);

        Assert.Empty(SensorValidation.Errors(options));
    }

    [Fact]
    public void Validate_PulseInputOnSdaWithI2cSensor_Rejected()
    {
        var message = FirstError("""
            { "name": "air", "kind": "bme280" },
            { "name": "meter", "kind": "s0_meter", "pin": 2, "impulses_per_kwh": 1000 }
            """);

        Assert.Contains("sensors[1].pin: BCM 2 is SDA of I²C bus 1", message);
    }

    [Theory]
    [InlineData("""{ "name": "m", "kind": "s0_meter", "pin": 17 }""", "sensors[0].impulses_per_kwh")]
    [InlineData("""{ "name": "p", "kind": "pyranometer" }""", "sensors[0].sensitivity_uv_per_wm2")]
    [InlineData("""{ "name": "p", "kind": "pyranometer", "sensitivity_uv_per_wm2": 15, "range_mv": 300 }""", "sensors[0].range_mv")]
    [InlineData("""{ "name": "p", "kind": "pyranometer", "sensitivity_uv_per_wm2": 15, "channel": "ain4" }""", "sensors[0].channel")]
    [InlineData("""{ "name": "w", "kind": "anemometer", "pin": 5 }""", "sensors[0].ms_per_hz")]
    [InlineData("""{ "name": "a", "kind": "bme280", "address": "0x48" }""", "sensors[0].address: 0x48 is not a bme280 address")]
    [InlineData("""{ "name": "t", "kind": "ds18b20", "probes": ["29-1234"] }""", "sensors[0].probes[0]")]
    [InlineData("""{ "name": "", "kind": "bme280" }""", "sensors[0].name")]
    [InlineData("""{ "name": "a", "kind": "bme280", "cadence_s": 0 }""", "sensors[0].cadence_s")]
    [InlineData("""{ "name": "m", "kind": "s0_meter", "impulses_per_kwh": 1000 }""", "sensors[0].pin: a BCM pin number")]
    public void Validate_MissingOrBadCalibration_NamesKey(string sensor, string expected)
    {
        Assert.Contains(expected, FirstError(sensor));
    }

    [Fact]
    public void Validate_DuplicateName_Rejected()
    {
        Assert.Contains("sensors[1].name: 'air' is already the name of sensors[0]", FirstError("""
            { "name": "air", "kind": "bme280", "address": "0x76" },
            { "name": "air", "kind": "bme280", "address": "0x77" }
            """));
    }

    [Theory]
    [InlineData("""{ "sensors": [ { "name": "a", "kind": "bmp180" } ] }""", "s.json: sensors[0].kind")]
    [InlineData("""{ "sensors": [ { "name": "a", "kind": "bme280", "adress": 118 } ] }""", "s.json: sensors[0]")]
    [InlineData("""{ "sensors": [ { "name": "a", "kind": "bme280", "address": "0xZZ" } ] }""", "s.json: sensors[0].address: expected an I²C address")]
    [InlineData("""{ "sensors": [ { "name": "a", "kind": "bme280", "cadence_s": "often" } ] }""", "s.json: sensors[0].cadence_s")]
    public void Parse_MalformedJson_NamesFileAndKey(string json, string expected)
    {
        var ex = Assert.Throws<InputException>(() => SensorOptions.Parse(json, "s.json"));

        Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "sensors": null }""", "sensors: expected a list")]
    [InlineData("""{ "sensors": [ null ] }""", "sensors[0]: expected a sensor object")]
    public void Validate_NullLists_OneLineNotACrash(string json, string expected)
    {
        var ex = Assert.Throws<InputException>(() => SensorValidation.Validate(SensorOptions.Parse(json, "s.json"), "s.json"));

        Assert.Equal($"s.json: {expected}", ex.Message[..(8 + expected.Length)]);
    }

    [Fact]
    public void OptionsValidator_BadPin_FailsWithAllErrors()
    {
        var options = Parse("""
            { "name": "m", "kind": "s0_meter", "pin": 40, "impulses_per_kwh": 1000 },
            { "name": "w", "kind": "anemometer", "pin": 28, "ms_per_hz": 0.667 }
            """);

        var result = new SensorOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal(2, result.Failures!.Count());
    }
}
