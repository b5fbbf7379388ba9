using System.Globalization;
using PvEdge.EdgeAgent.Commands;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Devices;

/// <summary><c>Acquisition:Devices</c> as an installer writes it: <c>edgeagent check-config</c> and <c>edgeagent run</c> refuse a bad entry
/// with exit code 2 and one line naming the key; check-config lists the good ones.</summary>
public sealed class DeviceValidationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-devices-").FullName;

    private string Config(string acquisition)
    {
        var path = Path.Combine(_dir, $"edgeagent-{Guid.NewGuid():N}.json");
        var db = Path.Combine(_dir, "a.db").Replace("\\", "\\\\", StringComparison.Ordinal);
        File.WriteAllText(path, $$"""{ "Acquisition": {{acquisition}}, "Storage": { "Path": "{{db}}" } }""");
        return path;
    }

    private static async Task<(int Code, string Out, string Error)> RunAsync(ICliCommand command, string config)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("edgeagent", [command.Name, "--config", config], [command], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Port": 70000, "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Port' = '70000': expected a TCP port 1 to 65535")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Port": "50x", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Port' = '50x': expected a whole number")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Rtu": "/dev/ttyUSB0", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Rtu' = '/dev/ttyUSB0': give Host (Modbus TCP) or Rtu (a serial port), not both")]
    [InlineData("""[ { "Name": "inverter", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Host': give Host (the IP address or name of a Modbus TCP device) or Rtu")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50:502", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Host' = '192.168.1.50:502': expected an IP address or host name (the port goes in Port)")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [] } ]""",
        "configuration key 'Acquisition:Devices:0:Units': expected a non-empty list of Modbus unit ids 1 to 247")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50" } ]""",
        "configuration key 'Acquisition:Devices:0:Units': expected a non-empty list of Modbus unit ids 1 to 247")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1, 248] } ]""",
        "configuration key 'Acquisition:Devices:0:Units:1' = '248': expected a Modbus unit id 1 to 247")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [0] } ]""",
        "configuration key 'Acquisition:Devices:0:Units:0' = '0': expected a Modbus unit id 1 to 247")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1, "two"] } ]""",
        "configuration key 'Acquisition:Devices:0:Units:1' = 'two': expected a whole number")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1, 2, 1] } ]""",
        "configuration key 'Acquisition:Devices:0:Units:2' = '1': this unit id appears twice in the list")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1, 2] }, { "Name": "meter", "Host": "192.168.1.50", "Port": 502, "Units": [2] } ]""",
        "configuration key 'Acquisition:Devices:1:Units:0' = '2': unit 2 on 192.168.1.50:502 is already read by Acquisition:Devices:0 'inverter'")]
    [InlineData("""[ { "Name": "a", "Rtu": "/dev/ttyUSB0", "Units": [3] }, { "Name": "b", "Rtu": "/dev/ttyUSB0", "Baud": 19200, "Units": [3] } ]""",
        "configuration key 'Acquisition:Devices:1:Baud' = '19200': /dev/ttyUSB0 runs at 9600 baud for Acquisition:Devices:0 'a'")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1] }, { "Name": "Inverter", "Host": "192.168.1.51", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:1:Name' = 'Inverter': already the name of Acquisition:Devices:0; names must be unique")]
    [InlineData("""[ { "Host": "192.168.1.50", "Units": [1] } ]""",
        "configuration key 'Acquisition:Devices:0:Name': a name is required")]
    [InlineData("""[ { "Name": "meter", "Rtu": "/dev/ttyUSB0", "Baud": 9601, "Units": [3] } ]""",
        "configuration key 'Acquisition:Devices:0:Baud' = '9601': expected a standard baud rate (1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200)")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1], "CadenceS": 0 } ]""",
        "configuration key 'Acquisition:Devices:0:CadenceS' = '0': expected seconds from 1 to 3600")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1], "TimeoutMs": 5 } ]""",
        "configuration key 'Acquisition:Devices:0:TimeoutMs' = '5': expected milliseconds from 10 to 60000")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1], "Retries": -1 } ]""",
        "configuration key 'Acquisition:Devices:0:Retries' = '-1': expected 0 to 10")]
    [InlineData("""[ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1], "DelayMs": 20000 } ]""",
        "configuration key 'Acquisition:Devices:0:DelayMs' = '20000': expected milliseconds from 0 to 10000")]
    [InlineData("""[ { "Name": "meter", "Rtu": "/dev/ttyUSB0", "Units": [3], "Map": "no-such-map" } ]""",
        "configuration key 'Acquisition:Devices:0:Map': register map 'no-such-map' not found (a file path, or one of the shipped maps: growatt-min-tl-x")]
    [InlineData("""[ { "Name": "meter", "Rtu": "/dev/ttyUSB0", "Units": [3], "Map": "{dir}/bad-map.json" } ]""",
        "configuration key 'Acquisition:Devices:0:Map': {dir}/bad-map.json: points[0].type: expected one of uint16, int16, uint32, int32, float32, got 'u32'")]
    [InlineData("""[ { "Name": "meter", "Rtu": "/dev/ttyUSB0", "Units": [3, 4], "Map": "growatt-min-tl-x" } ]""",
        "configuration key 'Acquisition:Devices:0:Units': a register-map device reads exactly one unit id, got 2")]
    [InlineData("""[ "inverter" ]""",
        "configuration key 'Acquisition:Devices:0': expected a device object")]
    public async Task CheckConfigAndRun_BadDevice_OneLineNamingKeyAndExit2(string devices, string expected)
    {
        File.WriteAllText(Path.Combine(_dir, "bad-map.json"),
            """{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "address": 1, "type": "u32" } ] }""");
        devices = devices.Replace("{dir}", _dir, StringComparison.Ordinal);
        expected = expected.Replace("{dir}", _dir, StringComparison.Ordinal);
        var config = Config($$"""{ "Simulated": false, "Devices": {{devices}} }""");
        foreach (ICliCommand command in new ICliCommand[] { new CheckConfigCommand(), new RunCommand() })
        {
            var (code, _, error) = await RunAsync(command, config);

            Assert.Equal(2, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Equal($"edgeagent {command.Name}: ", line[..(line.IndexOf(':', StringComparison.Ordinal) + 2)]);
            Assert.Contains(expected, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CheckConfigAndRun_DevicesWhileSimulated_RefusedNamingSimulated()
    {
        var config = Config("""{ "Simulated": true, "Devices": [ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1] } ] }""");
        foreach (ICliCommand command in new ICliCommand[] { new CheckConfigCommand(), new RunCommand() })
        {
            var (code, _, error) = await RunAsync(command, config);

            Assert.Equal(2, code);
            var line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            Assert.Contains("configuration key 'Acquisition:Simulated' = 'true': Acquisition:Devices lists 1 device(s), read only when Simulated is false; set \"Simulated\": false",
                line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CheckConfig_GoodDevices_OneLinePerDeviceAndExit0()
    {
        var config = Config("""
            { "Simulated": false, "Devices": [
                { "Name": "inverter", "Host": "192.168.1.50", "Units": [1, 2] },
                { "Name": "meter", "Rtu": "/dev/edgeagent-test-no-such-port", "Baud": 19200, "Units": [3], "Map": "growatt-min-tl-x", "CadenceS": 10 },
                { "Name": "second", "Host": "192.168.1.51", "Port": 1502, "Units": [1], "DelayMs": 100 } ] }
            """);

        var (code, output, error) = await RunAsync(new CheckConfigCommand(), config);

        Assert.True(code == 0, error);
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(
        [
            "device inverter: Modbus TCP 192.168.1.50:502, units 1, 2, SunSpec, every 5 s",
            "device meter: Modbus RTU /dev/edgeagent-test-no-such-port @19200 baud (not present now), unit 3, map growatt-min-tl-x (Growatt MIN 2500-6000TL-X), every 10 s",
            "device second: Modbus TCP 192.168.1.51:1502, unit 1, SunSpec, every 5 s",
        ], lines.Where(l => l.StartsWith("device", StringComparison.Ordinal)));
        Assert.Contains("configuration OK", output, StringComparison.Ordinal);
        Assert.Equal("", error);
    }

    [Fact]
    public async Task CheckConfig_Simulated_SaysNoDevicesAndTheSimulator()
    {
        var (code, output, error) = await RunAsync(new CheckConfigCommand(), Config("""{ "Simulated": true }"""));

        Assert.True(code == 0, error);
        Assert.Contains("devices: none (Acquisition:Simulated is true: the built-in simulated inverter)", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_NotSimulatedAndNothingConfigured_OneWarningNothingToRead()
    {
        var setup = AgentHost.Configure(new AgentHostSettings { ConfigFile = Config("""{ "Simulated": false }"""), AppFolder = _dir, Demo = false });

        var warning = Assert.Single(setup.Warnings);
        Assert.StartsWith("Acquisition:Simulated is false and neither Acquisition:Devices nor Sensors:File lists anything: the agent has nothing to read", warning,
            StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_NotSimulatedWithDevice_NoWarning()
    {
        var config = Config("""{ "Simulated": false, "Devices": [ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1] } ] }""");

        var setup = AgentHost.Configure(new AgentHostSettings { ConfigFile = config, AppFolder = _dir, Demo = false });

        Assert.Empty(setup.Warnings);
    }

    [Fact]
    public void Configure_UnknownKeyInDevice_WarningNamingItAndTheKnownKeys()
    {
        var config = Config("""{ "Simulated": false, "Devices": [ { "Name": "inverter", "Host": "192.168.1.50", "Units": [1], "Timeout": 3000 } ] }""");

        var setup = AgentHost.Configure(new AgentHostSettings { ConfigFile = config, AppFolder = _dir, Demo = false });

        var warning = Assert.Single(setup.Warnings);
        Assert.Equal("configuration key 'Acquisition:Devices:0:Timeout' is unknown and ignored (known keys of a Acquisition:Devices entry: "
            + "Name, Host, Port, Rtu, Baud, Units, Map, CadenceS, TimeoutMs, Retries, DelayMs)", warning);
    }

    [Fact]
    public void Configure_SameUnitOnTwoEndpoints_Accepted()
    {
        var config = Config("""
            { "Simulated": false, "Devices": [
                { "Name": "a", "Host": "192.168.1.50", "Units": [1] }, { "Name": "b", "Host": "192.168.1.50", "Port": 1502, "Units": [1] },
                { "Name": "c", "Rtu": "/dev/ttyUSB0", "Units": [1] }, { "Name": "d", "Rtu": "/dev/ttyUSB1", "Units": [1] } ] }
            """);

        var setup = AgentHost.Configure(new AgentHostSettings { ConfigFile = config, AppFolder = _dir, Demo = false });

        Assert.Empty(setup.Warnings);
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
