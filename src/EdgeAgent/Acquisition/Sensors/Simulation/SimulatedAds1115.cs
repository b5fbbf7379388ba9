namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>An ADS1115 on I²C as the datasheet (TI SBAS444) describes it: an address-pointer byte selects one of four 16-bit
/// big-endian registers, conversion (0), config (1, reset 0x8583), lo_thresh (2, 0x8000) and hi_thresh (3, 0x7FFF).
/// Writing config with OS = 1 in single-shot mode (MODE = 1) starts a conversion of the multiplexed input at the PGA's full
/// scale; OS reads 0 while converting. Continuous mode (MODE = 0) converts on every read of the conversion register.</summary>
public sealed class SimulatedAds1115 : SimulatedI2cDevice
{
    private static readonly double[] FullScaleV = [6.144, 4.096, 2.048, 1.024, 0.512, 0.256, 0.256, 0.256];
    private readonly ushort[] _regs = [0x0000, 0x8583, 0x8000, 0x7FFF];
    private readonly double[] _inputsV = new double[4];
    private byte _pointer;
    private int _busyReads;

    public SimulatedAds1115(int busId = 1, int address = 0x48)
        : base(busId, address)
    {
    }

    /// <summary>Config reads that report "converting" (OS = 0) after each start; 0 = the conversion is done by the next read.</summary>
    public int BusyReadsPerConversion { get; set; }

    /// <summary>Conversions done.</summary>
    public int Conversions { get; private set; }

    public ushort ConfigRegister => _regs[1];

    /// <summary>The voltage on AIN0..AIN3 against GND.</summary>
    public void SetInputVolts(int ain, double volts)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)ain, 3u, nameof(ain));
        _inputsV[ain] = volts;
    }

    /// <summary>A sensor between <paramref name="positive"/> and <paramref name="negative"/>: sets both inputs around a 1 V common mode.</summary>
    public void SetDifferentialMicrovolts(int positive, int negative, double microvolts)
    {
        SetInputVolts(negative, 1.0);
        SetInputVolts(positive, 1.0 + microvolts * 1e-6);
    }

    protected override void OnWrite(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }
        _pointer = (byte)(data[0] & 0b11);
        if (data.Length < 3)
        {
            return;
        }
        var value = (ushort)((data[1] << 8) | data[2]);
        if (_pointer == 0)
        {
            return; // the conversion register is read-only
        }
        if (_pointer != 1)
        {
            _regs[_pointer] = value;
            return;
        }
        var singleShot = (value & 0x0100) != 0;
        var start = (value & 0x8000) != 0;
        _regs[1] = (ushort)(value | 0x8000);
        if (!singleShot || start)
        {
            Convert();
            if (singleShot && BusyReadsPerConversion > 0)
            {
                _busyReads = BusyReadsPerConversion;
            }
        }
    }

    protected override void OnRead(Span<byte> buffer)
    {
        ushort value;
        if (_pointer == 1 && _busyReads > 0)
        {
            _busyReads--;
            value = (ushort)(_regs[1] & 0x7FFF);
        }
        else
        {
            if (_pointer == 0 && (_regs[1] & 0x0100) == 0)
            {
                Convert();
            }
            value = _regs[_pointer];
        }
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)(i % 2 == 0 ? value >> 8 : value);
        }
    }

    private void Convert()
    {
        Conversions++;
        var config = _regs[1];
        var mux = (config >> 12) & 0b111;
        var fullScale = FullScaleV[(config >> 9) & 0b111];
        var volts = mux switch
        {
            0 => _inputsV[0] - _inputsV[1],
            1 => _inputsV[0] - _inputsV[3],
            2 => _inputsV[1] - _inputsV[3],
            3 => _inputsV[2] - _inputsV[3],
            _ => _inputsV[mux - 4],
        };
        var code = Math.Clamp(Math.Round(volts / fullScale * 32768.0), short.MinValue, short.MaxValue);
        _regs[0] = (ushort)(short)code;
    }
}
