using System.Buffers.Binary;
using PvEdge.Modbus.Client;
using PvEdge.Modbus.Framing;
using PvEdge.Modbus.Server;
using PvEdge.Modbus.Transport;

namespace PvEdge.Modbus.Tests.Framing;

/// <summary>Property tests over random and mutated frames: the client only ever returns a correct answer or a typed
/// <see cref="ModbusException"/>; the server only ever answers with a well-formed PDU.</summary>
public class FrameFuzzTests
{
    private const int Iterations = 400;

    /// <summary>A stream that yields fixed bytes, then end of stream; writes are swallowed.</summary>
    private sealed class CannedStream(byte[] reply) : Stream
    {
        private readonly MemoryStream _in = new(reply);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
        }
    }

    private static byte[] GoodReply(ModbusFraming framing, ushort[] values)
    {
        var pdu = new byte[2 + 2 * values.Length];
        pdu[0] = 3;
        pdu[1] = (byte)(2 * values.Length);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(pdu.AsSpan(2 + 2 * i), values[i]);
        }
        if (framing == ModbusFraming.Rtu)
        {
            var frame = new byte[pdu.Length + 3];
            frame[0] = 1;
            pdu.CopyTo(frame, 1);
            Crc16.Write(frame.AsSpan(0, pdu.Length + 1), frame.AsSpan(pdu.Length + 1));
            return frame;
        }
        var tcp = new byte[7 + pdu.Length];
        BinaryPrimitives.WriteUInt16BigEndian(tcp, 1); // first transaction id of a fresh client
        BinaryPrimitives.WriteUInt16BigEndian(tcp.AsSpan(4), (ushort)(pdu.Length + 1));
        tcp[6] = 1;
        pdu.CopyTo(tcp, 7);
        return tcp;
    }

    [Theory]
    [InlineData(ModbusFraming.Tcp, 11)]
    [InlineData(ModbusFraming.Rtu, 12)]
    public async Task Read_RandomOrMutatedReplies_CorrectAnswerOrTypedError(ModbusFraming framing, int seed)
    {
        var random = new Random(seed);
        var expected = new ushort[] { 0x1234, 0xABCD, 0x0001 };
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < Iterations; i++)
        {
            byte[] reply;
            var mode = random.Next(3);
            if (mode == 0)
            {
                reply = new byte[random.Next(0, 40)];
                random.NextBytes(reply);
            }
            else
            {
                reply = GoodReply(framing, expected);
                var flips = mode == 1 ? 0 : random.Next(1, 4);
                for (var f = 0; f < flips; f++)
                {
                    reply[random.Next(reply.Length)] ^= (byte)(1 << random.Next(8));
                }
                if (random.Next(4) == 0)
                {
                    reply = reply[..random.Next(reply.Length)];
                }
            }
            var transport = new StreamTransport("canned", framing, _ => Task.FromResult<Stream>(new CannedStream(reply)), 115200);
            await using var client = new ModbusClient(transport, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 0 });
            string outcome;
            try
            {
                var values = await client.ReadHoldingRegistersAsync(1, 0, 3, CancellationToken.None);
                if (framing == ModbusFraming.Rtu)
                {
                    Assert.Equal(expected, values); // the CRC must catch every corruption
                }
                outcome = "ok";
            }
            catch (ModbusException ex)
            {
                outcome = ex.GetType().Name;
            }
            outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
        }
        Assert.True(outcomes.GetValueOrDefault("ok") > 0, "no valid reply was accepted");
        Assert.True(outcomes.Count >= 3, "expected several kinds of outcome: " + string.Join(", ", outcomes));
    }

    [Fact]
    public void Process_RandomRequests_AlwaysWellFormedReply()
    {
        var random = new Random(5);
        var unit = new ModbusUnit(1);
        unit.HoldingRegisters.Map(0, 1000);
        unit.InputRegisters.Map(0, 1000);
        unit.Coils.Map(0, 1000);
        unit.DiscreteInputs.Map(0, 1000);
        var response = new byte[ModbusConstants.MaxPduLength];
        for (var i = 0; i < 20_000; i++)
        {
            var request = new byte[random.Next(0, 30)];
            random.NextBytes(request);
            if (request.Length > 0 && random.Next(2) == 0)
            {
                request[0] = (byte)random.Next(1, 17);
            }
            var length = ModbusRequestProcessor.Process(unit, request, response);
            Assert.InRange(length, 2, ModbusConstants.MaxPduLength);
            if ((response[0] & 0x80) != 0)
            {
                Assert.Equal(2, length);
                Assert.InRange(response[1], 1, 3);
            }
            else
            {
                Assert.Equal(request[0], response[0]);
            }
        }
    }
}
