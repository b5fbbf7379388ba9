namespace PvEdge.Modbus;

/// <summary>Modbus protocol constants (Modbus Application Protocol v1.1b3, Modbus over serial line v1.02).</summary>
public static class ModbusConstants
{
    /// <summary>Most holding registers one read request may ask for (Modbus spec: 125).</summary>
    public const int MaxReadRegisters = 125;

    /// <summary>Most registers one write-multiple request may carry (123).</summary>
    public const int MaxWriteRegisters = 123;

    /// <summary>Most coils or discrete inputs one read request may ask for (2000).</summary>
    public const int MaxReadBits = 2000;

    /// <summary>Most coils one write-multiple request may carry (1968).</summary>
    public const int MaxWriteBits = 1968;

    /// <summary>Largest protocol data unit: function code plus 252 data bytes.</summary>
    public const int MaxPduLength = 253;

    /// <summary>Length of the MBAP header (transaction id, protocol id, length, unit id).</summary>
    public const int MbapHeaderLength = 7;

    /// <summary>Largest TCP application data unit: MBAP header plus PDU.</summary>
    public const int MaxTcpFrameLength = MbapHeaderLength + MaxPduLength - 1 + 1;

    /// <summary>Largest RTU frame: address, PDU, CRC.</summary>
    public const int MaxRtuFrameLength = 1 + MaxPduLength + 2;
}

/// <summary>The public function codes this library speaks.</summary>
public enum ModbusFunctionCode : byte
{
    ReadCoils = 1,
    ReadDiscreteInputs = 2,
    ReadHoldingRegisters = 3,
    ReadInputRegisters = 4,
    WriteSingleCoil = 5,
    WriteSingleRegister = 6,
    WriteMultipleCoils = 15,
    WriteMultipleRegisters = 16,
}

/// <summary>Exception codes a server returns with the function code's high bit set.</summary>
public enum ModbusExceptionCode : byte
{
    IllegalFunction = 1,
    IllegalDataAddress = 2,
    IllegalDataValue = 3,
    ServerDeviceFailure = 4,
    Acknowledge = 5,
    ServerDeviceBusy = 6,
    MemoryParityError = 8,
    GatewayPathUnavailable = 10,
    GatewayTargetFailedToRespond = 11,
}
