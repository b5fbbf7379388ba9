using PvEdge.Modbus.Framing;

namespace PvEdge.Modbus.Tests.Framing;

public class ModbusPduTests
{
    [Fact]
    public void WriteReadRequest_HoldingRegisters_IsBigEndian()
    {
        var pdu = new byte[5];
        ModbusPdu.WriteReadRequest(pdu, ModbusFunctionCode.ReadHoldingRegisters, 40000, 125);
        Assert.Equal(new byte[] { 0x03, 0x9C, 0x40, 0x00, 0x7D }, pdu);
    }

    [Fact]
    public void CheckResponse_ExceptionReply_ThrowsWithCode()
    {
        var request = new byte[] { 0x03, 0x00, 0x10, 0x00, 0x01 };
        var ex = Assert.Throws<ModbusExceptionResponse>(() => ModbusPdu.CheckResponse([0x83, 0x02], request, 7));
        Assert.Equal(ModbusExceptionCode.IllegalDataAddress, ex.Code);
        Assert.Equal(7, ex.UnitId);
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 0x03, 0, 1, 2 })]        // odd byte count
    [InlineData(new byte[] { 0x03, 0x04, 0, 1 })]           // truncated data
    [InlineData(new byte[] { 0x04, 0x02, 0, 1 })]           // wrong function
    [InlineData(new byte[] { 0x03 })]                        // too short
    public void CheckResponse_InconsistentReply_ThrowsProtocolException(byte[] reply)
    {
        var request = new byte[] { 0x03, 0x00, 0x00, 0x00, 0x01 };
        Assert.Throws<ModbusProtocolException>(() => ModbusPdu.CheckResponse(reply, request, 1));
    }

    [Fact]
    public void PackBits_ThenUnpack_RoundTrips()
    {
        var bits = new[] { true, false, true, true, false, false, false, true, true, false, true };
        var packed = new byte[2];
        ModbusPdu.PackBits(bits, packed);
        Assert.Equal(new byte[] { 0b1000_1101, 0b0000_0101 }, packed);
        var back = new bool[bits.Length];
        ModbusPdu.UnpackBits(packed, back);
        Assert.Equal(bits, back);
    }

    [Theory]
    [InlineData(new byte[] { 0x03, 0x04 }, 6)]
    [InlineData(new byte[] { 0x86 }, 2)]
    [InlineData(new byte[] { 0x10 }, 5)]
    [InlineData(new byte[] { 0x03 }, -1)]
    [InlineData(new byte[] { 0x2B }, -2)]
    public void ResponseLength_Heads_GivesPduLength(byte[] head, int expected) =>
        Assert.Equal(expected, ModbusPdu.ResponseLength(head));
}
