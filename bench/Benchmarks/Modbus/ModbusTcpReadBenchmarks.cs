using System.Diagnostics;
using System.Globalization;
using System.Net;
using BenchmarkDotNet.Attributes;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Server;

namespace PvEdge.Benchmarks.Modbus;

/// <summary>Reads of 125 holding registers per second over loopback TCP against our server: our client, and pymodbus's synchronous
/// client (Debian python3-pymodbus) driven as a co-process in the same run, on the same server, one persistent connection each.
/// The ratio of the two Mean columns is the figure to quote (the machine is shared: absolute times are noisy).
/// Run: dotnet run -c Release --project bench/Benchmarks -- --filter '*ModbusTcpRead*' --job short</summary>
[MemoryDiagnoser]
public class ModbusTcpReadBenchmarks
{
    private const int ReadsPerInvoke = 200;
    private readonly ushort[] _destination = new ushort[125];
    private ModbusTcpServer _server = null!;
    private ModbusClient _client = null!;
    private Process? _python;

    [GlobalSetup]
    public void Setup()
    {
        var model = new ModbusServerModel();
        var bank = model.AddUnit(1).HoldingRegisters;
        bank.Map(40000, 125);
        for (var i = 0; i < 125; i++)
        {
            bank[40000 + i] = (ushort)(i * 7);
        }
        _server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        _server.Start();
        _client = ModbusClient.ForTcp("127.0.0.1", _server.Port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(2), Retries = 0 });
        _client.ReadHoldingRegistersAsync(1, 40000, _destination, CancellationToken.None).GetAwaiter().GetResult();

        if (File.Exists("/usr/bin/python3"))
        {
            var script = FindScript();
            _python = Process.Start(new ProcessStartInfo("/usr/bin/python3", [script, "127.0.0.1", _server.Port.ToString(CultureInfo.InvariantCulture), "1"])
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (_python?.StandardOutput.ReadLine() != "ready")
            {
                Console.Error.WriteLine("pymodbus co-process did not start: " + _python?.StandardError.ReadToEnd());
                _python = null;
            }
        }
    }

    /// <summary>The script beside the build output, or in the source tree above it (BenchmarkDotNet runs from a generated folder).</summary>
    private static string FindScript()
    {
        var local = Path.Combine(AppContext.BaseDirectory, "Modbus", "pymodbus_read_loop.py");
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); !File.Exists(local) && dir is not null; dir = dir.Parent)
        {
            local = Path.Combine(dir.FullName, "bench", "Benchmarks", "Modbus", "pymodbus_read_loop.py");
        }
        return local;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_python is { HasExited: false })
        {
            _python.StandardInput.Close();
            _python.WaitForExit(5000);
        }
        _client.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = ReadsPerInvoke, Description = "PvEdge.Modbus client, 125 registers")]
    public async Task OurClient()
    {
        for (var i = 0; i < ReadsPerInvoke; i++)
        {
            await _client.ReadHoldingRegistersAsync(1, 40000, _destination, CancellationToken.None).ConfigureAwait(false);
        }
    }

    [Benchmark(OperationsPerInvoke = ReadsPerInvoke, Description = "pymodbus 3.0 sync client, 125 registers")]
    public void PymodbusClient()
    {
        if (_python is null)
        {
            throw new InvalidOperationException("pymodbus is not available (apt-get install python3-pymodbus)");
        }
        _python.StandardInput.WriteLine(ReadsPerInvoke.ToString(CultureInfo.InvariantCulture));
        _python.StandardInput.Flush();
        var reply = _python.StandardOutput.ReadLine();
        if (reply is null || !reply.StartsWith("done", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("pymodbus co-process failed: " + reply);
        }
    }
}
