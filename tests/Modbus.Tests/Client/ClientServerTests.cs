using System.Net;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Server;

namespace PvEdge.Modbus.Tests.Client;

/// <summary>Our client against our TCP server: every function code, exceptions, and split reads.</summary>
public sealed class ClientServerTests : IAsyncLifetime
{
    private readonly ModbusServerModel _model = new();
    private ModbusTcpServer _server = null!;
    private ModbusClient _client = null!;

    public Task InitializeAsync()
    {
        var unit = _model.AddUnit(1);
        unit.HoldingRegisters.Map(0, 400);
        for (var a = 0; a < 400; a++)
        {
            unit.HoldingRegisters[a] = (ushort)(a * 3 + 1);
        }
        unit.InputRegisters.Load(30000, [11, 22, 33]);
        unit.Coils.Map(0, 20);
        unit.DiscreteInputs.Map(100, 10);
        unit.DiscreteInputs[103] = true;
        _server = new ModbusTcpServer(_model, IPAddress.Loopback, 0);
        _server.Start();
        _client = ModbusClient.ForTcp("127.0.0.1", _server.Port, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0 });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task ReadHoldingRegisters_MoreThan125_SplitsAndReturnsAll()
    {
        var values = await _client.ReadHoldingRegistersAsync(1, 10, 300, CancellationToken.None);
        Assert.Equal(Enumerable.Range(10, 300).Select(a => (ushort)(a * 3 + 1)), values);
        Assert.Equal(3, _model.RequestsServed);
    }

    [Fact]
    public async Task ReadInputRegisters_MappedRange_ReturnsValues() =>
        Assert.Equal(new ushort[] { 11, 22, 33 }, await _client.ReadInputRegistersAsync(1, 30000, 3, CancellationToken.None));

    [Fact]
    public async Task ReadHoldingRegisters_UnmappedAddress_ThrowsIllegalDataAddress()
    {
        var ex = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => _client.ReadHoldingRegistersAsync(1, 399, 2, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        // the connection survives an exception reply
        Assert.Single(await _client.ReadHoldingRegistersAsync(1, 399, 1, CancellationToken.None));
        Assert.Equal(1, _client.ConnectionsOpened);
    }

    [Fact]
    public async Task WriteSingleAndMultipleRegisters_ThenRead_ReturnsWrittenValues()
    {
        await _client.WriteSingleRegisterAsync(1, 5, 0xBEEF, CancellationToken.None);
        await _client.WriteMultipleRegistersAsync(1, 6, new ushort[] { 1, 2, 3 }, CancellationToken.None);
        Assert.Equal(new ushort[] { 0xBEEF, 1, 2, 3 }, await _client.ReadHoldingRegistersAsync(1, 5, 4, CancellationToken.None));
    }

    [Fact]
    public async Task WriteCoils_ThenReadCoilsAndDiscretes_ReturnsBits()
    {
        await _client.WriteSingleCoilAsync(1, 0, true, CancellationToken.None);
        await _client.WriteMultipleCoilsAsync(1, 8, new[] { true, false, true, true, false, false, false, false, true }, CancellationToken.None);
        var coils = await _client.ReadCoilsAsync(1, 0, 20, CancellationToken.None);
        Assert.Equal(new[] { 0, 8, 10, 11, 16 }, coils.Select((b, i) => (b, i)).Where(t => t.b).Select(t => t.i));
        var inputs = await _client.ReadDiscreteInputsAsync(1, 100, 10, CancellationToken.None);
        Assert.Equal(3, Array.IndexOf(inputs, true));
    }

    [Fact]
    public async Task ReadHoldingRegisters_UnknownUnit_TimesOutWithTypedError()
    {
        _client.Options.Timeout = TimeSpan.FromMilliseconds(500);
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => _client.ReadHoldingRegistersAsync(9, 0, 1, CancellationToken.None));
        Assert.InRange(TimeProvider.System.GetElapsedTime(started), TimeSpan.FromMilliseconds(400), TimeSpan.FromSeconds(2));
    }

    [Fact]
    public async Task BeforeRequestHook_RefreshesValue_ClientSeesFreshValue()
    {
        var unit = _model.Unit(1)!;
        var n = 0;
        _model.BeforeRequest = info =>
        {
            lock (unit.SyncRoot)
            {
                unit.HoldingRegisters[0] = (ushort)++n;
            }
        };
        Assert.Equal(1, (await _client.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None))[0]);
        Assert.Equal(2, (await _client.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task FaultHook_MalformedThenNone_ProtocolErrorThenRecovers()
    {
        var malformed = true;
        _model.Fault = _ => malformed ? ModbusServerFault.Malformed : ModbusServerFault.None;
        await Assert.ThrowsAsync<ModbusProtocolException>(() => _client.ReadHoldingRegistersAsync(1, 0, 4, CancellationToken.None));
        malformed = false;
        Assert.Equal(4, (await _client.ReadHoldingRegistersAsync(1, 0, 4, CancellationToken.None)).Length);
    }
}
