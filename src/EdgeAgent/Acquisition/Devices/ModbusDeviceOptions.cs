namespace PvEdge.EdgeAgent.Acquisition.Devices;

/// <summary>One entry of <c>Acquisition:Devices</c>: a Modbus device the agent reads when <c>Acquisition:Simulated</c> is false.
/// Either <see cref="Host"/> (Modbus TCP) or <see cref="Rtu"/> (a serial port); without <see cref="Map"/> the device speaks SunSpec
/// (its unit ids may include a met station), with it the map names the registers of its one unit id. Checked at start by
/// <see cref="DeviceValidation"/>: a bad value stops the agent with one line naming the key.</summary>
public sealed class ModbusDeviceOptions
{
    public const int DefaultPort = 502;
    public const int DefaultBaud = 9600;

    /// <summary>Unique name: the source of its readings ("inverter/unit1") and of log lines.</summary>
    public string Name { get; set; } = "";

    /// <summary>Host name or IP address of a Modbus TCP device; empty for RTU.</summary>
    public string Host { get; set; } = "";

    public int Port { get; set; } = DefaultPort;

    /// <summary>Serial port of a Modbus RTU device (/dev/ttyUSB0); empty for TCP.</summary>
    public string Rtu { get; set; } = "";

    public int Baud { get; set; } = DefaultBaud;

    /// <summary>Modbus unit ids (1 to 247): SunSpec reads each (inverter, met station); a map device has exactly one.</summary>
    public List<int> Units { get; set; } = [];

    /// <summary>A register map, as a shipped map's name ("growatt-min-tl-x") or a file path; empty = SunSpec.</summary>
    public string Map { get; set; } = "";

    /// <summary>Seconds between two reads.</summary>
    public double CadenceS { get; set; } = 5;

    /// <summary>How long one request waits for its reply.</summary>
    public int TimeoutMs { get; set; } = 1000;

    /// <summary>Further attempts after a timeout or a transport error, with back-off.</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Pause between two requests on the endpoint, for inverters that need one (often 50 to 100 ms).</summary>
    public int DelayMs { get; set; }
}
