using System.Net;
using Microsoft.Extensions.Configuration;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Devices;
using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus.Server;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Devices;

/// <summary>The factory the host uses for <c>Acquisition:Devices</c>: register-map devices read their mapped values over Modbus TCP,
/// devices on one endpoint share one client and bridge (one connection at the device), and disposing the set closes it.</summary>
public sealed class ModbusDeviceSetTests
{
    private static IReadOnlyList<ConfiguredDevice> Devices(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>($"Acquisition:{s.Key}", s.Value)).Append(new("Acquisition:Simulated", "false")))
            .Build();
        return DeviceAgentWiring.Check(configuration);
    }

    /// <summary>A Growatt-like inverter (the shipped map) on <paramref name="unit"/>, producing <paramref name="acDeciW"/> × 0.1 W.</summary>
    private static void AddGrowatt(ModbusServerModel model, byte unit, ushort acDeciW, ushort state)
    {
        var input = model.AddUnit(unit).InputRegisters;
        input.Map(0, 60);
        input[0] = state;
        (input[1], input[2]) = (0, 31234); // 3123.4 W DC
        (input[35], input[36]) = (0, acDeciW);
        (input[55], input[56]) = (0x0001, 0x0000); // 6553.6 kWh
    }

    [Fact]
    public async Task Read_RegisterMapDevice_ReadsTheMappedValuesAtTheServer()
    {
        var model = new ModbusServerModel();
        AddGrowatt(model, 3, acDeciW: 29876, state: 1);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var devices = Devices(("Devices:0:Name", "growatt"), ("Devices:0:Host", "127.0.0.1"), ("Devices:0:Port", $"{server.Port}"),
            ("Devices:0:Units:0", "3"), ("Devices:0:Map", "growatt-min-tl-x"), ("Devices:0:CadenceS", "7"));
        await using var set = ModbusDeviceSet.Create(devices, TimeProvider.System, TimeProvider.System);

        var source = Assert.IsType<RegisterMapReadingSource>(Assert.Single(set.Sources));
        var readings = (await source.ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);

        Assert.Equal("growatt", source.Name);
        Assert.Equal(TimeSpan.FromSeconds(7), source.Cadence);
        Assert.Equal(2987.6, readings["ac_power_w"].Value!.Value, 6);
        Assert.Equal(3123.4, readings["dc_power_w"].Value!.Value, 6);
        Assert.Equal(6553.6, readings["energy_total_kwh"].Value!.Value, 6);
        Assert.Equal((int)SunSpecInverterState.Mppt, readings["inverter_state"].Value);
        Assert.Equal("growatt/unit3", readings["ac_power_w"].Source);
    }

    [Fact]
    public async Task Create_TwoDevicesOnOneEndpoint_ShareOneBridgeAndOneConnection()
    {
        var model = new ModbusServerModel();
        AddGrowatt(model, 1, acDeciW: 10000, state: 1);
        AddGrowatt(model, 4, acDeciW: 20000, state: 1);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var other = ExternalTools.FreeTcpPort();
        var devices = Devices(
            ("Devices:0:Name", "east"), ("Devices:0:Host", "127.0.0.1"), ("Devices:0:Port", $"{server.Port}"), ("Devices:0:Units:0", "1"), ("Devices:0:Map", "growatt-min-tl-x"),
            ("Devices:1:Name", "elsewhere"), ("Devices:1:Host", "127.0.0.1"), ("Devices:1:Port", $"{other}"), ("Devices:1:Units:0", "1"), ("Devices:1:Map", "growatt-min-tl-x"),
            ("Devices:2:Name", "west"), ("Devices:2:Host", "127.0.0.1"), ("Devices:2:Port", $"{server.Port}"), ("Devices:2:Units:0", "4"), ("Devices:2:Map", "growatt-min-tl-x"));
        await using var set = ModbusDeviceSet.Create(devices, TimeProvider.System, TimeProvider.System);

        Assert.Equal(["east", "elsewhere", "west"], set.Sources.Select(s => s.Name));
        Assert.Equal(2, set.Bridges.Count);
        Assert.Same(set.BridgeOf("east"), set.BridgeOf("west"));
        Assert.NotSame(set.BridgeOf("east"), set.BridgeOf("elsewhere"));
        Assert.Equal($"127.0.0.1:{server.Port}", set.BridgeOf("west").Endpoint);

        var east = (await set.Sources[0].ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);
        var west = (await set.Sources[2].ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);

        Assert.Equal(1000.0, east["ac_power_w"].Value!.Value, 6);
        Assert.Equal(2000.0, west["ac_power_w"].Value!.Value, 6);
        Assert.Equal(1, server.OpenConnections);
    }

    [Fact]
    public async Task Read_DeviceAbsent_MissingWithReasonNeverThrows()
    {
        var devices = Devices(("Devices:0:Name", "inverter"), ("Devices:0:Host", "127.0.0.1"), ("Devices:0:Port", $"{ExternalTools.FreeTcpPort()}"),
            ("Devices:0:Units:0", "1"), ("Devices:0:Retries", "0"));
        await using var set = ModbusDeviceSet.Create(devices, TimeProvider.System, TimeProvider.System);

        var readings = await Assert.IsType<SunSpecReadingSource>(Assert.Single(set.Sources)).ReadAsync(CancellationToken.None);

        Assert.NotEmpty(readings);
        Assert.All(readings, r =>
        {
            Assert.Equal(ReadingQuality.Missing, r.Quality);
            Assert.Null(r.Value);
            Assert.Equal("connection refused", r.Reason);
        });
    }

    [Fact]
    public async Task Dispose_AfterReads_ClosesTheConnection()
    {
        var model = new ModbusServerModel();
        AddGrowatt(model, 1, acDeciW: 10000, state: 1);
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var devices = Devices(("Devices:0:Name", "east"), ("Devices:0:Host", "127.0.0.1"), ("Devices:0:Port", $"{server.Port}"), ("Devices:0:Units:0", "1"),
            ("Devices:0:Map", "growatt-min-tl-x"));
        var set = ModbusDeviceSet.Create(devices, TimeProvider.System, TimeProvider.System);
        await set.Sources[0].ReadAsync(CancellationToken.None);
        Assert.Equal(1, server.OpenConnections);

        await set.DisposeAsync();

        for (var i = 0; i < 250 && server.OpenConnections > 0; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, server.OpenConnections);
    }

    [Fact]
    public void Create_NoDevices_EmptySet()
    {
        var set = ModbusDeviceSet.Create([], TimeProvider.System, TimeProvider.System);

        Assert.Empty(set.Sources);
        Assert.Empty(set.Bridges);
    }

    [Fact]
    public void Check_SunSpecDeviceWithMetStation_DefaultsAsDocumented()
    {
        var device = Assert.Single(Devices(("Devices:0:Name", "inverter"), ("Devices:0:Host", "192.0.2.1"), ("Devices:0:Units:0", "1"), ("Devices:0:Units:1", "2")));

        Assert.Equal([1, 2], device.Units.Select(u => (int)u));
        Assert.Null(device.Map);
        Assert.Equal("tcp:192.0.2.1:502", device.Endpoint.Key);
        Assert.Equal(TimeSpan.FromSeconds(5), device.Cadence);
        Assert.Equal(TimeSpan.FromSeconds(1), device.Timeout);
        Assert.Equal(2, device.Retries);
        Assert.Equal(TimeSpan.Zero, device.Delay);
    }
}
