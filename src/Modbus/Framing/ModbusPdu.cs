using System.Buffers.Binary;

namespace PvEdge.Modbus.Framing;

/// <summary>Builds request PDUs and checks response PDUs (function code first, big-endian fields).
/// Every method works on caller-provided spans and allocates nothing.</summary>
public static class ModbusPdu
{
    /// <summary>A read request (functions 1–4): function, start address, quantity. Returns the PDU length (5).</summary>
    public static int WriteReadRequest(Span<byte> pdu, ModbusFunctionCode function, ushort address, ushort count)
    {
        pdu[0] = (byte)function;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], count);
        return 5;
    }

    /// <summary>Write single coil (5) or register (6): function, address, value. Returns 5.</summary>
    public static int WriteSingleRequest(Span<byte> pdu, ModbusFunctionCode function, ushort address, ushort value) =>
        WriteReadRequest(pdu, function, address, value);

    /// <summary>Write multiple registers (16). Returns the PDU length.</summary>
    public static int WriteMultipleRegistersRequest(Span<byte> pdu, ushort address, ReadOnlySpan<ushort> values)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleRegisters;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        pdu[5] = (byte)(values.Length * 2);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu[(6 + 2 * i)..], values[i]);
        }
        return 6 + 2 * values.Length;
    }

    /// <summary>Write multiple coils (15). Returns the PDU length.</summary>
    public static int WriteMultipleCoilsRequest(Span<byte> pdu, ushort address, ReadOnlySpan<bool> values)
    {
        pdu[0] = (byte)ModbusFunctionCode.WriteMultipleCoils;
        BinaryPrimitives.WriteUInt16BigEndian(pdu[1..], address);
        BinaryPrimitives.WriteUInt16BigEndian(pdu[3..], (ushort)values.Length);
        var bytes = (values.Length + 7) / 8;
        pdu[5] = (byte)bytes;
        PackBits(values, pdu.Slice(6, bytes));
        return 6 + bytes;
    }

    public static void PackBits(ReadOnlySpan<bool> values, Span<byte> destination)
    {
        destination.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (values[i])
            {
                destination[i / 8] |= (byte)(1 << (i % 8));
            }
        }
    }

    public static void UnpackBits(ReadOnlySpan<byte> packed, Span<bool> destination)
    {
        for (var i = 0; i < destination.Length; i++)
        {
            destination[i] = (packed[i / 8] & (1 << (i % 8))) != 0;
        }
    }

    /// <summary>Checks a response PDU against its request: raises <see cref="ModbusExceptionResponse"/> for an exception
    /// reply and <see cref="ModbusProtocolException"/> for any inconsistency. Returns the payload (data bytes of a read reply;
    /// empty for a write echo).</summary>
    public static ReadOnlySpan<byte> CheckResponse(ReadOnlySpan<byte> response, ReadOnlySpan<byte> request, byte unitId)
    {
        if (response.Length < 2)
        {
            throw new ModbusProtocolException($"reply from unit {unitId} is {response.Length} byte(s) long, too short for a PDU");
        }
        var function = (ModbusFunctionCode)request[0];
        if (response[0] == (request[0] | 0x80))
        {
            if (response.Length != 2)
            {
                throw new ModbusProtocolException($"exception reply from unit {unitId} has {response.Length} bytes, expected 2");
            }
            throw new ModbusExceptionResponse(unitId, function, (ModbusExceptionCode)response[1]);
        }
        if (response[0] != request[0])
        {
            throw new ModbusProtocolException($"reply from unit {unitId} has function code {response[0]}, expected {request[0]}");
        }
        switch (function)
        {
            case ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs
                or ModbusFunctionCode.ReadHoldingRegisters or ModbusFunctionCode.ReadInputRegisters:
                {
                    var count = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
                    var expected = function is ModbusFunctionCode.ReadCoils or ModbusFunctionCode.ReadDiscreteInputs ? (count + 7) / 8 : count * 2;
                    if (response[1] != expected || response.Length != 2 + expected)
                    {
                        throw new ModbusProtocolException(
                            $"reply from unit {unitId} to {function} carries byte count {response[1]} in {response.Length - 2} data bytes, expected {expected}");
                    }
                    return response.Slice(2, expected);
                }
            case ModbusFunctionCode.WriteSingleCoil or ModbusFunctionCode.WriteSingleRegister
                or ModbusFunctionCode.WriteMultipleCoils or ModbusFunctionCode.WriteMultipleRegisters:
                if (response.Length != 5 || !response[1..5].SequenceEqual(request[1..5]))
                {
                    throw new ModbusProtocolException($"reply from unit {unitId} to {function} does not echo the request");
                }
                return [];
            default:
                throw new ModbusProtocolException($"function code {request[0]} is not supported by this client");
        }
    }

    /// <summary>The length of a response PDU whose first bytes are known (function code and, for reads, the byte count),
    /// or -1 when <paramref name="head"/> is too short to tell, or -2 when the function code is unknown.</summary>
    public static int ResponseLength(ReadOnlySpan<byte> head)
    {
        if (head.Length < 1)
        {
            return -1;
        }
        var fc = head[0];
        if ((fc & 0x80) != 0)
        {
            return 2;
        }
        return fc switch
        {
            1 or 2 or 3 or 4 => head.Length < 2 ? -1 : 2 + head[1],
            5 or 6 or 15 or 16 => 5,
            _ => -2,
        };
    }

    /// <summary>The length of a request PDU whose first bytes are known, -1 if more bytes are needed, -2 if the function is unknown.</summary>
    public static int RequestLength(ReadOnlySpan<byte> head)
    {
        if (head.Length < 1)
        {
            return -1;
        }
        return head[0] switch
        {
            1 or 2 or 3 or 4 or 5 or 6 => 5,
            15 or 16 => head.Length < 6 ? -1 : 6 + head[5],
            _ => -2,
        };
    }
}
