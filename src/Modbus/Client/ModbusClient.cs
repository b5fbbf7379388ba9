using System.Buffers.Binary;
using PvEdge.Modbus.Framing;
using PvEdge.Modbus.Transport;

namespace PvEdge.Modbus.Client;

/// <summary>A Modbus master on one connection (TCP or RTU). Requests are serialised; each has a timeout, is retried with back-off
/// after timeouts, protocol and transport errors, and reconnects after any transport error. Replies for another transaction or unit
/// are discarded, never taken as the answer. Reads longer than 125 registers are split.
/// Every failure is a <see cref="ModbusException"/>: <see cref="ModbusTimeoutException"/>, <see cref="ModbusExceptionResponse"/>,
/// <see cref="ModbusProtocolException"/> or <see cref="ModbusTransportException"/>.</summary>
public sealed class ModbusClient : IModbusRegisterReader, IAsyncDisposable
{
    private readonly IModbusTransport _transport;
    private readonly ModbusClientOptions _options;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly byte[] _request = new byte[ModbusConstants.MaxPduLength];
    private readonly byte[] _frame = new byte[ModbusConstants.MaxRtuFrameLength + ModbusConstants.MbapHeaderLength];
    private readonly byte[] _reply = new byte[ModbusConstants.MaxRtuFrameLength + ModbusConstants.MbapHeaderLength];
    private ModbusConnection? _connection;
    private ushort _transactionId;
    private long _lastTrafficTimestamp;
    private bool _disposed;

