using System.Globalization;
using System.Net;
using PvEdge.EdgeAgent.Commands;
using PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;
using PvEdge.Modbus.Server;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Commands;

/// <summary><c>edgeagent probe</c> run in-process through the CLI host with captured output.</summary>
public sealed class ProbeCommandTests
{
    private static async Task<(int Code, string Out, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("edgeagent", ["probe", .. args], [new ProbeCommand()], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task Probe_Simulator_PrintsManufacturerModelAndLivePower()
    {
        await using var sim = new SimulatorFixture();
        var (code, output, error) = await RunAsync("--host", "127.0.0.1", "--port", sim.Host.Port.ToString(CultureInfo.InvariantCulture));
        Assert.True(code == 0, error);
        Assert.Contains("manufacturer   PvEdge", output, StringComparison.Ordinal);
        Assert.Contains("model          SIM-INV-2MPPT", output, StringComparison.Ordinal);
        Assert.Contains("models: 1 common @40004 (66), 103 inverter_three_phase", output, StringComparison.Ordinal);
        var ac = Math.Round(sim.Host.Engine.LastInverter!.AcPowerW).ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"AC power       {ac} W", output, StringComparison.Ordinal);
        Assert.Contains("MPPT 2:", output, StringComparison.Ordinal);
        Assert.Contains("state          MPPT", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task Probe_RtuOverSocatPty_PrintsManufacturerModelRatedAndLivePower()
    {
        await using var pty = await SocatPtyPair.StartAsync("probe-pty");
        await using var sim = new SimulatorFixture();
        sim.Host.StartRtu(pty.ServerPath, 9600);
        var (code, output, error) = await RunAsync("--rtu", pty.ClientPath, "--baud", "9600");
        Assert.True(code == 0, error);
        Assert.Contains($"SunSpec device at {pty.ClientPath} unit 1 (marker at 40000)", output, StringComparison.Ordinal);
        Assert.Contains("manufacturer   PvEdge", output, StringComparison.Ordinal);
        Assert.Contains("model          SIM-INV-2MPPT", output, StringComparison.Ordinal);
        var rated = Math.Round(sim.Plant.AcRatingW).ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"rated power    {rated} W", output, StringComparison.Ordinal); // model 120 WRtg × 10^WRtg_SF
        var ac = Math.Round(sim.Host.Engine.LastInverter!.AcPowerW).ToString(CultureInfo.InvariantCulture);
        Assert.Contains($"AC power       {ac} W", output, StringComparison.Ordinal);
        Assert.Contains("state          MPPT", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_MetStationUnit_PrintsIrradianceNotInverterLines()
    {
        await using var sim = new SimulatorFixture();
        var (code, output, _) = await RunAsync("--host", "127.0.0.1", "--port", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "--unit", "2");
        Assert.Equal(0, code);
        Assert.Contains("poa_wm2", output, StringComparison.Ordinal);
        Assert.DoesNotContain("AC power", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_ClosedPort_SaysConnectionRefusedAndExits1()
    {
        var port = ExternalTools.FreeTcpPort();
        var (code, _, error) = await RunAsync("--host", "127.0.0.1", "--port", port.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(1, code);
        Assert.Equal($"no Modbus device answered at 127.0.0.1:{port} (connection refused)", error.Trim());
    }

    [Fact]
    public async Task Probe_WrongUnit_SaysNoReplyAndSuggestsScan()
    {
        await using var sim = new SimulatorFixture();
        var (code, _, error) = await RunAsync("--host", "127.0.0.1", "--port", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "--unit", "7", "--timeout-ms", "100");
        Assert.Equal(1, code);
        Assert.Contains("no reply from unit 7", error, StringComparison.Ordinal);
        Assert.Contains("--scan", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_Scan_ListsTheUnitsThatAnswer()
    {
        await using var sim = new SimulatorFixture();
        var (code, output, _) = await RunAsync("--host", "127.0.0.1", "--port", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "--scan", "--timeout-ms", "10");
        Assert.Equal(0, code);
        Assert.Contains("unit 1: SunSpec marker at 40000", output, StringComparison.Ordinal);
        Assert.Contains("unit 2: SunSpec marker at 40000", output, StringComparison.Ordinal);
        Assert.Contains("2 unit id(s) answered", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_NotSunSpec_SaysSoAndPointsAtMaps()
    {
        var model = new ModbusServerModel();
        model.AddUnit(1).HoldingRegisters.Load(0, new ushort[64]);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var (code, output, error) = await RunAsync("--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--dump");
        Assert.Equal(1, code);
        Assert.Contains("no SunSpec marker", error, StringComparison.Ordinal);
        Assert.Contains("growatt-min-tl-x", error, StringComparison.Ordinal);
        Assert.Contains("    0: 0000 0000", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Probe_Dump_PrintsRawModelRegisters()
    {
        await using var sim = new SimulatorFixture();
        var (code, output, _) = await RunAsync("--host", "127.0.0.1", "--port", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "--dump");
        Assert.Equal(0, code);
        Assert.Contains("40002: 0001 0042", output, StringComparison.Ordinal); // model 1, length 66
    }

    [Fact]
    public async Task Probe_WithMap_ReadsThroughRegisterMap()
    {
        var model = new ModbusServerModel();
        var input = model.AddUnit(1).InputRegisters;
        input.Map(0, 60);
        (input[35], input[36]) = (0, 12345);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var (code, output, error) = await RunAsync("--host", "127.0.0.1", "--port", server.Port.ToString(CultureInfo.InvariantCulture), "--map", "growatt-min-tl-x");
        Assert.True(code == 0, error);
        Assert.Contains("Growatt MIN 2500-6000TL-X", output, StringComparison.Ordinal);
        Assert.Contains("ac_power_w         1234.5", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "--port", "502" }, "give either --host H")]
    [InlineData(new[] { "--host", "h", "--rtu", "/dev/ttyUSB0" }, "give either --host H")]
    [InlineData(new[] { "--host", "h", "--unit", "300" }, "option --unit: expected an integer in [0, 247]")]
    [InlineData(new[] { "--host", "h", "--bogus", "1" }, "unknown option --bogus")]
    [InlineData(new[] { "--host", "h", "--map", "nope" }, "register map 'nope' not found")]
    public async Task Probe_BadInput_Exits2WithOneLine(string[] args, string expected)
    {
        var (code, _, error) = await RunAsync(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }
}
