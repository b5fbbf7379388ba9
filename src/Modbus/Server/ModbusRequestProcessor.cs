using System.Buffers.Binary;
using PvEdge.Modbus.Framing;

namespace PvEdge.Modbus.Server;

/// <summary>Serves one request PDU against a unit's banks: the part of a server shared by TCP and RTU. Allocation-free.</summary>
public static class ModbusRequestProcessor
{
    /// <summary>Decodes the request head for the hooks (address and count are 0 when the PDU is too short).</summary>
    public static ModbusRequestInfo Describe(byte unitId, ReadOnlySpan<byte> request) =>
        new(unitId, request.Length > 0 ? (ModbusFunctionCode)request[0] : 0,
            request.Length >= 3 ? BinaryPrimitives.ReadUInt16BigEndian(request[1..]) : (ushort)0,
            request.Length >= 5 ? BinaryPrimitives.ReadUInt16BigEndian(request[3..]) : (ushort)0);

    /// <summary>Writes the response PDU for <paramref name="request"/> into <paramref name="response"/> (at least 253 bytes) and returns its length.</summary>
    public static int Process(ModbusUnit unit, ReadOnlySpan<byte> request, Span<byte> response)
    {
        if (request.Length == 0)
        {
            return Error(response, 0, ModbusExceptionCode.IllegalFunction);
        }
        var fc = request[0];
        var expected = ModbusPdu.RequestLength(request);
        if (expected == -2)
        {
            return Error(response, fc, ModbusExceptionCode.IllegalFunction);
        }
        if (expected < 0 || request.Length != expected)
        {
            return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
        }
        var address = BinaryPrimitives.ReadUInt16BigEndian(request[1..]);
        var quantity = BinaryPrimitives.ReadUInt16BigEndian(request[3..]);
        lock (unit.SyncRoot)
        {
            switch ((ModbusFunctionCode)fc)
            {
                case ModbusFunctionCode.ReadHoldingRegisters:
                case ModbusFunctionCode.ReadInputRegisters:
                    {
                        if (quantity is < 1 or > ModbusConstants.MaxReadRegisters)
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
                        }
                        var bank = fc == 3 ? unit.HoldingRegisters : unit.InputRegisters;
                        if (!bank.IsMapped(address, quantity))
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                        }
                        response[0] = fc;
                        response[1] = (byte)(quantity * 2);
                        var raw = bank.Raw;
                        for (var i = 0; i < quantity; i++)
                        {
                            BinaryPrimitives.WriteUInt16BigEndian(response[(2 + 2 * i)..], raw[address + i]);
                        }
                        return 2 + quantity * 2;
                    }
                case ModbusFunctionCode.ReadCoils:
                case ModbusFunctionCode.ReadDiscreteInputs:
                    {
                        if (quantity is < 1 or > ModbusConstants.MaxReadBits)
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
                        }
                        var bank = fc == 1 ? unit.Coils : unit.DiscreteInputs;
                        if (!bank.IsMapped(address, quantity))
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                        }
                        var bytes = (quantity + 7) / 8;
                        response[0] = fc;
                        response[1] = (byte)bytes;
                        var data = response.Slice(2, bytes);
                        data.Clear();
                        for (var i = 0; i < quantity; i++)
                        {
                            if (bank[address + i])
                            {
                                data[i / 8] |= (byte)(1 << (i % 8));
                            }
                        }
                        return 2 + bytes;
                    }
                case ModbusFunctionCode.WriteSingleCoil:
                    if (quantity is not (0xFF00 or 0x0000))
                    {
                        return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
                    }
                    if (!unit.Coils.IsMapped(address, 1))
                    {
                        return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                    }
                    unit.Coils[address] = quantity == 0xFF00;
                    return Echo(request, response);
                case ModbusFunctionCode.WriteSingleRegister:
                    if (!unit.HoldingRegisters.IsMapped(address, 1))
                    {
                        return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                    }
                    unit.HoldingRegisters[address] = quantity;
                    return Echo(request, response);
                case ModbusFunctionCode.WriteMultipleRegisters:
                    {
                        if (quantity is < 1 or > ModbusConstants.MaxWriteRegisters || request[5] != quantity * 2)
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
                        }
                        if (!unit.HoldingRegisters.IsMapped(address, quantity))
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                        }
                        for (var i = 0; i < quantity; i++)
                        {
                            unit.HoldingRegisters[address + i] = BinaryPrimitives.ReadUInt16BigEndian(request[(6 + 2 * i)..]);
                        }
                        return Echo(request, response);
                    }
                case ModbusFunctionCode.WriteMultipleCoils:
                    {
                        if (quantity is < 1 or > ModbusConstants.MaxWriteBits || request[5] != (quantity + 7) / 8)
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataValue);
                        }
                        if (!unit.Coils.IsMapped(address, quantity))
                        {
                            return Error(response, fc, ModbusExceptionCode.IllegalDataAddress);
                        }
                        for (var i = 0; i < quantity; i++)
                        {
                            unit.Coils[address + i] = (request[6 + i / 8] & (1 << (i % 8))) != 0;
                        }
                        return Echo(request, response);
                    }
                default:
                    return Error(response, fc, ModbusExceptionCode.IllegalFunction);
            }
        }
    }

    /// <summary>Spoils a good response in place so that a client must reject it (the byte count or echo no longer fits).</summary>
    public static void Corrupt(Span<byte> response, int length)
    {
        if (length >= 2)
        {
            response[1] ^= 0x5A;
        }
    }

    private static int Echo(ReadOnlySpan<byte> request, Span<byte> response)
    {
        request[..5].CopyTo(response);
        return 5;
    }

    private static int Error(Span<byte> response, byte fc, ModbusExceptionCode code)
    {
        response[0] = (byte)(fc | 0x80);
        response[1] = (byte)code;
        return 2;
    }
}