    public ModbusClient(IModbusTransport transport, ModbusClientOptions? options = null, TimeProvider? timeProvider = null)
    {
        _transport = transport;
        _options = options ?? new ModbusClientOptions();
        _options.Validate();
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>A client for Modbus TCP.</summary>
    public static ModbusClient ForTcp(string host, int port = 502, ModbusClientOptions? options = null, TimeProvider? timeProvider = null) =>
        new(new TcpTransport(host, port), options, timeProvider);

    /// <summary>A client for Modbus RTU on a serial port (8 data bits, no parity, 1 stop bit).</summary>
    public static ModbusClient ForRtu(string portName, int baudRate = 9600, ModbusClientOptions? options = null, TimeProvider? timeProvider = null) =>
        new(new SerialTransport(portName, baudRate), options, timeProvider);

    public string Endpoint => _transport.Endpoint;

    public ModbusFraming Framing => _transport.Framing;

    public ModbusClientOptions Options => _options;

    /// <summary>Replies discarded because they answered another transaction or unit (late or stray frames).</summary>
    public long StrayRepliesDiscarded { get; private set; }

    /// <summary>Connections opened so far (1 + reconnects).</summary>
    public int ConnectionsOpened { get; private set; }

    /// <summary>Reads holding registers (function 3) into <paramref name="destination"/>; splits reads longer than 125 registers.</summary>
    public Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ReadRegistersAsync(unitId, ModbusFunctionCode.ReadHoldingRegisters, address, destination, cancellationToken);

    public async Task<ushort[]> ReadHoldingRegistersAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken)
    {
        var values = new ushort[count];
        await ReadRegistersAsync(unitId, ModbusFunctionCode.ReadHoldingRegisters, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    /// <summary>Reads input registers (function 4).</summary>
    public Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ReadRegistersAsync(unitId, ModbusFunctionCode.ReadInputRegisters, address, destination, cancellationToken);

    public async Task<ushort[]> ReadInputRegistersAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken)
    {
        var values = new ushort[count];
        await ReadRegistersAsync(unitId, ModbusFunctionCode.ReadInputRegisters, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    /// <summary>Reads coils (function 1).</summary>
    public async Task<bool[]> ReadCoilsAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken)
    {
        var values = new bool[count];
        await ReadBitsAsync(unitId, ModbusFunctionCode.ReadCoils, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    /// <summary>Reads discrete inputs (function 2).</summary>
    public async Task<bool[]> ReadDiscreteInputsAsync(byte unitId, ushort address, int count, CancellationToken cancellationToken)
    {
        var values = new bool[count];
        await ReadBitsAsync(unitId, ModbusFunctionCode.ReadDiscreteInputs, address, values, cancellationToken).ConfigureAwait(false);
        return values;
    }

    /// <summary>Writes one coil (function 5).</summary>
    public Task WriteSingleCoilAsync(byte unitId, ushort address, bool value, CancellationToken cancellationToken) =>
        WriteAsync(unitId, cancellationToken, pdu => ModbusPdu.WriteSingleRequest(pdu, ModbusFunctionCode.WriteSingleCoil, address, value ? (ushort)0xFF00 : (ushort)0));

    /// <summary>Writes one holding register (function 6).</summary>
    public Task WriteSingleRegisterAsync(byte unitId, ushort address, ushort value, CancellationToken cancellationToken) =>
        WriteAsync(unitId, cancellationToken, pdu => ModbusPdu.WriteSingleRequest(pdu, ModbusFunctionCode.WriteSingleRegister, address, value));

    /// <summary>Writes holding registers (function 16), at most 123.</summary>
    public Task WriteMultipleRegistersAsync(byte unitId, ushort address, ReadOnlyMemory<ushort> values, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length, nameof(values));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, ModbusConstants.MaxWriteRegisters, nameof(values));
        return WriteAsync(unitId, cancellationToken, pdu => ModbusPdu.WriteMultipleRegistersRequest(pdu, address, values.Span));
    }

    /// <summary>Writes coils (function 15), at most 1968.</summary>
    public Task WriteMultipleCoilsAsync(byte unitId, ushort address, ReadOnlyMemory<bool> values, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(values.Length, nameof(values));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(values.Length, ModbusConstants.MaxWriteBits, nameof(values));
        return WriteAsync(unitId, cancellationToken, pdu => ModbusPdu.WriteMultipleCoilsRequest(pdu, address, values.Span));
    }

    private Task ReadRegistersAsync(byte unitId, ModbusFunctionCode function, ushort address, Memory<ushort> destination, CancellationToken cancellationToken) =>
        ReadChunkedAsync(unitId, function, address, destination.Length, ModbusConstants.MaxReadRegisters, (data, done, count) =>
        {
            var target = destination.Span.Slice(done, count);
            for (var i = 0; i < count; i++)
            {
                target[i] = BinaryPrimitives.ReadUInt16BigEndian(data[(2 * i)..]);
            }
        }, cancellationToken);

    private Task ReadBitsAsync(byte unitId, ModbusFunctionCode function, ushort address, Memory<bool> destination, CancellationToken cancellationToken) =>
        ReadChunkedAsync(unitId, function, address, destination.Length, ModbusConstants.MaxReadBits,
            (data, done, count) => ModbusPdu.UnpackBits(data, destination.Span.Slice(done, count)), cancellationToken);

    private delegate void ChunkDecoder(ReadOnlySpan<byte> data, int done, int count);

    /// <summary>Reads <paramref name="length"/> items in requests of at most <paramref name="perRequest"/>, handing each checked payload to <paramref name="decode"/>.</summary>
    private async Task ReadChunkedAsync(byte unitId, ModbusFunctionCode function, ushort address, int length, int perRequest, ChunkDecoder decode, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfZero(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(address + length, 65536, nameof(length));
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var done = 0; done < length; done += perRequest)
            {
                var count = Math.Min(perRequest, length - done);
                var pduLength = ModbusPdu.WriteReadRequest(_request, function, (ushort)(address + done), (ushort)count);
                var replyLength = await ExecuteAsync(unitId, pduLength, cancellationToken).ConfigureAwait(false);
                decode(ModbusPdu.CheckResponse(_reply.AsSpan(0, replyLength), _request.AsSpan(0, pduLength), unitId), done, count);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task WriteAsync(byte unitId, CancellationToken cancellationToken, Func<Span<byte>, int> build)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var pduLength = build(_request);
            var replyLength = await ExecuteAsync(unitId, pduLength, cancellationToken).ConfigureAwait(false);
            ModbusPdu.CheckResponse(_reply.AsSpan(0, replyLength), _request.AsSpan(0, pduLength), unitId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends the request PDU in <see cref="_request"/> with retries; leaves the reply PDU in <see cref="_reply"/> and returns its length.
    /// Exception replies are returned (the caller turns them into <see cref="ModbusExceptionResponse"/>), except Busy, which is retried.</summary>
    private async Task<int> ExecuteAsync(byte unitId, int pduLength, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                var length = await ExecuteOnceAsync(unitId, pduLength, cancellationToken).ConfigureAwait(false);
                var busy = length == 2 && _reply[0] == (_request[0] | 0x80) && _reply[1] == (byte)ModbusExceptionCode.ServerDeviceBusy;
                if (!busy || attempt >= _options.Retries)
                {
                    return length;
                }
            }
            catch (ModbusException) when (attempt < _options.Retries && !cancellationToken.IsCancellationRequested)
            {
                // fall through to the back-off
            }
            await Task.Delay(_options.Backoff(attempt), _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<int> ExecuteOnceAsync(byte unitId, int pduLength, CancellationToken cancellationToken)
    {
        var connection = await ConnectAsync(cancellationToken).ConfigureAwait(false);
        var rtu = _transport.Framing == ModbusFraming.Rtu;
        var transactionId = ++_transactionId;
        int frameLength;
        if (rtu)
        {
            _frame[0] = unitId;
            _request.AsSpan(0, pduLength).CopyTo(_frame.AsSpan(1));
            Crc16.Write(_frame.AsSpan(0, 1 + pduLength), _frame.AsSpan(1 + pduLength));
            frameLength = pduLength + 3;
            await WaitForSilenceAsync(cancellationToken).ConfigureAwait(false);
            connection.DiscardBuffered();
        }
        else
        {
            BinaryPrimitives.WriteUInt16BigEndian(_frame, transactionId);
            BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(2), 0);
            BinaryPrimitives.WriteUInt16BigEndian(_frame.AsSpan(4), (ushort)(pduLength + 1));
            _frame[6] = unitId;
            _request.AsSpan(0, pduLength).CopyTo(_frame.AsSpan(ModbusConstants.MbapHeaderLength));
            frameLength = pduLength + ModbusConstants.MbapHeaderLength;
        }

        using var deadline = new CancellationTokenSource(_options.Timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        var reader = new ReplyReader(connection, _reply);
        try
        {
            await connection.WriteAsync(_frame.AsMemory(0, frameLength), linked.Token).ConfigureAwait(false);
            while (true)
            {
                var (length, replyTransaction, replyUnit) = rtu
                    ? await reader.ReadRtuAsync(linked.Token).ConfigureAwait(false)
                    : await reader.ReadTcpAsync(linked.Token).ConfigureAwait(false);
                if ((!rtu && replyTransaction != transactionId) || replyUnit != unitId)
                {
                    reader.NoteStray(replyUnit != unitId ? replyUnit : null);
                    StrayRepliesDiscarded++;
                    continue;
                }
                MarkTraffic();
                return length;
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            MarkTraffic();
            // A reply cut off mid-frame leaves the stream out of step: replace the connection. An untouched TCP stream stays;
            // the late reply will be discarded by its transaction id.
            if (rtu)
            {
                connection.DiscardBuffered();
            }
            else if (reader.BytesInCurrentFrame > 0)
            {
                await DropConnectionAsync().ConfigureAwait(false);
            }
            var hint = reader.LastStrayUnit is { } u ? $"; a reply came from unit {u} instead" : "";
            throw new ModbusTimeoutException(
                $"no reply from unit {unitId} at {_transport.Endpoint} within {_options.Timeout.TotalMilliseconds:0} ms{hint}",
                _options.Timeout, reader.Strays, reader.LastStrayUnit);
        }
        catch (ModbusProtocolException)
        {
            MarkTraffic();
            if (rtu && !connection.IsBroken)
            {
                await connection.DrainAsync(_transport.InterFrameSilence * 4 + TimeSpan.FromMilliseconds(20), _time, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await DropConnectionAsync().ConfigureAwait(false);
            }
            throw;
        }
        catch (ModbusTransportException)
        {
            await DropConnectionAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<ModbusConnection> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_connection is { IsBroken: false } open)
        {
            return open;
        }
        await DropConnectionAsync().ConfigureAwait(false);
        using var deadline = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, cancellationToken);
        try
        {
            _connection = await _transport.OpenAsync(linked.Token).ConfigureAwait(false);
            ConnectionsOpened++;
            return _connection;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ModbusTimeoutException(
                $"could not connect to {_transport.Endpoint} within {_options.ConnectTimeout.TotalMilliseconds:0} ms", _options.ConnectTimeout);
        }
    }

    private async Task WaitForSilenceAsync(CancellationToken cancellationToken)
    {
        var silence = _transport.InterFrameSilence;
        if (silence <= TimeSpan.Zero || _lastTrafficTimestamp == 0)
        {
            return;
        }
        var remaining = silence - _time.GetElapsedTime(_lastTrafficTimestamp);
        if (remaining > TimeSpan.Zero)
        {
            await Task.Delay(remaining, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private void MarkTraffic() => _lastTrafficTimestamp = _time.GetTimestamp();

    private async Task DropConnectionAsync()
    {
        var connection = _connection;
        _connection = null;
        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        await _gate.WaitAsync().ConfigureAwait(false);
        try
        {
            await DropConnectionAsync().ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    /// <summary>Reads one reply frame into the reply buffer, tracking how far into a frame it got.</summary>
    private sealed class ReplyReader(ModbusConnection connection, byte[] reply)
    {
        private readonly byte[] _head = new byte[ModbusConstants.MbapHeaderLength];
        private long _frameStart = connection.BytesConsumed;

        /// <summary>Bytes of the frame being read that were taken from the stream (also counts partial reads that were cancelled).</summary>
        public long BytesInCurrentFrame => connection.BytesConsumed - _frameStart;

        public int Strays { get; private set; }

        public byte? LastStrayUnit { get; private set; }

        public void NoteStray(byte? unit)
        {
            Strays++;
            LastStrayUnit = unit ?? LastStrayUnit;
        }

        public async ValueTask<(int Length, ushort Transaction, byte Unit)> ReadTcpAsync(CancellationToken cancellationToken)
        {
            _frameStart = connection.BytesConsumed;
            await ReadAsync(_head.AsMemory(0, ModbusConstants.MbapHeaderLength), cancellationToken).ConfigureAwait(false);
            var transaction = BinaryPrimitives.ReadUInt16BigEndian(_head);
            var protocol = BinaryPrimitives.ReadUInt16BigEndian(_head.AsSpan(2));
            var length = BinaryPrimitives.ReadUInt16BigEndian(_head.AsSpan(4));
            if (protocol != 0 || length < 2 || length > ModbusConstants.MaxPduLength + 1)
            {
                throw new ModbusProtocolException($"malformed MBAP header (protocol id {protocol}, length {length})");
            }
            await ReadAsync(reply.AsMemory(0, length - 1), cancellationToken).ConfigureAwait(false);
            _frameStart = connection.BytesConsumed;
            return (length - 1, transaction, _head[6]);
        }

        public async ValueTask<(int Length, ushort Transaction, byte Unit)> ReadRtuAsync(CancellationToken cancellationToken)
        {
            _frameStart = connection.BytesConsumed;
            // reply[0] = address, reply[1..] = PDU, then CRC; moved down one byte at the end so the PDU starts at 0.
            await ReadAsync(reply.AsMemory(0, 2), cancellationToken).ConfigureAwait(false);
            var pduLength = ModbusPdu.ResponseLength(reply.AsSpan(1, 1));
            var have = 2;
            if (pduLength == -1)
            {
                await ReadAsync(reply.AsMemory(2, 1), cancellationToken).ConfigureAwait(false);
                have = 3;
                pduLength = ModbusPdu.ResponseLength(reply.AsSpan(1, 2));
            }
            if (pduLength < 0)
            {
                throw new ModbusProtocolException($"RTU reply with unknown function code {reply[1]}");
            }
            if (pduLength > ModbusConstants.MaxPduLength)
            {
                throw new ModbusProtocolException($"RTU reply announces {pduLength - 2} data bytes, more than a frame can hold");
            }
            var total = 1 + pduLength + 2;
            await ReadAsync(reply.AsMemory(have, total - have), cancellationToken).ConfigureAwait(false);
            if (!Crc16.Check(reply.AsSpan(0, total)))
            {
                throw new ModbusProtocolException($"RTU reply from address {reply[0]} failed its CRC check");
            }
            var unit = reply[0];
            reply.AsSpan(1, pduLength).CopyTo(reply);
            _frameStart = connection.BytesConsumed;
            return (pduLength, 0, unit);
        }

        private async ValueTask ReadAsync(Memory<byte> destination, CancellationToken cancellationToken)
        {
            await connection.ReadExactlyAsync(destination, cancellationToken).ConfigureAwait(false);
        }
    }
}
