namespace PvEdge.Modbus;

/// <summary>Base of every error this library raises for a request: catch this to handle any device trouble.</summary>
public abstract class ModbusException : Exception
{
    protected ModbusException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>No valid reply arrived within the request timeout. Replies that did arrive but belonged to another
/// request (wrong transaction id or unit id) were discarded and are counted here.</summary>
public sealed class ModbusTimeoutException : ModbusException
{
    public ModbusTimeoutException(string message, TimeSpan timeout, int strayRepliesDiscarded = 0, byte? lastStrayUnitId = null)
        : base(message)
    {
        Timeout = timeout;
        StrayRepliesDiscarded = strayRepliesDiscarded;
        LastStrayUnitId = lastStrayUnitId;
    }

    public TimeSpan Timeout { get; }

    /// <summary>Frames that arrived for another transaction or unit while waiting.</summary>
    public int StrayRepliesDiscarded { get; }

    /// <summary>The unit id of the last discarded reply, when one arrived from another unit (a hint that the unit id is wrong).</summary>
    public byte? LastStrayUnitId { get; }
}

/// <summary>The device answered with a Modbus exception response (function code | 0x80).</summary>
public sealed class ModbusExceptionResponse : ModbusException
{
    public ModbusExceptionResponse(byte unitId, ModbusFunctionCode function, ModbusExceptionCode code)
        : base($"unit {unitId} answered {function} with exception {(byte)code:D2} ({Describe(code)})")
    {
        UnitId = unitId;
        Function = function;
        Code = code;
    }

    public byte UnitId { get; }

    public ModbusFunctionCode Function { get; }

    public ModbusExceptionCode Code { get; }

    public static string Describe(ModbusExceptionCode code) => code switch
    {
        ModbusExceptionCode.IllegalFunction => "illegal function",
        ModbusExceptionCode.IllegalDataAddress => "illegal data address",
        ModbusExceptionCode.IllegalDataValue => "illegal data value",
        ModbusExceptionCode.ServerDeviceFailure => "server device failure",
        ModbusExceptionCode.Acknowledge => "acknowledge",
        ModbusExceptionCode.ServerDeviceBusy => "server device busy",
        ModbusExceptionCode.MemoryParityError => "memory parity error",
        ModbusExceptionCode.GatewayPathUnavailable => "gateway path unavailable",
        ModbusExceptionCode.GatewayTargetFailedToRespond => "gateway target device failed to respond",
        _ => "unknown exception code",
    };
}

/// <summary>A reply arrived but broke the protocol: bad CRC, bad MBAP header, wrong byte count, echo mismatch, unknown function.</summary>
public sealed class ModbusProtocolException : ModbusException
{
    public ModbusProtocolException(string message) : base(message)
    {
    }
}

/// <summary>The connection could not be made or broke: refused, reset, closed by the device, serial port missing.</summary>
public sealed class ModbusTransportException : ModbusException
{
    public ModbusTransportException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>The bridge has set this unit id aside after repeated failures; no request was sent.</summary>
public sealed class ModbusUnitSetAsideException : ModbusException
{
    public ModbusUnitSetAsideException(byte unitId, DateTimeOffset untilUtc, string lastError)
        : base($"unit {unitId} is set aside until {untilUtc:HH:mm:ss}Z after repeated failures (last: {lastError})")
    {
        UnitId = unitId;
        UntilUtc = untilUtc;
    }

    public byte UnitId { get; }

    public DateTimeOffset UntilUtc { get; }
}
