using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus.Client;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

/// <summary>SunSpec across implementations we did not write: pymodbus serving the simulator's image, mbpoll reading the simulator,
/// and the agent reading the simulator over RTU on a socat pty pair.</summary>
public sealed partial class SunSpecInteropTests
{
    [GeneratedRegex(@"^\[(\d+)\]:\s+(-?\d+)", RegexOptions.Multiline)]
    private static partial Regex MbpollLine();

    [SkippableFact]
    public async Task OurSunSpecReader_ImageServedByPymodbus_SameSummaryAsFromSimulator()
    {
        var python = ExternalTools.RequirePythonModule("pymodbus", "python3-pymodbus");
        await using var sim = new SimulatorFixture();
        var bank = sim.Host.Model.Unit(1)!.HoldingRegisters;
        var end = 40000;
        while (bank.IsMapped(end, 1))
        {
            end++;
        }
        var image = Path.GetTempFileName();
        var values = Enumerable.Range(40000, end - 40000).Select(a => (int)bank[a]).ToArray();
        await File.WriteAllTextAsync(image, JsonSerializer.Serialize(new { unit = 1, blocks = new[] { new { address = 40000, values } } }));
        var port = ExternalTools.FreeTcpPort();
        using var process = Process.Start(new ProcessStartInfo(python, [Path.Combine(AppContext.BaseDirectory, "pymodbus_server.py"), port.ToString(CultureInfo.InvariantCulture), image])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            await WaitListeningAsync(port, process);
            await using var peer = ModbusClient.ForTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
            await using var ours = sim.Client();
            var fromPeer = await SummariseAsync(peer);
            var fromOurs = await SummariseAsync(ours);
            Assert.Equal("PvEdge", fromPeer.Manufacturer);
            Assert.Equal(fromOurs.Model, fromPeer.Model);
            Assert.Equal(fromOurs.AcPowerW, fromPeer.AcPowerW);
            Assert.Equal(fromOurs.MpptDcPowerW, fromPeer.MpptDcPowerW);
            Assert.Equal(fromOurs.EnergyTotalKwh, fromPeer.EnergyTotalKwh);
            Assert.Equal("MPPT", fromPeer.State);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            File.Delete(image);
        }
    }

    private static async Task<SunSpecSummary> SummariseAsync(ModbusClient client)
    {
        var device = await SunSpecDiscovery.DiscoverAsync(client, 1, CancellationToken.None);
        var models = new List<SunSpecModelValues>();
        foreach (var m in device!.Models)
        {
            models.Add((await SunSpecDiscovery.ReadModelAsync(client, 1, m, SunSpecModelCatalog.Default, CancellationToken.None))!);
        }
        return SunSpecReadings.Summarise(models);
    }

    private static async Task WaitListeningAsync(int port, Process process)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(15))
        {
            if (process.HasExited)
            {
                Assert.Fail("pymodbus exited: " + await process.StandardError.ReadToEndAsync());
            }
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync("127.0.0.1", port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }
        Assert.Fail("pymodbus did not listen within 15 s");
    }

    [SkippableFact]
    public async Task Mbpoll_ReadsSimulatorRegisters_MarkerAndLivePower()
    {
        var mbpoll = ExternalTools.Require("mbpoll", "mbpoll");
        await using var sim = new SimulatorFixture();
        await using var client = sim.Client();
        var inverter = (await SunSpecDiscovery.DiscoverAsync(client, 1, CancellationToken.None))!.Find(103)!;
        var wAddress = inverter.Address + 2 + 12; // model 103 point W
        using var process = Process.Start(new ProcessStartInfo(mbpoll,
            ["-m", "tcp", "-a", "1", "-0", "-r", "40000", "-c", "2", "-t", "4", "-1", "-o", "1", "-p", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"])
        { RedirectStandardOutput = true })!;
        var markerOutput = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        using var process2 = Process.Start(new ProcessStartInfo(mbpoll,
            ["-m", "tcp", "-a", "1", "-0", "-r", wAddress.ToString(CultureInfo.InvariantCulture), "-c", "1", "-t", "4", "-1", "-o", "1", "-p", sim.Host.Port.ToString(CultureInfo.InvariantCulture), "127.0.0.1"])
        { RedirectStandardOutput = true })!;
        var powerOutput = await process2.StandardOutput.ReadToEndAsync();
        await process2.WaitForExitAsync();
        var marker = MbpollLine().Matches(markerOutput).Select(m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(new[] { 0x5375, 0x6E53 }, marker);
        var power = int.Parse(MbpollLine().Match(powerOutput).Groups[2].Value, CultureInfo.InvariantCulture);
        Assert.Equal(Math.Round(sim.Host.Engine.LastInverter!.AcPowerW), power);
        Assert.True(power > 1000);
    }

    [SkippableFact]
    public async Task SunSpecReadingSource_SimulatorOverRtuPty_ReadsInverter()
    {
        await using var pty = await SocatPtyPair.StartAsync("sim-pty");
        await using var sim = new SimulatorFixture();
        sim.Host.StartRtu(pty.ServerPath, 38400);
        await using var client = ModbusClient.ForRtu(pty.ClientPath, 38400, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(1), Retries = 1 });
        var readings = (await new SunSpecReadingSource("rtu", client, [1], TimeSpan.FromSeconds(10), sim.Clock).ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);
        Assert.Equal(ReadingQuality.Good, readings["ac_power_w"].Quality);
        Assert.Equal(Math.Round(sim.Host.Engine.LastInverter!.AcPowerW), readings["ac_power_w"].Value);
    }
}
