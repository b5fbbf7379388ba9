using System.Globalization;
using Iot.Device.OneWire;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>What one read of a 1-Wire thermometer gave.</summary>
public enum W1Status
{
    Ok,
    /// <summary>The device folder or its w1_slave file is gone: the probe is unplugged or its cable cut.</summary>
    Unplugged,
    /// <summary>The kernel's CRC check of the scratchpad said NO (noise, long cable, weak pull-up).</summary>
    CrcError,
    /// <summary>85.000 °C: the DS18B20 power-on value, the conversion did not run (parasite power too weak).</summary>
    PowerOnReset,
    /// <summary>The file did not have the two lines the w1_therm driver writes.</summary>
    BadFormat,
}

public readonly record struct W1Temperature(W1Status Status, double TemperatureC);

/// <summary>Reads DS18B20-family thermometers from the kernel's w1_therm sysfs files under a configurable root.
/// A thin adapter, not Iot.Device.OneWire's <see cref="OneWireThermometerDevice"/>: that binding hard-codes <c>/sys/bus/w1/devices</c>
/// and <c>/sys/devices</c>, reports a CRC failure and a missing device alike as an exception, so it can neither be pointed at a
/// simulated bus nor tell an installer which probe is unplugged. It reads the same file format, and the binding's
/// <see cref="DeviceFamily"/> decides which ids are thermometers.</summary>
public class OneWireThermometerReader
{
    public OneWireThermometerReader(string devicesRoot)
    {
        ArgumentException.ThrowIfNullOrEmpty(devicesRoot);
        DevicesRoot = devicesRoot;
    }

    public string DevicesRoot { get; }

    /// <summary>"28-000005e2fdc3": a thermometer family code, a dash and 12 hex digits.</summary>
    public static bool IsThermometerId(string id)
    {
        if (id is not { Length: 15 } || id[2] != '-'
            || !int.TryParse(id.AsSpan(0, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var family)
            || !long.TryParse(id.AsSpan(3), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
        {
            return false;
        }
        return OneWireThermometerDevice.IsCompatible((DeviceFamily)family);
    }

    /// <summary>The thermometers present on the bus, sorted by id.</summary>
    public IReadOnlyList<string> EnumerateThermometers()
    {
        if (!Directory.Exists(DevicesRoot))
        {
            return [];
        }
        return Directory.EnumerateDirectories(DevicesRoot)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(IsThermometerId)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public async ValueTask<W1Temperature> ReadAsync(string deviceId, CancellationToken cancellationToken)
    {
        var text = await ReadSlaveFileAsync(deviceId, cancellationToken).ConfigureAwait(false);
        return text is null ? new W1Temperature(W1Status.Unplugged, double.NaN) : Parse(text);
    }

    /// <summary>The w1_slave text, or null when the device is not there. On a Pi this read takes about 750 ms (the conversion).</summary>
    protected virtual async ValueTask<string?> ReadSlaveFileAsync(string deviceId, CancellationToken cancellationToken)
    {
        var path = Path.Combine(DevicesRoot, deviceId, "w1_slave");
        try
        {
            return await File.ReadAllTextAsync(path, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
        catch (IOException)
        {
            // ENODEV / ENXIO while the kernel removes a slave that stopped answering.
            return null;
        }
    }

    /// <summary>Parses the two lines of w1_therm:
    /// <c>72 01 4b 46 7f ff 0e 10 57 : crc=57 YES</c> and <c>72 01 4b 46 7f ff 0e 10 57 t=23125</c>.</summary>
    public static W1Temperature Parse(ReadOnlySpan<char> text)
    {
        var firstEnd = text.IndexOf('\n');
        if (firstEnd < 0)
        {
            return new W1Temperature(W1Status.BadFormat, double.NaN);
        }
        var first = text[..firstEnd].TrimEnd();
        var second = text[(firstEnd + 1)..].Trim();
        if (first.IndexOf("crc=", StringComparison.Ordinal) < 0)
        {
            return new W1Temperature(W1Status.BadFormat, double.NaN);
        }
        if (!first.EndsWith("YES", StringComparison.Ordinal))
        {
            return new W1Temperature(W1Status.CrcError, double.NaN);
        }
        var t = second.LastIndexOf("t=", StringComparison.Ordinal);
        if (t < 0 || !int.TryParse(second[(t + 2)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var milli))
        {
            return new W1Temperature(W1Status.BadFormat, double.NaN);
        }
        return milli == 85_000
            ? new W1Temperature(W1Status.PowerOnReset, 85.0)
            : new W1Temperature(W1Status.Ok, milli / 1000.0);
    }
}
