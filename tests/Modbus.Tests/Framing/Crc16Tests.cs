using PvEdge.Modbus.Framing;

namespace PvEdge.Modbus.Tests.Framing;

public class Crc16Tests
{
    [Theory]
    // Modbus over serial line spec / widely published examples
    [InlineData(new byte[] { 0x01, 0x03, 0x00, 0x00, 0x00, 0x0A }, 0xCDC5)]
    [InlineData(new byte[] { 0x11, 0x03, 0x00, 0x6B, 0x00, 0x03 }, 0x8776)]
    [InlineData(new byte[] { 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x39 }, 0x4B37)] // CRC-16/MODBUS check value of "123456789"
    public void Compute_KnownFrames_MatchesPublishedCrc(byte[] data, int expected) =>
        Assert.Equal((ushort)expected, Crc16.Compute(data));

    [Fact]
    public void Write_ThenCheck_AcceptsFrameAndRejectsAnyFlippedBit()
    {
        var frame = new byte[] { 0x01, 0x03, 0x9C, 0x40, 0x00, 0x02, 0, 0 };
        Crc16.Write(frame.AsSpan(0, 6), frame.AsSpan(6));
        Assert.True(Crc16.Check(frame));
        for (var bit = 0; bit < frame.Length * 8; bit++)
        {
            var copy = (byte[])frame.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            Assert.False(Crc16.Check(copy), $"flipped bit {bit} not detected");
        }
    }
}
