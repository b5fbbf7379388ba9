using PvEdge.Modbus.Server;

namespace PvEdge.InverterSimulator.Registers;

/// <summary>Lays out a SunSpec register image in a bank: 'SunS' at the base address, models one after the other, end marker 0xFFFF.
/// The simulator is written as a device firmware would be, with the register layout of each model spelled out, so that the agent's
/// data-driven decoder is checked against an independent encoder.</summary>
public sealed class SunSpecImage(RegisterBank bank, ushort baseAddress = 40000)
{
    private int _next = baseAddress + 2;
    private bool _ended;

    public RegisterBank Bank => bank;

    /// <summary>Adds a model and returns the address of its body (the register after ID and L). The body is mapped and zero.</summary>
    public ushort AddModel(ushort id, ushort length)
    {
        if (_next == baseAddress + 2)
        {
            bank.Load(baseAddress, [0x5375, 0x6E53]);
        }
        bank.Load(_next, [id, length]);
        bank.Map(_next + 2, length);
        var body = (ushort)(_next + 2);
        _next += 2 + length;
        return body;
    }

    /// <summary>Writes the end marker (ID 0xFFFF, L 0).</summary>
    public void End()
    {
        if (!_ended)
        {
            bank.Load(_next, [0xFFFF, 0]);
            _ended = true;
        }
    }

    // Encoders: NaN or out-of-range values become the SunSpec "not implemented" sentinel.

    public void String(int address, int registers, string text)
    {
        for (var i = 0; i < registers; i++)
        {
            var hi = 2 * i < text.Length ? text[2 * i] : '\0';
            var lo = 2 * i + 1 < text.Length ? text[2 * i + 1] : '\0';
            bank[address + i] = (ushort)((hi & 0x7F) << 8 | (lo & 0x7F));
        }
    }

    public void Int16(int address, double value, int scaleFactor = 0)
    {
        var scaled = Math.Round(value / Math.Pow(10, scaleFactor));
        bank[address] = double.IsNaN(value) || scaled is < -32767 or > 32767 ? (ushort)0x8000 : unchecked((ushort)(short)scaled);
    }

    public void Uint16(int address, double value, int scaleFactor = 0)
    {
        var scaled = Math.Round(value / Math.Pow(10, scaleFactor));
        bank[address] = double.IsNaN(value) || scaled is < 0 or > 65534 ? (ushort)0xFFFF : (ushort)scaled;
    }

    public void Raw(int address, ushort value) => bank[address] = value;

    public void Uint32(int address, uint value)
    {
        bank[address] = (ushort)(value >> 16);
        bank[address + 1] = (ushort)(value & 0xFFFF);
    }

    public void NotImplemented16(int address, bool signed) => bank[address] = signed ? (ushort)0x8000 : (ushort)0xFFFF;
}
