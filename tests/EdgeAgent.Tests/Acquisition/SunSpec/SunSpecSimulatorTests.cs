using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

/// <summary>The agent's data-driven SunSpec reader against the simulator's independently written register images.</summary>
public sealed class SunSpecSimulatorTests
{
    private static async Task<Dictionary<string, Reading>> ReadAsync(SimulatorFixture sim, ModbusClient client)
    {
        var source = new SunSpecReadingSource("inverter", client, [1, 2], TimeSpan.FromSeconds(10), sim.Clock);
        return (await source.ReadAsync(CancellationToken.None)).ToDictionary(r => r.Quantity);
    }

    [Fact]
    public async Task Discover_Simulator_FindsInverterAndMetChains()
    {
        await using var sim = new SimulatorFixture();
        await using var client = sim.Client();
        var inverter = await SunSpecDiscovery.DiscoverAsync(client, 1, CancellationToken.None);
        var met = await SunSpecDiscovery.DiscoverAsync(client, 2, CancellationToken.None);
        Assert.Equal(new[] { 1, 103, 120, 160 }, inverter!.Models.Select(m => m.Id));
        Assert.Equal(new[] { 1, 302, 303, 307 }, met!.Models.Select(m => m.Id));
        Assert.Equal(40000, inverter.BaseAddress);
    }

    [Fact]
    public async Task Read_AtNoon_ReadingsMatchThePlant()
    {
        await using var sim = new SimulatorFixture();
        await using var client = sim.Client();
        var r = await ReadAsync(sim, client);
        var published = sim.Host.Engine.LastInverter!;
        Assert.Equal(Math.Round(published.AcPowerW), r["ac_power_w"].Value);
        Assert.True(r["ac_power_w"].Value > 2000, "noon power should be substantial");
        Assert.Equal(Math.Round(published.DcPowerW[0]), r["dc_power_w__mppt1"].Value);
        Assert.Equal(Math.Round(published.DcPowerW[1]), r["dc_power_w__mppt2"].Value);
        Assert.Equal((int)SunSpecInverterState.Mppt, r["inverter_state"].Value);
        Assert.Equal(Math.Round(sim.Host.Engine.LastMet!.PoaWm2), r["poa_wm2"].Value);
        Assert.Equal(Math.Round(sim.Host.Engine.LastMet!.TempAirC, 1), r["temp_air_c"].Value!.Value, 6);
        Assert.All(r.Values, x => Assert.Equal(ReadingQuality.Good, x.Quality));
    }

    [Fact]
    public async Task Read_ClockAdvances_EnergyAccumulates()
    {
        await using var sim = new SimulatorFixture();
        await using var client = sim.Client();
        var before = (await ReadAsync(sim, client))["energy_total_kwh"].Value!.Value;
        sim.Clock.Advance(TimeSpan.FromHours(1));
        var after = (await ReadAsync(sim, client))["energy_total_kwh"].Value!.Value;
        Assert.InRange(after - before, 2.0, 4.0); // about an hour at 2–4 kW around noon
    }

    [Fact]
    public async Task Read_AtNight_SleepingWithZeroPower()
    {
        await using var sim = new SimulatorFixture(start: SimulatorFixture.Noon.AddHours(11));
        await using var client = sim.Client();
        var r = await ReadAsync(sim, client);
        Assert.Equal((int)SunSpecInverterState.Sleeping, r["inverter_state"].Value);
        Assert.Equal(0, r["ac_power_w"].Value);
    }

