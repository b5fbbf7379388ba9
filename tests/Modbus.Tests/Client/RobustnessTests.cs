using System.Buffers.Binary;
using PvEdge.Modbus.Client;

namespace PvEdge.Modbus.Tests.Client;

/// <summary>Each misbehaviour gives a typed error within the timeout, and the bridge serves the next request.</summary>
public sealed class RobustnessTests
{
    /// <summary>The timeout of requests expected to fail; requests expected to succeed get <see cref="Generous"/>, so a slow CI machine cannot fail them.</summary>
    private static readonly TimeSpan Timeout = TimeSpan.FromMilliseconds(400);
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(5);

    /// <summary>First request gets <paramref name="bad"/>, later ones a good reply.</summary>
    private static ScriptedDevice Device(Func<byte[], ScriptedReply> bad) =>
        new((n, request) => n == 0 ? bad(request) : new ScriptedReply(ScriptedDevice.GoodReadReply(request, a => (ushort)(a + 100))));

    private static async Task AssertFailsThenRecovers<TException>(Func<byte[], ScriptedReply> bad)
        where TException : ModbusException
    {
        await using var device = Device(bad);
        var client = ModbusClient.ForTcp("127.0.0.1", device.Port, new ModbusClientOptions { Timeout = Timeout, Retries = 0 });
        await using var bridge = new ModbusBridge(client, new ModbusBridgeOptions { FailuresBeforeSetAside = 10 });
        var started = TimeProvider.System.GetTimestamp();
        await Assert.ThrowsAsync<TException>(() => bridge.ReadHoldingRegistersAsync(1, 10, 2, CancellationToken.None));
        // The slack covers connecting and first-call JIT on a loaded 2-core CI machine; a hang would blow through it.
        Assert.True(TimeProvider.System.GetElapsedTime(started) < Timeout + TimeSpan.FromSeconds(2), "error came later than the timeout");
        client.Options.Timeout = Generous;
        var values = await bridge.ReadHoldingRegistersAsync(1, 10, 2, CancellationToken.None);
        Assert.Equal(new ushort[] { 110, 111 }, values);
    }

    [Fact]
    public Task Read_GarbageBytes_ProtocolErrorThenRecovers() =>
        AssertFailsThenRecovers<ModbusProtocolException>(_ => new ScriptedReply([0xDE, 0xAD, 0xBE, 0xEF, 0xFF, 0xFF, 0x01, 0x02, 0x03]));

