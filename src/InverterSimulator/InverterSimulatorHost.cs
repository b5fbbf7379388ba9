using System.Net;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.InverterSimulator.Registers;
using PvEdge.Modbus.Server;

namespace PvEdge.InverterSimulator;

/// <summary>Options of a simulator instance.</summary>
public sealed class InverterSimulatorOptions
{
    public required IPlantState Plant { get; init; }

    /// <summary>The simulated clock (see <see cref="SimulatedClock"/>); the physics is evaluated at its time.</summary>
    public required TimeProvider Clock { get; init; }

    public FaultSchedule Faults { get; init; } = FaultSchedule.None;

    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>TCP port; 0 picks a free one (see <see cref="InverterSimulatorHost.Port"/>).</summary>
    public int Port { get; init; } = 1502;

    public byte InverterUnitId { get; init; } = 1;

    public byte MetUnitId { get; init; } = 2;

    public DeviceIdentity Inverter { get; init; } = new("PvEdge", "SIM-INV-2MPPT", "SIM00000001", "1.0.0");

    public DeviceIdentity MetStation { get; init; } = new("PvEdge", "SIM-MET", "SIMMET000001", "1.0.0");

    /// <summary>Lifetime energy at start (SunSpec accumulators of 0 mean "not implemented", so a real inverter never starts at 0).</summary>
    public double InitialEnergyKwh { get; init; } = 1000;
}

/// <summary>A SunSpec inverter (unit 1: models 1, 103, 120, 160 with two MPPTs) and met station (unit 2: models 1, 302, 303, 307)
/// on Modbus TCP, and optionally RTU, whose values follow the plant at the simulated clock, with scheduled faults.
/// Start it in-process (the agent's demo, tests, benchmarks) or through the <c>inverter-simulator</c> command.</summary>
public sealed class InverterSimulatorHost : IAsyncDisposable
{
    private readonly ModbusTcpServer _tcp;
    private readonly List<ModbusRtuServer> _rtu = [];

    private InverterSimulatorHost(ModbusServerModel model, SimulatorEngine engine, ModbusTcpServer tcp, InverterSimulatorOptions options)
    {
        Model = model;
        Engine = engine;
        _tcp = tcp;
        Options = options;
    }

    public InverterSimulatorOptions Options { get; }

    /// <summary>The bound TCP port.</summary>
    public int Port => _tcp.Port;

    public ModbusServerModel Model { get; }

    public SimulatorEngine Engine { get; }

    /// <summary>Builds the register images and starts serving TCP. Throws <see cref="System.Net.Sockets.SocketException"/> if the port is taken.</summary>
    public static InverterSimulatorHost Start(InverterSimulatorOptions options)
    {
        var model = new ModbusServerModel();
        var inverter = new SimulatedInverter(model.AddUnit(options.InverterUnitId), options.Inverter, options.Plant.AcRatingW);
        var met = new SimulatedMetStation(model.AddUnit(options.MetUnitId), options.MetStation);
        var engine = new SimulatorEngine(options.Plant, options.Clock, options.Faults, inverter, met, options.InitialEnergyKwh);
        engine.Refresh();
        model.BeforeRequest = _ => engine.Refresh();
        model.Fault = engine.FaultFor;
        var tcp = new ModbusTcpServer(model, options.Address, options.Port);
        tcp.Start();
        return new InverterSimulatorHost(model, engine, tcp, options);
    }

    /// <summary>Also serves Modbus RTU on a serial port or pty path.</summary>
    public void StartRtu(string portPath, int baudRate)
    {
        var server = ModbusRtuServer.OpenSerial(Model, portPath, baudRate);
        server.Start();
        _rtu.Add(server);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var rtu in _rtu)
        {
            await rtu.DisposeAsync().ConfigureAwait(false);
        }
        await _tcp.DisposeAsync().ConfigureAwait(false);
    }
}
