using PvEdge.EdgeAgent.Acquisition.Sensors;
using PvEdge.EdgeAgent.Commands;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Sensors;

public sealed class SensorProbeTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("pvedge-probe-");

    public void Dispose() => _dir.Delete(recursive: true);

    /// <summary>Runs <c>edgeagent probe ...</c> through the CLI host and the real ProbeCommand, so InputException becomes exit 2.</summary>
    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var ctx = new CliContext(output, error, TimeProvider.System);
        var code = await CliHost.RunAsync("edgeagent", ["probe", .. args], [new ProbeCommand()], ctx, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir.FullName, "sensors.json");
        File.WriteAllText(path, json);
        return path;
    }

    [Fact]
    public async Task Run_SimulatedDemoList_ListsEverySensorAnsweringWithValues()
    {
        var (code, output, error) = await Run("--sensors", "--simulated");

        Assert.Equal(0, code);
        Assert.Equal("", error);
        foreach (var line in new[] { "module-temp", "air", "poa", "meter", "wind" })
        {
            Assert.Matches($@"(?m)^{line}\s+\S+\s+.+\s+yes\s+\S+ = ", output);
        }
        var poa = System.Text.RegularExpressions.Regex.Match(output, @"poa_wm2 = ([0-9.]+) W/m² good");
        Assert.True(poa.Success, output);
        Assert.Equal(640, double.Parse(poa.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), 0.6);
        Assert.True(output.Contains("meter_power_w = ", StringComparison.Ordinal), output);
        Assert.True(output.Contains("i2c-1 0x76", StringComparison.Ordinal), output);
    }

    [Fact]
    public async Task Run_ExampleConfigOnTwins_ExitZero()
    {
        var (code, output, _) = await Run("--sensors", "--simulated", "--sensors-config", RepoPaths.InRepo("src/EdgeAgent/Acquisition/Sensors/sensors.example.json"));

        Assert.Equal(0, code);
        Assert.Contains("from ", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{ "name": "meter", "kind": "s0_meter", "pin": 31, "impulses_per_kwh": 1000 }""", "sensors[0].pin: 31 is out of range")]
    [InlineData("""{ "name": "a", "kind": "bme280" }, { "name": "b", "kind": "bme280", "address": "0x76" }""", "sensors[1].address: 0x76 on I²C bus 1 is already used by sensors[0] 'a'")]
    [InlineData("""{ "name": "m", "kind": "s0_meter", "pin": 22, "impulses_per_kwh": 800 }, { "name": "w", "kind": "anemometer", "pin": 22, "ms_per_hz": 1 }""", "sensors[1].pin: BCM 22 is already claimed by sensors[0] 'm'")]
    public async Task Run_BadConfig_ExitTwoWithOneLineNamingFileAndKey(string sensors, string expected)
    {
        var file = Write($$"""{ "sensors": [ {{sensors}} ] }""");

        var (code, output, error) = await Run("--sensors", "--simulated", "--sensors-config", file);

        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.StartsWith($"edgeagent probe: {file}: {expected}", error, StringComparison.Ordinal);
        Assert.Single(error.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public async Task Run_NoConfigOnHardware_ExitTwoAskingForTheFile()
    {
        var (code, _, error) = await Run("--sensors");

        Assert.Equal(2, code);
        Assert.Contains("--sensors-config", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_MissingConfigFile_ExitTwoNamingIt()
    {
        var (code, _, error) = await Run("--sensors", "--sensors-config", Path.Combine(_dir.FullName, "nope.json"));

        Assert.Equal(2, code);
        Assert.Contains("nope.json: cannot read the sensor list", error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Run_RealHeaderWithoutI2c_ExitOneSayingWhatDidNotAnswer()
    {
        Skip.If(File.Exists("/dev/i2c-1"), "this machine has /dev/i2c-1: the sensor may really answer");
        var file = Write("""{ "sensors": [ { "name": "air", "kind": "bme280" } ] }""");

        var (code, output, error) = await Run("--sensors", "--sensors-config", file, "--listen", "0");

        Assert.Equal(1, code);
        Assert.Matches(@"(?m)^air\s+bme280\s+i2c-1 0x76\s+no\s+temp_air_c missing: ", output);
        Assert.Contains("1 of 1 sensors did not answer", error, StringComparison.Ordinal);
    }
}
