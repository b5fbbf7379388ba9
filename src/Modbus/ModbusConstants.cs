namespace PvEdge.Modbus;

/// <summary>Modbus protocol constants.</summary>
public static class ModbusConstants
{
    /// <summary>Most holding registers one read request may ask for (Modbus spec: 125).</summary>
    public const int MaxReadRegisters = 125;
}
