using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Server;
using PvEdge.TestSupport;

namespace PvEdge.Modbus.Tests.Interop;

/// <summary>Interoperability with Modbus peers we did not write: pymodbus as a server, mbpoll as a client.</summary>
public sealed partial class InteropTests
{
    [GeneratedRegex(@"^\[(\d+)\]:\s+(-?\d+)", RegexOptions.Multiline)]
    private static partial Regex MbpollLine();

    [SkippableFact]
    public async Task OurClient_ReadsImageServedByPymodbus_ZeroMode()
    {
        var python = ExternalTools.RequirePythonModule("pymodbus", "python3-pymodbus");
        var port = ExternalTools.FreeTcpPort();
        var values = new List<int> { 0x5375, 0x6E53, 1, 66 };
        values.AddRange(Enumerable.Range(0, 200).Select(i => (i * 37) & 0xFFFF));
        var image = Path.GetTempFileName();
        await File.WriteAllTextAsync(image, JsonSerializer.Serialize(new { unit = 3, blocks = new[] { new { address = 40000, values } } }));
        try
        {
            using var peer = await PeerProcess.StartListeningAsync(python, [Path.Combine(AppContext.BaseDirectory, "Interop", "pymodbus_server.py"), port.ToString(CultureInfo.InvariantCulture), image], port);
            await using var client = ModbusClient.ForTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 1 });
            var read = await client.ReadHoldingRegistersAsync(3, 40000, values.Count, CancellationToken.None); // 204 registers: split in two
            Assert.Equal(values.Select(v => (ushort)v), read);
            await client.WriteMultipleRegistersAsync(3, 40010, new ushort[] { 9, 8, 7 }, CancellationToken.None);
            Assert.Equal(new ushort[] { 9, 8, 7 }, await client.ReadHoldingRegistersAsync(3, 40010, 3, CancellationToken.None));
            var ex = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(3, 50000, 2, CancellationToken.None));
            Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        }
        finally
        {
            File.Delete(image);
        }
    }

    [SkippableFact]
    public async Task Mbpoll_ReadsAndWritesOurServer()
    {
        var mbpoll = ExternalTools.Require("mbpoll", "mbpoll");
        var model = new ModbusServerModel();
        var unit = model.AddUnit(1);
        unit.HoldingRegisters.Load(40000, [0x5375, 0x6E53, 1, 66, 12345]);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var port = server.Port.ToString(CultureInfo.InvariantCulture);

        var (code, output, error) = await PeerProcess.RunAsync(mbpoll,
            ["-m", "tcp", "-a", "1", "-0", "-r", "40000", "-c", "5", "-t", "4", "-1", "-o", "1", "-p", port, "127.0.0.1"], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, $"mbpoll failed ({code}): {error}{output}");
        var read = MbpollLine().Matches(output).ToDictionary(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture), m => int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<int, int> { [40000] = 0x5375, [40001] = 0x6E53, [40002] = 1, [40003] = 66, [40004] = 12345 }, read);

        (code, output, error) = await PeerProcess.RunAsync(mbpoll,
            ["-m", "tcp", "-a", "1", "-0", "-r", "40004", "-t", "4", "-1", "-o", "1", "-p", port, "127.0.0.1", "777"], TimeSpan.FromSeconds(10));
        Assert.True(code == 0, $"mbpoll write failed ({code}): {error}{output}");
        Assert.Equal(777, unit.HoldingRegisters[40004]);

        (code, _, _) = await PeerProcess.RunAsync(mbpoll,
            ["-m", "tcp", "-a", "1", "-0", "-r", "100", "-t", "4", "-1", "-o", "1", "-p", port, "127.0.0.1"], TimeSpan.FromSeconds(10));
        Assert.NotEqual(0, code); // illegal data address reported by mbpoll
    }
}
