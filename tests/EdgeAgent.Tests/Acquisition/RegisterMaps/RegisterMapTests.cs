using System.Net;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.RegisterMaps;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Server;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Acquisition.RegisterMaps;

public sealed class RegisterMapTests
{
    private static string Shipped(string name) => PvEdge.TestSupport.RepoPaths.InRepo($"src/EdgeAgent/Acquisition/RegisterMaps/{name}.json");

    [Fact]
    public void Load_EveryShippedMap_Validates()
    {
        var files = Directory.GetFiles(PvEdge.TestSupport.RepoPaths.InRepo("src/EdgeAgent/Acquisition/RegisterMaps"), "*.json");
        Assert.NotEmpty(files);
        foreach (var file in files)
        {
            var map = RegisterMap.Load(file);
            Assert.Contains(map.Points, p => p.Quantity == "ac_power_w");
        }
    }

    [Fact]
    public void Resolve_ShippedName_FindsCopyBesideExecutable() =>
        Assert.True(File.Exists(RegisterMap.Resolve("growatt-min-tl-x")));

    [Theory]
    [InlineData("""{ "schema": 2, "manufacturer": "A", "model": "B", "points": [] }""", "m.json: schema: expected 1")]
    [InlineData("""{ "schema": 1, "model": "B", "points": [] }""", "m.json: manufacturer: expected a non-empty string")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [] }""", "m.json: points: expected a non-empty array")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "power", "address": 1, "type": "uint16" } ] }""", "m.json: points[0].quantity: expected a history column")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "address": 1, "type": "u32" } ] }""", "m.json: points[0].type: expected one of uint16, int16, uint32, int32, float32, got 'u32'")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "address": 70000, "type": "uint16" } ] }""", "m.json: points[0].address: expected an integer register address")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "table": "coil", "address": 1, "type": "uint16" } ] }""", "m.json: points[0].table: expected holding or input")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "address": 1, "type": "uint16", "scale": 0 } ] }""", "m.json: points[0].scale: expected a non-zero number")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "inverter_state", "address": 1, "type": "uint16", "states": { "1": "RUNNING" } } ] }""", "m.json: points[0].states.1: expected an integer code mapped to one of")]
    [InlineData("""{ "schema": 1, "manufacturer": "A", "model": "B", "points": [ { "quantity": "ac_power_w", "address": 1, "type": "uint16" }, { "quantity": "ac_power_w", "address": 2, "type": "uint16" } ] }""", "m.json: points[1].quantity: 'ac_power_w' appears twice")]
    [InlineData("{ \"schema\": 1,\n  \"manufacturer\": }", "m.json:2: column")]
    public void Parse_BadMap_OneLineErrorNamingTheKey(string json, string expectedStart)
    {
        var ex = Assert.Throws<InputException>(() => RegisterMap.Parse(json, "m.json"));
        Assert.StartsWith(expectedStart, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public async Task Read_GrowattExampleAgainstServer_DecodesScaledValuesAndStates()
    {
        var map = RegisterMap.Load(Shipped("growatt-min-tl-x"));
        var model = new ModbusServerModel();
        var input = model.AddUnit(1).InputRegisters;
        input.Map(0, 60);
        input[0] = 1; // normal → MPPT
        (input[1], input[2]) = (0, 31234); // 3123.4 W DC
        (input[5], input[6]) = (0, 20000);
        (input[9], input[10]) = (0, 11234);
        (input[35], input[36]) = (0, 29876); // 2987.6 W AC
        (input[55], input[56]) = (0x0001, 0x0000); // 6553.6 kWh
        await using var server = new ModbusTcpServer(model, IPAddress.Loopback, 0);
        server.Start();
        await using var client = ModbusClient.ForTcp("127.0.0.1", server.Port);
        var source = new RegisterMapReadingSource("growatt", map, client, 1, TimeSpan.FromSeconds(10), TimeProvider.System);
        Assert.Single(source.Reads); // registers 0..56 coalesced into one read
        var r = (await source.ReadAsync(CancellationToken.None)).ToDictionary(x => x.Quantity);
        Assert.Equal(2987.6, r["ac_power_w"].Value!.Value, 6);
        Assert.Equal(3123.4, r["dc_power_w"].Value!.Value, 6);
        Assert.Equal(2000.0, r["dc_power_w__mppt1"].Value!.Value, 6);
        Assert.Equal(6553.6, r["energy_total_kwh"].Value!.Value, 6);
        Assert.Equal((int)SunSpecInverterState.Mppt, r["inverter_state"].Value);

        input[0] = 9; // a code the map does not know
        r = (await source.ReadAsync(CancellationToken.None)).ToDictionary(x => x.Quantity);
        Assert.Equal(ReadingQuality.Missing, r["inverter_state"].Quality);
        Assert.Contains("state code 9", r["inverter_state"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_DeviceAbsent_AllMissingWithReasonNeverZero()
    {
        var map = RegisterMap.Load(Shipped("growatt-min-tl-x"));
        await using var client = ModbusClient.ForTcp("127.0.0.1", PvEdge.TestSupport.ExternalTools.FreeTcpPort(), new ModbusClientOptions { Retries = 0 });
        var readings = await new RegisterMapReadingSource("growatt", map, client, 1, TimeSpan.FromSeconds(10), TimeProvider.System).ReadAsync(CancellationToken.None);
        Assert.Equal(map.Points.Count, readings.Count);
        Assert.All(readings, r =>
        {
            Assert.Null(r.Value);
            Assert.Equal("connection refused", r.Reason);
        });
    }

    [Fact]
    public void Decode_SentinelAndSignedTypes_AsDeclared()
    {
        var p = new RegisterPoint("temp_air_c", RegisterTable.Holding, 0, RegisterType.Int16, 0.1, NotImplemented: -32768, null);
        Assert.Equal(-12.5, p.Decode([unchecked((ushort)(short)-125)])!.Value, 6);
        Assert.Null(p.Decode([0x8000]));
        var f = new RegisterPoint("ac_power_w", RegisterTable.Holding, 0, RegisterType.Float32, 1, null, null);
        Assert.Null(f.Decode([0x7FC0, 0]));
    }
}
