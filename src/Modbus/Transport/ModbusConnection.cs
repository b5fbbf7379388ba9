using System.Buffers;
using System.IO.Pipelines;

namespace PvEdge.Modbus.Transport;

/// <summary>One open byte stream to a device (a TCP socket, a serial port, a pty). A pump copies incoming bytes into a pipe so that
/// every read can be cancelled and timed out, whatever the stream supports, and stray bytes can be discarded.</summary>
public sealed class ModbusConnection : IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly IDisposable? _owner;
    private readonly Pipe _pipe = new(new PipeOptions(readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline,
        pauseWriterThreshold: 1 << 16, resumeWriterThreshold: 1 << 15, useSynchronizationContext: false));
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;
    private int _disposed;

    /// <param name="stream">The duplex stream.</param>
    /// <param name="owner">Disposed with the connection after the stream (the socket or serial port behind the stream).</param>
    public ModbusConnection(Stream stream, IDisposable? owner = null)
    {
        _stream = stream;
        _owner = owner;
        _pump = Task.Run(PumpAsync);
    }

    /// <summary>True once the peer closed the stream or it failed; the connection must then be replaced.</summary>
    public bool IsBroken { get; private set; }

    /// <summary>Bytes handed to readers so far (not counting discarded ones).</summary>
    public long BytesConsumed { get; private set; }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(frame, cancellationToken).ConfigureAwait(false);
            await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or System.Net.Sockets.SocketException)
        {
            IsBroken = true;
            throw new ModbusTransportException("write failed: " + ModbusTransports.Describe(ex), ex);
        }
    }

    /// <summary>Fills <paramref name="destination"/> completely, or throws <see cref="ModbusTransportException"/> when the stream ends or fails,
    /// or <see cref="OperationCanceledException"/> when the token fires.</summary>
    public async ValueTask ReadExactlyAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        var written = 0;
        var reader = _pipe.Reader;
        while (written < destination.Length)
        {
            ReadResult result;
            try
            {
                result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                IsBroken = true;
                throw new ModbusTransportException(ModbusTransports.Describe(ex), ex);
            }
            var buffer = result.Buffer;
            var take = (int)Math.Min(buffer.Length, destination.Length - written);
            if (take > 0)
            {
                buffer.Slice(0, take).CopyTo(destination.Span[written..]);
                written += take;
                BytesConsumed += take;
                reader.AdvanceTo(buffer.GetPosition(take));
            }
            else
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
            }
            if (written < destination.Length && result.IsCompleted)
            {
                IsBroken = true;
                throw new ModbusTransportException(written == 0 ? "connection closed by the device" : "connection closed by the device in the middle of a frame");
            }
        }
    }

    /// <summary>Drops every byte already received. Returns how many were dropped.</summary>
    public int DiscardBuffered()
    {
        var dropped = 0;
        var reader = _pipe.Reader;
        while (!IsBroken && reader.TryRead(out var result))
        {
            dropped += (int)result.Buffer.Length;
            reader.AdvanceTo(result.Buffer.End);
            if (result.IsCompleted || result.Buffer.IsEmpty)
            {
                break;
            }
        }
        return dropped;
    }

    /// <summary>Drops incoming bytes until the line has been silent for <paramref name="silence"/> (RTU resynchronisation),
    /// or the token fires. Returns how many bytes were dropped.</summary>
    public async Task<int> DrainAsync(TimeSpan silence, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        var dropped = DiscardBuffered();
        while (!cancellationToken.IsCancellationRequested && !IsBroken)
        {
            using var quiet = new CancellationTokenSource(silence, timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(quiet.Token, cancellationToken);
            try
            {
                var result = await _pipe.Reader.ReadAsync(linked.Token).ConfigureAwait(false);
                dropped += (int)result.Buffer.Length;
                _pipe.Reader.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    IsBroken = true;
                }
            }
            catch (OperationCanceledException)
            {
                break;
            }
            catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
            {
                IsBroken = true;
            }
        }
        return dropped;
    }

    private async Task PumpAsync()
    {
        var writer = _pipe.Writer;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var memory = writer.GetMemory(512);
                var n = await _stream.ReadAsync(memory, _stop.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }
                writer.Advance(n);
                var flush = await writer.FlushAsync(_stop.Token).ConfigureAwait(false);
                if (flush.IsCompleted)
                {
                    break;
                }
            }
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await writer.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await writer.CompleteAsync(ex).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        IsBroken = true;
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
        {
            // closing a stream that already failed
        }
        _owner?.Dispose();
        // The pump ends once the stream is closed; do not wait for streams that ignore cancellation.
        await Task.WhenAny(_pump, Task.Delay(200)).ConfigureAwait(false);
        await _pipe.Reader.CompleteAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
