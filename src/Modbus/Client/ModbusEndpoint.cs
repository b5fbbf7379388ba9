namespace PvEdge.Modbus.Client;

/// <summary>Where a Modbus device is: a TCP host and port, or a serial port (RS-485) and its baud rate. Two endpoints with the same
/// <see cref="Key"/> are one wire: one client and one bridge must own it (a serial bus carries one request at a time, and many
/// inverters accept a single TCP client).</summary>
public sealed record ModbusEndpoint
{
    private ModbusEndpoint(string? host, int port, string? serialPort, int baud)
    {
        Host = host;
        Port = port;
        SerialPort = serialPort;
        Baud = baud;
    }

    /// <summary>The TCP host; null for RTU.</summary>
    public string? Host { get; }

    public int Port { get; }

    /// <summary>The serial port (/dev/ttyUSB0); null for TCP.</summary>
    public string? SerialPort { get; }

    public int Baud { get; }

    public bool IsRtu => SerialPort is not null;

    /// <summary>The baud rates serial adapters and inverters use.</summary>
    public static IReadOnlyList<int> StandardBaudRates { get; } = [1200, 2400, 4800, 9600, 14400, 19200, 38400, 57600, 115200];

    public static ModbusEndpoint Tcp(string host, int port = 502)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new(host, port, null, 0);
    }

    public static ModbusEndpoint Rtu(string serialPort, int baud = 9600)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(serialPort);
        return new(null, 0, serialPort, baud);
    }

    /// <summary>Identifies the wire: "tcp:host:port" (host case-insensitive) or "rtu:/dev/ttyUSB0" (whatever the baud rate).</summary>
    public string Key => IsRtu ? $"rtu:{SerialPort}" : $"tcp:{Host!.ToLowerInvariant()}:{Port}";

    /// <summary>"192.168.1.50:502" or "/dev/ttyUSB0" (as the probe prints it).</summary>
    public string Name => SerialPort ?? $"{Host}:{Port}";

    /// <summary>"Modbus TCP 192.168.1.50:502" or "Modbus RTU /dev/ttyUSB0 @9600 baud".</summary>
    public string Describe() => IsRtu ? $"Modbus RTU {SerialPort} @{Baud} baud" : $"Modbus TCP {Host}:{Port}";

    /// <summary>A client for this endpoint (not yet connected: it connects on its first request).</summary>
    public ModbusClient CreateClient(ModbusClientOptions? options = null, TimeProvider? timeProvider = null) => IsRtu
        ? ModbusClient.ForRtu(SerialPort!, Baud, options, timeProvider)
        : ModbusClient.ForTcp(Host!, Port, options, timeProvider);

    public override string ToString() => Name;
}
