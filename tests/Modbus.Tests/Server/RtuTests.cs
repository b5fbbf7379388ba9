using System.Net;
using System.Net.Sockets;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Framing;
using PvEdge.Modbus.Server;
using PvEdge.Modbus.Transport;
using PvEdge.TestSupport;

namespace PvEdge.Modbus.Tests.Server;

/// <summary>RTU framing end to end: over a loopback byte stream, and over a socat pty pair opened as serial ports.</summary>
public sealed class RtuTests
{
    private static ModbusServerModel Model()
    {
        var model = new ModbusServerModel();
        var unit = model.AddUnit(7);
        unit.HoldingRegisters.Load(40000, [0x5375, 0x6E53, 1, 66]);
        return model;
    }

    [Fact]
    public async Task Read_RtuOverByteStream_ReturnsRegisters()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var transport = new StreamTransport("loopback-rtu", ModbusFraming.Rtu, async ct =>
        {
            var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port, ct);
            return c.GetStream();
        });
        await using var client = new ModbusClient(transport, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 0 });
        var read = client.ReadHoldingRegistersAsync(7, 40000, 4, CancellationToken.None);
        using var accepted = await listener.AcceptTcpClientAsync();
        var model = Model();
        await using var server = new ModbusRtuServer(model, accepted.GetStream(), 115200);
        server.Start();
        Assert.Equal(new ushort[] { 0x5375, 0x6E53, 1, 66 }, await read);
        // an unmapped address gives exception 02 over RTU too
        var ex = await Assert.ThrowsAsync<ModbusExceptionResponse>(() => client.ReadHoldingRegistersAsync(7, 40004, 1, CancellationToken.None));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        // a request for another address gets no reply (short timeout only here: replies that must come get a generous one)
        client.Options.Timeout = TimeSpan.FromMilliseconds(300);
        await Assert.ThrowsAsync<ModbusTimeoutException>(() => client.ReadHoldingRegistersAsync(8, 40000, 1, CancellationToken.None));
        client.Options.Timeout = TimeSpan.FromSeconds(5);
        Assert.Equal(0x5375, (await client.ReadHoldingRegistersAsync(7, 40000, 1, CancellationToken.None))[0]);
    }

    [Fact]
    public async Task RtuServer_GarbageBeforeRequest_RejectsItAndStillAnswers()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var raw = new TcpClient();
        await raw.ConnectAsync(IPAddress.Loopback, ((IPEndPoint)listener.LocalEndpoint).Port);
        using var accepted = await listener.AcceptTcpClientAsync();
        await using var server = new ModbusRtuServer(Model(), accepted.GetStream(), 115200);
        server.Start();
        var stream = raw.GetStream();
        await stream.WriteAsync(new byte[] { 0x07, 0x03, 0x9C, 0x40, 0x00, 0x01, 0x00, 0x00 }); // bad CRC
        // RTU frames are delimited by silence only: the request must follow the garbage after the server has dropped it and
        // its line has gone quiet (a slow first read would otherwise see both as one stream and drop both, as libmodbus does)
        var deadline = DateTime.UtcNow.AddSeconds(5);
        while (server.FramesRejected == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }
        Assert.Equal(1, server.FramesRejected);
        await Task.Delay(200);
        var request = new byte[8];
        ModbusPdu.WriteReadRequest(request.AsSpan(1), ModbusFunctionCode.ReadHoldingRegisters, 40000, 1);
        request[0] = 7;
        Crc16.Write(request.AsSpan(0, 6), request.AsSpan(6));
        await stream.WriteAsync(request);
        var reply = new byte[7];
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await stream.ReadExactlyAsync(reply, cts.Token);
        Assert.True(Crc16.Check(reply));
        Assert.Equal(new byte[] { 7, 3, 2, 0x53, 0x75 }, reply[..5]);
        Assert.Equal(1, server.FramesRejected);
    }

    [SkippableFact]
    public async Task Read_OverSocatPtyPair_ReturnsRegisters()
    {
        await using var pty = await SocatPtyPair.StartAsync("modbus-pty");
        await using var server = ModbusRtuServer.OpenSerial(Model(), pty.ServerPath, 19200);
        server.Start();
        await using var client = ModbusClient.ForRtu(pty.ClientPath, 19200, new ModbusClientOptions { Timeout = TimeSpan.FromSeconds(5), Retries = 1 });
        Assert.Equal(new ushort[] { 0x5375, 0x6E53, 1, 66 }, await client.ReadHoldingRegistersAsync(7, 40000, 4, CancellationToken.None));
        await client.WriteSingleRegisterAsync(7, 40002, 5, CancellationToken.None);
        Assert.Equal(5, (await client.ReadHoldingRegistersAsync(7, 40002, 1, CancellationToken.None))[0]);
    }
}
