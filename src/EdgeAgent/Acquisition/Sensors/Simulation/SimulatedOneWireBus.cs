using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>A kernel 1-Wire bus as sysfs shows it, written to a folder (a temp dir by default): one folder per slave
/// (<c>28-0000071c4a2e/w1_slave</c>) with the two lines of the w1_therm driver, the scratchpad bytes with their Dallas CRC-8,
/// and <c>w1_bus_master1/w1_master_slaves</c>. Unplugging a probe removes its folder as the kernel does.
/// Transient CRC failures (one bad read, the next one good) cannot live in a static file: <see cref="FailNextReads"/> queues them
/// in the reader from <see cref="CreateReader"/>.</summary>
public sealed class SimulatedOneWireBus : IDisposable
{
    private readonly bool _ownsRoot;
    private readonly ConcurrentDictionary<string, int> _pendingFailures = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _reads = new(StringComparer.Ordinal);

    /// <param name="root">The devices folder; null creates (and on dispose deletes) a temp folder.</param>
    public SimulatedOneWireBus(string? root = null)
    {
        _ownsRoot = root is null;
        Root = root ?? Directory.CreateTempSubdirectory("pvedge-w1-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "w1_bus_master1"));
        WriteSlaveList();
    }

    public string Root { get; }

    /// <summary>Reads of each device's w1_slave through <see cref="CreateReader"/>.</summary>
    public int ReadsOf(string id) => _reads.GetValueOrDefault(id);

    public void AddThermometer(string id, double temperatureC)
    {
        Directory.CreateDirectory(Path.Combine(Root, id));
        SetTemperature(id, temperatureC);
        WriteSlaveList();
    }

    public void SetTemperature(string id, double temperatureC)
    {
        var raw = (short)Math.Round(temperatureC * 16.0);
        File.WriteAllText(SlaveFile(id), Frame(Scratchpad(raw), crcOk: true, milliC: raw * 1000 / 16));
    }

    /// <summary>Every read fails the CRC from now on (a broken data line), until <see cref="SetTemperature"/>.</summary>
    public void BreakCrc(string id) =>
        File.WriteAllText(SlaveFile(id), Frame([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF], crcOk: false, milliC: -62));

    /// <summary>The DS18B20 answers its power-on value 85 °C (the conversion did not run).</summary>
    public void PowerOnReset(string id) =>
        File.WriteAllText(SlaveFile(id), Frame(Scratchpad(85 * 16), crcOk: true, milliC: 85_000));

    /// <summary>The next <paramref name="count"/> reads of <paramref name="id"/> fail the CRC, then the file answers again.</summary>
    public void FailNextReads(string id, int count) => _pendingFailures[id] = count;

    public void Unplug(string id)
    {
        var dir = Path.Combine(Root, id);
        if (Directory.Exists(dir))
        {
            Directory.Delete(dir, recursive: true);
        }
        WriteSlaveList();
    }

    public OneWireThermometerReader CreateReader() => new Reader(this);

    private string SlaveFile(string id) => Path.Combine(Root, id, "w1_slave");

    private void WriteSlaveList()
    {
        var ids = Directory.EnumerateDirectories(Root).Select(Path.GetFileName).OfType<string>()
            .Where(OneWireThermometerReader.IsThermometerId).Order(StringComparer.Ordinal);
        File.WriteAllText(Path.Combine(Root, "w1_bus_master1", "w1_master_slaves"), string.Concat(ids.Select(i => i + "\n")));
    }

    /// <summary>The 9-byte DS18B20 scratchpad at 12-bit resolution: temperature LSB/MSB, TH, TL, config 0x7F, reserved, CRC.</summary>
    private static byte[] Scratchpad(short raw)
    {
        var b = new byte[9];
        b[0] = (byte)raw;
        b[1] = (byte)(raw >> 8);
        b[2] = 0x4B;
        b[3] = 0x46;
        b[4] = 0x7F;
        b[5] = 0xFF;
        b[6] = (byte)(0x10 - (raw & 0x0F));
        b[7] = 0x10;
        b[8] = Crc8(b.AsSpan(0, 8));
        return b;
    }

    /// <summary>Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, reflected), as the w1 core checks it.</summary>
    public static byte Crc8(ReadOnlySpan<byte> data)
    {
        byte crc = 0;
        foreach (var d in data)
        {
            var x = d;
            for (var i = 0; i < 8; i++)
            {
                var mix = (byte)((crc ^ x) & 1);
                crc >>= 1;
                if (mix != 0)
                {
                    crc ^= 0x8C;
                }
                x >>= 1;
            }
        }
        return crc;
    }

    private static string Frame(byte[] scratchpad, bool crcOk, int milliC)
    {
        var hex = string.Join(' ', scratchpad.Select(b => b.ToString("x2", CultureInfo.InvariantCulture)));
        var sb = new StringBuilder();
        sb.Append(hex).Append(" : crc=").Append(scratchpad[8].ToString("x2", CultureInfo.InvariantCulture)).Append(crcOk ? " YES\n" : " NO\n");
        sb.Append(hex).Append(" t=").Append(milliC.ToString(CultureInfo.InvariantCulture)).Append('\n');
        return sb.ToString();
    }

    public void Dispose()
    {
        if (_ownsRoot && Directory.Exists(Root))
        {
            Directory.Delete(Root, recursive: true);
        }
    }

    private sealed class Reader(SimulatedOneWireBus bus) : OneWireThermometerReader(bus.Root)
    {
        protected override ValueTask<string?> ReadSlaveFileAsync(string deviceId, CancellationToken cancellationToken)
        {
            bus._reads.AddOrUpdate(deviceId, 1, (_, n) => n + 1);
            var pending = bus._pendingFailures.GetValueOrDefault(deviceId);
            if (pending > 0 && Directory.Exists(Path.Combine(bus.Root, deviceId)))
            {
                bus._pendingFailures[deviceId] = pending - 1;
                var bad = Frame([0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x00], crcOk: false, milliC: 85_000);
                return ValueTask.FromResult<string?>(bad);
            }
            return base.ReadSlaveFileAsync(deviceId, cancellationToken);
        }
    }
}
