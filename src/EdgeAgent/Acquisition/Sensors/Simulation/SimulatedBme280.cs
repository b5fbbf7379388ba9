using System.Buffers.Binary;

namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>A BME280 on I²C as the datasheet (Bosch BST-BME280-DS002) describes it: chip id 0x60 at 0xD0, calibration words at
/// 0x88–0xA1 and 0xE1–0xE7, ctrl_hum 0xF2 (latched by the next ctrl_meas write), status 0xF3, ctrl_meas 0xF4, config 0xF5,
/// soft reset 0xE0 ← 0xB6, and burst-readable data 0xF7–0xFE. A forced-mode write converts the set environment into the raw
/// ADC words that the chip's compensation formulas turn back into it, then returns to sleep; a skipped measurement leaves the
/// reset value 0x80000 (0x8000 for humidity).</summary>
public sealed class SimulatedBme280 : SimulatedI2cDevice
{
    public const byte ChipIdRegister = 0xD0;
    public const byte CtrlHum = 0xF2;
    public const byte Status = 0xF3;
    public const byte CtrlMeas = 0xF4;
    public const byte Config = 0xF5;
    public const byte ResetRegister = 0xE0;
    public const byte PressMsb = 0xF7;
    public const byte TempMsb = 0xFA;
    public const byte HumMsb = 0xFD;

    // Calibration words of a real part (the datasheet's worked example for T and P, a typical part for H).
    private const ushort T1 = 27504;
    private const short T2 = 26435, T3 = -1000;
    private const ushort P1 = 36477;
    private const short P2 = -10685, P3 = 3024, P4 = 2855, P5 = 140, P6 = -7, P7 = 15500, P8 = -14600, P9 = 6000;
    private const byte H1 = 75;
    private const short H2 = 362;
    private const byte H3 = 0;
    private const short H4 = 324, H5 = 0;
    private const sbyte H6 = 30;

    private readonly byte[] _regs = new byte[256];
    private byte _pointer;
    private byte _humOversamplingLatched;

    public SimulatedBme280(int busId = 1, int address = 0x76, byte chipId = 0x60)
        : base(busId, address)
    {
        _regs[ChipIdRegister] = chipId;
        WriteCalibration();
        PowerOnReset();
    }

    /// <summary>The environment the chip measures.</summary>
    public double TemperatureC { get; set; } = 21.5;
    public double PressurePa { get; set; } = 101_325;
    public double HumidityPct { get; set; } = 48;

    /// <summary>True: mode writes are taken but nothing is converted (a chip in brown-out), so the data registers keep their reset value.</summary>
    public bool Stalled { get; set; }

    /// <summary>Forced or normal-mode conversions done.</summary>
    public int Conversions { get; private set; }

