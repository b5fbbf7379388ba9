using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.Devices;
using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;
using PvEdge.EdgeAgent.Tests.Hosting;
using PvEdge.Modbus.Server;

namespace PvEdge.EdgeAgent.Tests.Acquisition.Devices;

/// <summary>The whole agent host with <c>Acquisition:Simulated</c> false reading configured devices over Modbus TCP on loopback: the
/// repository's SunSpec inverter simulator (inverter and met station) and a register-map device, on a fake agent clock.</summary>
public sealed class DeviceAgentWiringTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-devicehost-").FullName;

    private AgentHostSettings Settings(FakeTimeProvider fake, IReadOnlyDictionary<string, string?> devices)
    {
        var extra = new Dictionary<string, string?>(devices)
        {
            ["Acquisition:Simulated"] = "false",
            ["Mqtt:ReconnectMinS"] = "5",
        };
        return OfflineHost.Settings(_dir, fake, "devicetest", extra);
    }

    /// <summary>Moves the agent's clock <paramref name="minutes"/> minutes in 5-second steps, letting the acquisition loop read (real
    /// Modbus round trips) between steps.</summary>
    private static async Task RunAsync(FakeTimeProvider fake, int minutes)
    {
        for (var i = 0; i < minutes * 12; i++)
        {
            fake.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(20);
        }
        await Task.Delay(300);
    }

    [Fact]
    public async Task Run_NotSimulatedSunSpecDeviceAtSimulator_AcPowerArrivesWithTheSimulatorsValue()
    {
        await using var sim = new SimulatorFixture(); // the simulator's own clock stays at noon: its values do not move
        var fake = new FakeTimeProvider(SimulatorFixture.Noon);
        var settings = Settings(fake, new Dictionary<string, string?>
        {
            ["Acquisition:Devices:0:Name"] = "inverter",
            ["Acquisition:Devices:0:Host"] = "127.0.0.1",
            ["Acquisition:Devices:0:Port"] = sim.Host.Port.ToString(CultureInfo.InvariantCulture),
            ["Acquisition:Devices:0:Units:0"] = "1",
            ["Acquisition:Devices:0:Units:1"] = "2",
        });
        var setup = AgentHost.Configure(settings);
        Assert.Empty(setup.Warnings);
        using var host = AgentHost.Build(settings, setup);
        var source = Assert.Single(host.Services.GetRequiredService<IEnumerable<IReadingSource>>());
        Assert.IsType<SunSpecReadingSource>(source);
        Assert.Equal("inverter", source.Name);

        await host.StartAsync();
        try
        {
            await RunAsync(fake, minutes: 3);

            var expectedAc = Math.Round(sim.Host.Engine.LastInverter!.AcPowerW);
            Assert.True(expectedAc > 2000, $"noon power {expectedAc} W");
            var live = host.Services.GetRequiredService<LiveState>().Latest;
            Assert.Equal(ReadingQuality.Good, live["ac_power_w"].Quality);
            Assert.Equal(expectedAc, live["ac_power_w"].Value);
            Assert.Equal("inverter/unit1", live["ac_power_w"].Source);
            Assert.Equal(Math.Round(sim.Host.Engine.LastMet!.PoaWm2), live["poa_wm2"].Value); // unit 2, the met station
            Assert.Equal("inverter/unit2", live["poa_wm2"].Source);

            var minutes = host.Services.GetRequiredService<AgentDatabase>()
                .ReadHistory(SimulatorFixture.Noon, SimulatorFixture.Noon.AddHours(1), TimeSpan.FromMinutes(1))
                .Where(v => v.Quantity == "ac_power_w").ToList();
            Assert.NotEmpty(minutes);
            Assert.All(minutes, v => Assert.Equal(expectedAc, v.Value!.Value, 6));
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Run_NotSimulatedMapDevice_ReadsItsRegistersAndDisposeClosesTheConnection()
    {
        var model = new ModbusServerModel();
        var input = model.AddUnit(3).InputRegisters;
        input.Map(0, 60);
        input[0] = 1; // MPPT
        (input[35], input[36]) = (0, 29876); // 2987.6 W AC
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        var fake = new FakeTimeProvider(SimulatorFixture.Noon);
        var settings = Settings(fake, new Dictionary<string, string?>
        {
            ["Acquisition:Devices:0:Name"] = "growatt",
            ["Acquisition:Devices:0:Host"] = "127.0.0.1",
            ["Acquisition:Devices:0:Port"] = server.Port.ToString(CultureInfo.InvariantCulture),
            ["Acquisition:Devices:0:Units:0"] = "3",
            ["Acquisition:Devices:0:Map"] = "growatt-min-tl-x",
        });
        var host = AgentHost.Build(settings, AgentHost.Configure(settings));
        try
        {
            Assert.IsType<RegisterMapReadingSource>(Assert.Single(host.Services.GetRequiredService<IEnumerable<IReadingSource>>()));
            Assert.Single(host.Services.GetRequiredService<ModbusDeviceSet>().Bridges);
            await host.StartAsync();
            await RunAsync(fake, minutes: 1);
            await host.StopAsync();

            var live = host.Services.GetRequiredService<LiveState>().Latest;
            Assert.Equal(2987.6, live["ac_power_w"].Value!.Value, 6);
            Assert.Equal((int)SunSpecInverterState.Mppt, live["inverter_state"].Value);
            Assert.Equal(1, server.OpenConnections);
        }
        finally
        {
            host.Dispose();
        }

        for (var i = 0; i < 250 && server.OpenConnections > 0; i++)
        {
            await Task.Delay(20);
        }
        Assert.Equal(0, server.OpenConnections);
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
