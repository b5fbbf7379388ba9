using System.IO.Ports;
using System.Net.Sockets;

namespace PvEdge.Modbus.Transport;

/// <summary>How frames are delimited on a transport.</summary>
public enum ModbusFraming
{
    /// <summary>MBAP header (transaction id, protocol 0, length, unit id) before the PDU.</summary>
    Tcp,
    /// <summary>Address byte, PDU, CRC-16; frames separated by 3.5 character times of silence.</summary>
    Rtu,
}

/// <summary>Opens connections to one endpoint. The client calls <see cref="OpenAsync"/> again after any transport error.</summary>
public interface IModbusTransport
{
    /// <summary>"192.168.1.20:502" or "/dev/ttyUSB0@9600" — for messages.</summary>
    string Endpoint { get; }

    ModbusFraming Framing { get; }

    /// <summary>Time of 3.5 characters on a serial line (zero for TCP): the silence that separates RTU frames.</summary>
    TimeSpan InterFrameSilence { get; }

    /// <summary>Opens a fresh connection; throws <see cref="ModbusTransportException"/> (refused, unreachable, no such port).</summary>
    Task<ModbusConnection> OpenAsync(CancellationToken cancellationToken);
}

/// <summary>Modbus TCP to a host and port.</summary>
public sealed class TcpTransport(string host, int port) : IModbusTransport
{
    public string Host { get; } = host;

    public int Port { get; } = port;

    public string Endpoint => $"{Host}:{Port}";

    public ModbusFraming Framing => ModbusFraming.Tcp;

    public TimeSpan InterFrameSilence => TimeSpan.Zero;

    public async Task<ModbusConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            await client.ConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false);
            return new ModbusConnection(client.GetStream(), client);
        }
        catch (SocketException ex)
        {
            client.Dispose();
            throw new ModbusTransportException(ModbusTransports.Describe(ex), ex);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }
}

/// <summary>Modbus RTU over a serial port (System.IO.Ports); a pty path such as one made by socat works too.</summary>
public sealed class SerialTransport(string portName, int baudRate, Parity parity = Parity.None, StopBits stopBits = StopBits.One) : IModbusTransport
{
    public string PortName { get; } = portName;

    public int BaudRate { get; } = baudRate;

    public string Endpoint => $"{PortName}@{BaudRate}";

    public ModbusFraming Framing => ModbusFraming.Rtu;

    public TimeSpan InterFrameSilence => ModbusTransports.RtuSilence(BaudRate);

    public Task<ModbusConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var port = new SerialPort(PortName, BaudRate, parity, 8, stopBits) { Handshake = Handshake.None };
        try
        {
            port.Open();
            return Task.FromResult(new ModbusConnection(port.BaseStream, port));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or InvalidOperationException)
        {
            port.Dispose();
            throw new ModbusTransportException($"cannot open serial port {PortName}: {ex.Message}", ex);
        }
    }
}

/// <summary>Any stream factory (tests, in-memory pipes); <see cref="Framing"/> says how frames are delimited.</summary>
public sealed class StreamTransport(string endpoint, ModbusFraming framing, Func<CancellationToken, Task<Stream>> open, int baudRate = 19200) : IModbusTransport
{
    public string Endpoint { get; } = endpoint;

    public ModbusFraming Framing { get; } = framing;

    public TimeSpan InterFrameSilence => Framing == ModbusFraming.Rtu ? ModbusTransports.RtuSilence(baudRate) : TimeSpan.Zero;

    public async Task<ModbusConnection> OpenAsync(CancellationToken cancellationToken)
    {
        try
        {
            return new ModbusConnection(await open(cancellationToken).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or SocketException)
        {
            throw new ModbusTransportException($"cannot open {Endpoint}: {ex.Message}", ex);
        }
    }
}

/// <summary>Helpers shared by the transports.</summary>
public static class ModbusTransports
{
    /// <summary>3.5 character times at <paramref name="baudRate"/> with 11 bits per character; fixed 1.75 ms above 19200 baud (spec).</summary>
    public static TimeSpan RtuSilence(int baudRate) =>
        baudRate > 19200 ? TimeSpan.FromMicroseconds(1750) : TimeSpan.FromMicroseconds(3.5 * 11 * 1_000_000.0 / baudRate);

    /// <summary>A short installer-readable reason: "connection refused", "connection reset", "host unreachable".</summary>
    public static string Describe(Exception ex)
    {
        var socket = ex as SocketException ?? ex.InnerException as SocketException;
        if (socket is not null)
        {
            return socket.SocketErrorCode switch
            {
                SocketError.ConnectionRefused => "connection refused",
                SocketError.ConnectionReset => "connection reset",
                SocketError.ConnectionAborted => "connection aborted",
                SocketError.TimedOut => "connection timed out",
                SocketError.HostUnreachable => "host unreachable",
                SocketError.NetworkUnreachable => "network unreachable",
                SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain => "host name not found",
                SocketError.Shutdown => "connection shut down",
                _ => socket.SocketErrorCode.ToString(),
            };
        }
        return ex.Message;
    }
}