    /// <summary>The register file as the master would read it.</summary>
    public byte Register(byte address) => _regs[address];

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        _pointer = data[0];
        // I²C writes are (register, value) pairs.
        for (var i = 0; i + 1 < data.Length; i += 2)
        {
            WriteRegister(data[i], data[i + 1]);
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        if ((_regs[CtrlMeas] & 0b11) == 0b11 && _pointer >= PressMsb)
        {
            Convert(); // normal mode: a fresh result is always there
        }
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = _regs[_pointer];
            _pointer = (byte)(_pointer + 1); // burst reads auto-increment
        }
    }

    private void WriteRegister(byte register, byte value)
    {
        switch (register)
        {
            case ResetRegister:
                if (value == 0xB6)
                {
                    PowerOnReset();
                }
                break;
            case CtrlHum:
                _regs[CtrlHum] = (byte)(value & 0b111);
                break;
            case CtrlMeas:
                _regs[CtrlMeas] = value;
                _humOversamplingLatched = _regs[CtrlHum];
                if ((value & 0b11) is 0b01 or 0b10)
                {
                    Convert();
                    _regs[CtrlMeas] = (byte)(value & 0b1111_1100); // back to sleep after a forced conversion
                }
                else if ((value & 0b11) == 0b11)
                {
                    Convert();
                }
                break;
            case Config:
                _regs[Config] = value;
                break;
            default:
                break; // read-only registers ignore writes
        }
    }

    private void PowerOnReset()
    {
        _regs[CtrlHum] = 0;
        _regs[Status] = 0;
        _regs[CtrlMeas] = 0;
        _regs[Config] = 0;
        _humOversamplingLatched = 0;
        SetData(PressMsb, 0x80000, 3);
        SetData(TempMsb, 0x80000, 3);
        SetData(HumMsb, 0x8000, 2);
    }

    private void Convert()
    {
        if (Stalled)
        {
            return;
        }
        Conversions++;
        var osrsT = (_regs[CtrlMeas] >> 5) & 0b111;
        var osrsP = (_regs[CtrlMeas] >> 2) & 0b111;
        var adcT = InvertIncreasing(x => Compensation.Temperature(x).TemperatureC, TemperatureC, 0, 0xFFFFF);
        var tFine = Compensation.Temperature(adcT).TFine;
        SetData(TempMsb, osrsT == 0 ? 0x80000 : adcT, 3);
        var adcP = InvertIncreasing(x => Compensation.Pressure(0xFFFFF - x, tFine), PressurePa, 0, 0xFFFFF); // pressure falls as adc_P rises
        SetData(PressMsb, osrsP == 0 ? 0x80000 : 0xFFFFF - adcP, 3);
        var adcH = InvertIncreasing(x => Compensation.Humidity(x, tFine), HumidityPct, 0, 0xFFFF);
        SetData(HumMsb, _humOversamplingLatched == 0 ? 0x8000 : adcH, 2);
        _regs[Status] = 0; // conversion done, nothing measuring
    }

    /// <summary>Writes a 20-bit ADC word as msb, lsb, xlsb[7:4] (3 bytes) or a 16-bit word as msb, lsb (2 bytes).</summary>
    private void SetData(byte register, int value, int bytes)
    {
        if (bytes == 3)
        {
            _regs[register] = (byte)(value >> 12);
            _regs[register + 1] = (byte)(value >> 4);
            _regs[register + 2] = (byte)((value & 0xF) << 4);
        }
        else
        {
            _regs[register] = (byte)(value >> 8);
            _regs[register + 1] = (byte)value;
        }
    }

    private void WriteCalibration()
    {
        var t = _regs.AsSpan(0x88);
        BinaryPrimitives.WriteUInt16LittleEndian(t, T1);
        BinaryPrimitives.WriteInt16LittleEndian(t[2..], T2);
        BinaryPrimitives.WriteInt16LittleEndian(t[4..], T3);
        BinaryPrimitives.WriteUInt16LittleEndian(t[6..], P1);
        short[] p = [P2, P3, P4, P5, P6, P7, P8, P9];
        for (var i = 0; i < p.Length; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(t[(8 + 2 * i)..], p[i]);
        }
        _regs[0xA1] = H1;
        BinaryPrimitives.WriteInt16LittleEndian(_regs.AsSpan(0xE1), H2);
        _regs[0xE3] = H3;
        _regs[0xE4] = (byte)(H4 >> 4);
        _regs[0xE5] = (byte)(((H5 & 0xF) << 4) | (H4 & 0xF));
        _regs[0xE6] = (byte)(H5 >> 4);
        _regs[0xE7] = (byte)H6;
    }

    /// <summary>The integer x in [lo, hi] whose f(x) is closest to target, for f increasing.</summary>
    private static int InvertIncreasing(Func<int, double> f, double target, int lo, int hi)
    {
        while (hi - lo > 1)
        {
            var mid = lo + (hi - lo) / 2;
            if (f(mid) < target)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }
        return Math.Abs(f(lo) - target) <= Math.Abs(f(hi) - target) ? lo : hi;
    }

    /// <summary>The datasheet's floating-point compensation (section 8.1) with this part's calibration words.</summary>
    private static class Compensation
    {
        public static (double TemperatureC, double TFine) Temperature(int adcT)
        {
            var var1 = (adcT / 16384.0 - T1 / 1024.0) * T2;
            var d = adcT / 131072.0 - T1 / 8192.0;
            var var2 = d * d * T3;
            return ((var1 + var2) / 5120.0, var1 + var2);
        }

        public static double Pressure(int adcP, double tFine)
        {
            var var1 = tFine / 2.0 - 64000.0;
            var var2 = var1 * var1 * P6 / 32768.0;
            var2 += var1 * P5 * 2.0;
            var2 = var2 / 4.0 + P4 * 65536.0;
            var1 = (P3 * var1 * var1 / 524288.0 + P2 * var1) / 524288.0;
            var1 = (1.0 + var1 / 32768.0) * P1;
            var p = 1048576.0 - adcP;
            p = (p - var2 / 4096.0) * 6250.0 / var1;
            var1 = P9 * p * p / 2147483648.0;
            var2 = p * P8 / 32768.0;
            return p + (var1 + var2 + P7) / 16.0;
        }

        public static double Humidity(int adcH, double tFine)
        {
            var h = tFine - 76800.0;
            h = (adcH - (H4 * 64.0 + H5 / 16384.0 * h)) * (H2 / 65536.0 * (1.0 + H6 / 67108864.0 * h * (1.0 + H3 / 67108864.0 * h)));
            h *= 1.0 - H1 * h / 524288.0;
            return Math.Clamp(h, 0, 100);
        }
    }
}