    [Fact]
    public Task Read_TruncatedFrame_TimeoutThenRecovers() =>
        AssertFailsThenRecovers<ModbusTimeoutException>(r => new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 1)[..10]));

    [Fact]
    public Task Read_WrongTransactionIdOnly_TimeoutThenRecovers() =>
        AssertFailsThenRecovers<ModbusTimeoutException>(r =>
            new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 9, transactionId: (ushort)(BinaryPrimitives.ReadUInt16BigEndian(r) + 7))));

    [Fact]
    public Task Read_WrongUnitId_TimeoutThenRecovers() =>
        AssertFailsThenRecovers<ModbusTimeoutException>(r => new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 9, unitId: 42)));

    [Fact]
    public Task Read_ExceptionReply_TypedCodeThenRecovers() =>
        AssertFailsThenRecovers<ModbusExceptionResponse>(r => new ScriptedReply(ScriptedDevice.ExceptionReply(r, 4)));

    [Fact]
    public Task Read_ServerStallsPastTimeout_TimeoutThenRecovers() =>
        AssertFailsThenRecovers<ModbusTimeoutException>(_ => ScriptedReply.Silence);

    [Fact]
    public Task Read_ConnectionResetMidFrame_TransportErrorThenRecovers() =>
        AssertFailsThenRecovers<ModbusTransportException>(r => new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 1)[..9], CloseAfter: true));

    [Fact]
    public async Task Read_StrayReplyBeforeRealOne_ReturnsRealAnswerOnly()
    {
        await using var device = new ScriptedDevice((n, r) =>
        {
            var late = ScriptedDevice.GoodReadReply(r, a => 666, transactionId: (ushort)(BinaryPrimitives.ReadUInt16BigEndian(r) - 1));
            var good = ScriptedDevice.GoodReadReply(r, a => (ushort)a);
            return new ScriptedReply([.. late, .. good]);
        });
        await using var client = ModbusClient.ForTcp("127.0.0.1", device.Port, new ModbusClientOptions { Timeout = Generous, Retries = 0 });
        Assert.Equal(new ushort[] { 5, 6 }, await client.ReadHoldingRegistersAsync(1, 5, 2, CancellationToken.None));
        Assert.Equal(1, client.StrayRepliesDiscarded);
    }

    [Fact]
    public async Task Read_WrongUnitTimeout_NamesTheUnitThatAnswered()
    {
        await using var device = new ScriptedDevice((n, r) => new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 1, unitId: 3)));
        await using var client = ModbusClient.ForTcp("127.0.0.1", device.Port, new ModbusClientOptions { Timeout = Timeout, Retries = 0 });
        var ex = await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None));
        Assert.Equal((byte)3, ex.LastStrayUnitId);
        Assert.Contains("unit 3", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_RetriesAfterStall_SucceedsOnSecondAttempt()
    {
        await using var device = Device(_ => ScriptedReply.Silence);
        await using var client = ModbusClient.ForTcp("127.0.0.1", device.Port,
            new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(1), Retries = 1, BackoffInitial = TimeSpan.FromMilliseconds(10) });
        Assert.Equal(new ushort[] { 100 }, await client.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None));
        Assert.Equal(2, device.Requests);
    }

    [Fact]
    public async Task Connect_ClosedPort_TransportErrorSaysRefused()
    {
        var port = PvEdge.TestSupport.ExternalTools.FreeTcpPort();
        await using var client = ModbusClient.ForTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = Timeout, Retries = 0 });
        var ex = await Assert.ThrowsAsync<ModbusTransportException>(() => client.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None));
        Assert.Equal("connection refused", ex.Message);
    }

    [Fact]
    public async Task Bridge_UnitKeepsFailing_IsSetAsideWhileOthersAreServed()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.Parse("2026-06-01T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        await using var device = new ScriptedDevice((n, r) => r[6] == 2 ? ScriptedReply.Silence : new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => 7)));
        var client = ModbusClient.ForTcp("127.0.0.1", device.Port, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(150), Retries = 0 });
        await using var bridge = new ModbusBridge(client, new ModbusBridgeOptions { FailuresBeforeSetAside = 2, SetAsideFor = TimeSpan.FromMinutes(1) }, time);
        for (var i = 0; i < 2; i++)
        {
            await Assert.ThrowsAsync<ModbusTimeoutException>(() => bridge.ReadHoldingRegistersAsync(2, 0, 1, CancellationToken.None));
        }
        Assert.True(bridge.IsSetAside(2));
        var before = device.Requests;
        await Assert.ThrowsAsync<ModbusUnitSetAsideException>(() => bridge.ReadHoldingRegistersAsync(2, 0, 1, CancellationToken.None));
        Assert.Equal(before, device.Requests);
        client.Options.Timeout = Generous;
        Assert.Equal(new ushort[] { 7 }, await bridge.ReadHoldingRegistersAsync(1, 0, 1, CancellationToken.None));
        time.Advance(TimeSpan.FromMinutes(2));
        Assert.False(bridge.IsSetAside(2));
    }

    [Fact]
    public async Task Bridge_ConcurrentDevices_RequestsNeverInterleave()
    {
        var inFlight = 0;
        var maxInFlight = 0;
        await using var device = new ScriptedDevice((n, r) =>
        {
            var now = Interlocked.Increment(ref inFlight);
            maxInFlight = Math.Max(maxInFlight, now);
            Thread.Sleep(2);
            Interlocked.Decrement(ref inFlight);
            return new ScriptedReply(ScriptedDevice.GoodReadReply(r, a => r[6]));
        });
        var client = ModbusClient.ForTcp("127.0.0.1", device.Port, new ModbusClientOptions { Timeout = Generous, Retries = 0 });
        await using var bridge = new ModbusBridge(client, new ModbusBridgeOptions { InterRequestDelay = TimeSpan.FromMilliseconds(1) });
        var tasks = Enumerable.Range(1, 8).Select(async unit =>
        {
            for (var i = 0; i < 5; i++)
            {
                var v = await bridge.ReadHoldingRegistersAsync((byte)unit, 0, 3, CancellationToken.None);
                Assert.All(v, x => Assert.Equal(unit, x));
            }
        });
        await Task.WhenAll(tasks);
        Assert.Equal(1, maxInFlight);
        Assert.Equal(40, device.Requests);
        Assert.Equal(1, device.Connections);
    }
}
