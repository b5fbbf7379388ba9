using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using PvEdge.Modbus.Framing;

namespace PvEdge.Modbus.Server;

/// <summary>A Modbus TCP server (slave) over a <see cref="ModbusServerModel"/>. Serves several clients at once; requests for a unit id
/// the model does not hold get no reply (as a device behind a gateway that is not there), unmapped addresses get exception 02.</summary>
public sealed class ModbusTcpServer : IAsyncDisposable
{
    private readonly ModbusServerModel _model;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _sessions = [];
    private readonly Lock _sessionsLock = new();
    private Task? _accept;

    public ModbusTcpServer(ModbusServerModel model, IPAddress address, int port)
    {
        _model = model;
        _listener = new TcpListener(address, port);
    }

    /// <summary>The bound port (useful after binding port 0).</summary>
    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>Connections currently open.</summary>
    public int OpenConnections { get; private set; }

    /// <summary>Binds and starts accepting clients. Throws <see cref="SocketException"/> when the port is taken.</summary>
    public void Start()
    {
        _listener.Start();
        _accept = Task.Run(AcceptLoopAsync);
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            client.NoDelay = true;
            var session = Task.Run(() => ServeAsync(client, _stop.Token));
            lock (_sessionsLock)
            {
                _sessions.RemoveAll(t => t.IsCompleted);
                _sessions.Add(session);
            }
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken cancellationToken)
    {
        OpenConnections++;
        var head = new byte[ModbusConstants.MbapHeaderLength];
        var request = new byte[ModbusConstants.MaxPduLength + 1];
        var reply = new byte[ModbusConstants.MaxTcpFrameLength + 8];
        try
        {
            using (client)
            {
                var stream = client.GetStream();
                while (!cancellationToken.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
                    var protocol = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(2));
                    var length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(4));
                    if (protocol != 0 || length < 2 || length > ModbusConstants.MaxPduLength + 1)
                    {
                        return; // not Modbus TCP: drop the connection as a device would
                    }
                    await stream.ReadExactlyAsync(request.AsMemory(0, length - 1), cancellationToken).ConfigureAwait(false);
                    var unitId = head[6];
                    var replyLength = Serve(unitId, request.AsSpan(0, length - 1), reply.AsSpan(ModbusConstants.MbapHeaderLength), out var fault);
                    if (replyLength == 0 || fault == ModbusServerFault.Stall)
                    {
                        continue;
                    }
                    head.AsSpan(0, 4).CopyTo(reply);
                    BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), (ushort)(replyLength + 1));
                    reply[6] = unitId;
                    await stream.WriteAsync(reply.AsMemory(0, ModbusConstants.MbapHeaderLength + replyLength), cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException or EndOfStreamException)
        {
            // client went away or server stopping
        }
        finally
        {
            OpenConnections--;
        }
    }

    /// <summary>Runs hooks and the processor; returns the reply PDU length, 0 for no reply.</summary>
    private int Serve(byte unitId, ReadOnlySpan<byte> request, Span<byte> reply, out ModbusServerFault fault)
    {
        fault = ModbusServerFault.None;
        var unit = _model.Unit(unitId);
        _model.CountRequest();
        if (unit is null)
        {
            return 0;
        }
        var info = ModbusRequestProcessor.Describe(unitId, request);
        fault = _model.Fault?.Invoke(info) ?? ModbusServerFault.None;
        if (fault == ModbusServerFault.Stall)
        {
            return 0;
        }
        _model.BeforeRequest?.Invoke(info);
        var length = ModbusRequestProcessor.Process(unit, request, reply);
        if (fault == ModbusServerFault.Malformed)
        {
            ModbusRequestProcessor.Corrupt(reply, length);
        }
        return length;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        Task[] sessions;
        lock (_sessionsLock)
        {
            sessions = [.. _sessions];
        }
        if (_accept is not null)
        {
            await _accept.ConfigureAwait(false);
        }
        await Task.WhenAll(sessions).ConfigureAwait(false);
        _listener.Dispose();
        _stop.Dispose();
    }
}

