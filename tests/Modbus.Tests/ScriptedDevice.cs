using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace PvEdge.Modbus.Tests;

/// <summary>What a scripted device does with one request.</summary>
/// <param name="Bytes">Raw bytes to send back (may be garbage, truncated, or a frame for another transaction).</param>
/// <param name="CloseAfter">Close the connection after sending.</param>
internal sealed record ScriptedReply(byte[] Bytes, bool CloseAfter = false)
{
    public static readonly ScriptedReply Silence = new([]);
}

/// <summary>A TCP peer whose replies the test writes byte by byte: reads MBAP requests, asks the script what to send.
/// Request number n (0-based, counted over all connections) is passed with the raw request frame.</summary>
internal sealed class ScriptedDevice : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Func<int, byte[], ScriptedReply> _script;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requests;

    public ScriptedDevice(Func<int, byte[], ScriptedReply> script)
    {
        _script = script;
        _listener.Start();
        _loop = Task.Run(AcceptAsync);
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Requests => _requests;

    public int Connections { get; private set; }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var client = await _listener.AcceptTcpClientAsync(_stop.Token);
                Connections++;
                _ = Task.Run(() => ServeAsync(client));
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            var stream = client.GetStream();
            var head = new byte[7];
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    await stream.ReadExactlyAsync(head, _stop.Token);
                    var length = BinaryPrimitives.ReadUInt16BigEndian(head.AsSpan(4));
                    var frame = new byte[6 + length];
                    head.CopyTo(frame, 0);
                    await stream.ReadExactlyAsync(frame.AsMemory(7), _stop.Token);
                    var reply = _script(Interlocked.Increment(ref _requests) - 1, frame);
                    if (reply.Bytes.Length > 0)
                    {
                        await stream.WriteAsync(reply.Bytes, _stop.Token);
                    }
                    if (reply.CloseAfter)
                    {
                        client.Client.LingerState = new LingerOption(true, 0); // RST, like a device rebooting
                        return;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or EndOfStreamException or ObjectDisposedException)
            {
            }
        }
    }

    /// <summary>A correct reply to a read-holding-registers request frame: register i holds <paramref name="valueOf"/>(address + i).</summary>
    public static byte[] GoodReadReply(byte[] request, Func<int, ushort> valueOf, ushort? transactionId = null, byte? unitId = null)
    {
        var address = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(8));
        var count = BinaryPrimitives.ReadUInt16BigEndian(request.AsSpan(10));
        var reply = new byte[9 + 2 * count];
        BinaryPrimitives.WriteUInt16BigEndian(reply, transactionId ?? BinaryPrimitives.ReadUInt16BigEndian(request));
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), (ushort)(3 + 2 * count));
        reply[6] = unitId ?? request[6];
        reply[7] = request[7];
        reply[8] = (byte)(2 * count);
        for (var i = 0; i < count; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(9 + 2 * i), valueOf(address + i));
        }
        return reply;
    }

    public static byte[] ExceptionReply(byte[] request, byte code)
    {
        var reply = new byte[9];
        request.AsSpan(0, 4).CopyTo(reply);
        BinaryPrimitives.WriteUInt16BigEndian(reply.AsSpan(4), 3);
        reply[6] = request[6];
        reply[7] = (byte)(request[7] | 0x80);
        reply[8] = code;
        return reply;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop;
        _listener.Dispose();
        _stop.Dispose();
    }
}