    [Fact]
    public async Task Read_Mppt2Outage_Mppt2ZeroAndAcDrops()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("mppt2_outage"));
        await using var client = sim.Client();
        var healthy = await ReadAsync(sim, client);
        sim.Clock.Advance(TimeSpan.FromMinutes(45));
        var outage = await ReadAsync(sim, client);
        Assert.True(healthy["dc_power_w__mppt2"].Value > 500);
        Assert.Equal(0, outage["dc_power_w__mppt2"].Value);
        Assert.True(outage["ac_power_w"].Value < 0.75 * healthy["ac_power_w"].Value);
    }

    [Fact]
    public async Task Read_InverterFault_FaultStateZeroOutput()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("inverter_fault"));
        sim.Clock.Advance(TimeSpan.FromMinutes(45));
        await using var client = sim.Client();
        var r = await ReadAsync(sim, client);
        Assert.Equal((int)SunSpecInverterState.Fault, r["inverter_state"].Value);
        Assert.Equal(0, r["ac_power_w"].Value);
        Assert.Equal(0, r["dc_power_w"].Value);
    }

    [Fact]
    public async Task Read_Throttle_ThrottledAndCapped()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("throttle", """, "limit_pct": 40"""));
        sim.Clock.Advance(TimeSpan.FromMinutes(45));
        await using var client = sim.Client();
        var r = await ReadAsync(sim, client);
        Assert.Equal((int)SunSpecInverterState.Throttled, r["inverter_state"].Value);
        var limit = 0.4 * sim.Plant.AcRatingW;
        Assert.InRange(r["ac_power_w"].Value!.Value, limit - 1, limit + 1);
    }

    [Fact]
    public async Task Read_FrozenSensor_PoaStopsChangingWhilePowerMoves()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("frozen_sensor", """, "sensor": "poa" """), SimulatorFixture.Noon.AddHours(-2));
        await using var client = sim.Client();
        sim.Clock.Advance(TimeSpan.FromMinutes(2 * 60 + 40));
        var first = await ReadAsync(sim, client);
        sim.Clock.Advance(TimeSpan.FromMinutes(30));
        var second = await ReadAsync(sim, client);
        Assert.Equal(first["poa_wm2"].Value, second["poa_wm2"].Value);
        Assert.NotEqual(first["ac_power_w"].Value, second["ac_power_w"].Value);
    }

    [Fact]
    public async Task Read_CommStall_MissingWithTimeoutReasonThenRecovers()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("comm_stall"));
        await using var client = sim.Client(timeoutMs: 400, retries: 0);
        var source = new SunSpecReadingSource("inverter", client, [1], TimeSpan.FromSeconds(10), sim.Clock);
        Assert.Contains(await source.ReadAsync(CancellationToken.None), r => r.Quantity == "ac_power_w" && r.Quality == ReadingQuality.Good);
        sim.Clock.Advance(TimeSpan.FromMinutes(45));
        var stalled = await source.ReadAsync(CancellationToken.None);
        Assert.NotEmpty(stalled);
        Assert.All(stalled, r => Assert.Equal(ReadingQuality.Missing, r.Quality));
        Assert.All(stalled, r => Assert.Contains("no reply", r.Reason, StringComparison.Ordinal));
        Assert.Contains(stalled, r => r.Quantity == "dc_power_w__mppt2");
        sim.Clock.Advance(TimeSpan.FromHours(1));
        Assert.All(await source.ReadAsync(CancellationToken.None), r => Assert.Equal(ReadingQuality.Good, r.Quality));
    }

    [Fact]
    public async Task Read_MalformedReplies_MissingWithProtocolReason()
    {
        await using var sim = new SimulatorFixture(SimulatorFixture.Schedule("malformed_replies"));
        sim.Clock.Advance(TimeSpan.FromMinutes(45));
        await using var client = sim.Client(timeoutMs: 300, retries: 0);
        var readings = await new SunSpecReadingSource("inverter", client, [1], TimeSpan.FromSeconds(10), sim.Clock).ReadAsync(CancellationToken.None);
        var ac = Assert.Single(readings, r => r.Quantity == "ac_power_w");
        Assert.Equal(ReadingQuality.Missing, ac.Quality);
        Assert.Null(ac.Value);
    }

    [Fact]
    public async Task Read_ThroughBridge_TwoUnitsShareOneConnection()
    {
        await using var sim = new SimulatorFixture();
        var client = sim.Client();
        await using var bridge = new ModbusBridge(client);
        var inverter = new SunSpecReadingSource("inverter", bridge, [1], TimeSpan.FromSeconds(10), sim.Clock);
        var met = new SunSpecReadingSource("met", bridge, [2], TimeSpan.FromSeconds(10), sim.Clock);
        var results = await Task.WhenAll(inverter.ReadAsync(CancellationToken.None), met.ReadAsync(CancellationToken.None));
        Assert.Contains(results[0], r => r.Quantity == "ac_power_w" && r.Value > 0);
        Assert.Contains(results[1], r => r.Quantity == "poa_wm2" && r.Value > 0);
        Assert.Equal(1, client.ConnectionsOpened);
    }

    [Fact]
    public async Task Discover_NoSunSpecMarker_ReturnsNull()
    {
        var model = new PvEdge.Modbus.Server.ModbusServerModel();
        model.AddUnit(1).HoldingRegisters.Load(0, [1, 2, 3, 4]);
        await using var server = new PvEdge.Modbus.Server.ModbusTcpServer(model, System.Net.IPAddress.Loopback, 0);
        server.Start();
        await using var client = ModbusClient.ForTcp("127.0.0.1", server.Port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0 });
        Assert.Null(await SunSpecDiscovery.DiscoverAsync(client, 1, CancellationToken.None));
        client.Options.Timeout = TimeSpan.FromMilliseconds(500); // short only where no reply is expected
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => SunSpecDiscovery.DiscoverAsync(client, 9, CancellationToken.None));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(50000)]
    public async Task Discover_MarkerAtAlternativeBase_Found(int baseAddress)
    {
        var model = new PvEdge.Modbus.Server.ModbusServerModel();
        var bank = model.AddUnit(1).HoldingRegisters;
        bank.Load(baseAddress, [0x5375, 0x6E53, 303, 1, 250, 0xFFFF, 0]);
        await using var server = new PvEdge.Modbus.Server.ModbusTcpServer(model, System.Net.IPAddress.Loopback, 0);
        server.Start();
        await using var client = ModbusClient.ForTcp("127.0.0.1", server.Port);
        var device = await SunSpecDiscovery.DiscoverAsync(client, 1, CancellationToken.None);
        Assert.Equal(baseAddress, device!.BaseAddress);
        var values = await SunSpecDiscovery.ReadModelAsync(client, 1, device.Models[0], SunSpecModelCatalog.Default, CancellationToken.None);
        Assert.Equal(25.0, values!.Blocks[0]["TmpBOM"].Number!.Value, 6);
    }
}