/// <summary>A Modbus RTU server (slave) on a byte stream: a serial port or a pty. Frames are length-checked by function code and
/// CRC-checked; frames with a bad CRC or for another address are ignored, as the serial-line spec requires; broadcast (0) writes get no reply.</summary>
public sealed class ModbusRtuServer : IAsyncDisposable
{
    private readonly ModbusServerModel _model;
    private readonly Transport.ModbusConnection _connection;
    private readonly TimeProvider _time;
    private readonly TimeSpan _silence;
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;

    public ModbusRtuServer(ModbusServerModel model, Stream stream, int baudRate = 19200, IDisposable? owner = null, TimeProvider? timeProvider = null)
    {
        _model = model;
        _connection = new Transport.ModbusConnection(stream, owner);
        _time = timeProvider ?? TimeProvider.System;
        _silence = Transport.ModbusTransports.RtuSilence(baudRate);
    }

    /// <summary>Opens a serial port (or pty path) and serves it.</summary>
    public static ModbusRtuServer OpenSerial(ModbusServerModel model, string portName, int baudRate)
    {
        var port = new System.IO.Ports.SerialPort(portName, baudRate, System.IO.Ports.Parity.None, 8, System.IO.Ports.StopBits.One);
        port.Open();
        return new ModbusRtuServer(model, port.BaseStream, baudRate, port);
    }

    /// <summary>Frames dropped for a bad CRC or an unknown function.</summary>
    public long FramesRejected { get; private set; }

    public void Start() => _loop = Task.Run(() => LoopAsync(_stop.Token));

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        var frame = new byte[ModbusConstants.MaxRtuFrameLength];
        var reply = new byte[ModbusConstants.MaxRtuFrameLength];
        while (!cancellationToken.IsCancellationRequested && !_connection.IsBroken)
        {
            try
            {
                await _connection.ReadExactlyAsync(frame.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
                var have = 2;
                var pduLength = ModbusPdu.RequestLength(frame.AsSpan(1, have - 1));
                while (pduLength == -1 && have < 7)
                {
                    await _connection.ReadExactlyAsync(frame.AsMemory(have, 1), cancellationToken).ConfigureAwait(false);
                    have++;
                    pduLength = ModbusPdu.RequestLength(frame.AsSpan(1, have - 1));
                }
                if (pduLength < 0 || pduLength > ModbusConstants.MaxPduLength)
                {
                    FramesRejected++;
                    await _connection.DrainAsync(_silence * 2 + TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var total = 1 + pduLength + 2;
                await _connection.ReadExactlyAsync(frame.AsMemory(have, total - have), cancellationToken).ConfigureAwait(false);
                if (!Crc16.Check(frame.AsSpan(0, total)))
                {
                    FramesRejected++;
                    await _connection.DrainAsync(_silence * 2 + TimeSpan.FromMilliseconds(5), _time, cancellationToken).ConfigureAwait(false);
                    continue;
                }
                var address = frame[0];
                var unit = _model.Unit(address == 0 ? (byte)1 : address);
                _model.CountRequest();
                if (unit is null)
                {
                    continue;
                }
                var request = frame.AsSpan(1, pduLength);
                var info = ModbusRequestProcessor.Describe(address, request);
                var fault = _model.Fault?.Invoke(info) ?? ModbusServerFault.None;
                if (fault == ModbusServerFault.Stall)
                {
                    continue;
                }
                _model.BeforeRequest?.Invoke(info);
                var length = ModbusRequestProcessor.Process(unit, request, reply.AsSpan(1));
                if (address == 0)
                {
                    continue; // broadcast: executed, never answered
                }
                reply[0] = address;
                Crc16.Write(reply.AsSpan(0, 1 + length), reply.AsSpan(1 + length));
                if (fault == ModbusServerFault.Malformed)
                {
                    reply[1 + length] ^= 0xFF; // bad CRC
                }
                await Task.Delay(_silence, _time, cancellationToken).ConfigureAwait(false);
                await _connection.WriteAsync(reply.AsMemory(0, 3 + length), cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ModbusTransportException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }
        await _connection.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
