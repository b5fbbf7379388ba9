using System.Device.I2c;

namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>One transfer seen by a simulated chip: what the master wrote or how many bytes it read, and what it got.</summary>
public sealed record I2cTransfer(bool IsWrite, byte[] Data);

/// <summary>An <see cref="I2cDevice"/> answered by an in-memory chip model instead of /dev/i2c-N. The bus behaviour is shared:
/// an absent chip and injected faults throw <see cref="IOException"/> as Linux i2c-dev does ("Remote I/O error" on a missing ACK),
/// and every transfer is logged so tests can check the register-level exchange.</summary>
public abstract class SimulatedI2cDevice : I2cDevice
{
    private readonly Lock _gate = new();
    private readonly List<I2cTransfer> _log = [];
    private int _failures;

    protected SimulatedI2cDevice(int busId, int address)
    {
        ConnectionSettings = new I2cConnectionSettings(busId, address);
    }

    public override I2cConnectionSettings ConnectionSettings { get; }

    /// <summary>False: nothing answers at this address (unplugged, wrong address, SDA/SCL swapped).</summary>
    public bool Present { get; set; } = true;

    public bool IsDisposed { get; private set; }

    /// <summary>The next <paramref name="count"/> transfers fail with a bus error (EMI on a long cable, a clock-stretching glitch).</summary>
    public void FailNextTransfers(int count)
    {
        lock (_gate)
        {
            _failures = count;
        }
    }

    public IReadOnlyList<I2cTransfer> Transfers
    {
        get
        {
            lock (_gate)
            {
                return _log.ToList();
            }
        }
    }

    public void ClearLog()
    {
        lock (_gate)
        {
            _log.Clear();
        }
    }

    public override void Read(Span<byte> buffer)
    {
        lock (_gate)
        {
            CheckBus();
            OnRead(buffer);
            _log.Add(new I2cTransfer(false, buffer.ToArray()));
        }
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        lock (_gate)
        {
            CheckBus();
            _log.Add(new I2cTransfer(true, buffer.ToArray()));
            OnWrite(buffer);
        }
    }

    public override void WriteRead(ReadOnlySpan<byte> writeBuffer, Span<byte> readBuffer)
    {
        Write(writeBuffer);
        Read(readBuffer);
    }

    /// <summary>The master wrote <paramref name="data"/> (register pointer first).</summary>
    protected abstract void OnWrite(ReadOnlySpan<byte> data);

    /// <summary>The master reads from the current register pointer.</summary>
    protected abstract void OnRead(Span<byte> buffer);

    private void CheckBus()
    {
        ObjectDisposedException.ThrowIf(IsDisposed, this);
        if (!Present)
        {
            throw new IOException($"Remote I/O error: no ACK from 0x{ConnectionSettings.DeviceAddress:x2} on i2c-{ConnectionSettings.BusId}");
        }
        if (_failures > 0)
        {
            _failures--;
            throw new IOException($"bus error on i2c-{ConnectionSettings.BusId} (arbitration lost)");
        }
    }

    protected override void Dispose(bool disposing)
    {
        IsDisposed = true;
        base.Dispose(disposing);
    }
}
