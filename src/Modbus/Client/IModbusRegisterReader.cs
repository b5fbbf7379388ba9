namespace PvEdge.Modbus.Client;

/// <summary>What a device driver needs from whoever owns the endpoint: reading holding registers of one unit.
/// Implemented by <see cref="ModbusClient"/> (direct) and <see cref="ModbusBridge"/> (shared, queued).</summary>
public interface IModbusRegisterReader
{
    /// <summary>"host:port" or "/dev/ttyUSB0@9600".</summary>
    string Endpoint { get; }

    /// <summary>Reads holding registers (function 3) into <paramref name="destination"/>; reads longer than 125 registers are split.</summary>
    Task ReadHoldingRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken);

    /// <summary>Reads input registers (function 4).</summary>
    Task ReadInputRegistersAsync(byte unitId, ushort address, Memory<ushort> destination, CancellationToken cancellationToken);
}
