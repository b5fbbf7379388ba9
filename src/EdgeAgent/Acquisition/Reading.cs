namespace PvEdge.EdgeAgent.Acquisition;

/// <summary>How far a reading can be trusted.</summary>
public enum ReadingQuality
{
    /// <summary>Read now, plausible.</summary>
    Good,
    /// <summary>Could not be read (timeout, CRC error, unplugged, not implemented): the value is null.</summary>
    Missing,
    /// <summary>Read, but unchanged for too long or outside the physically possible range.</summary>
    Suspect,
}

/// <summary>One measured value as it crosses from a device into the pipeline.
/// <paramref name="Quantity"/> is the history column name of formats.md (ac_power_w, dc_power_w__mppt1, poa_wm2, temp_module_c, ...).
/// A missing value is null with a reason, never zero.</summary>
public sealed record Reading(
    string Quantity,
    double? Value,
    ReadingQuality Quality,
    DateTimeOffset TimestampUtc,
    string Source,
    string? Reason = null)
{
    public static Reading Good(string quantity, double value, DateTimeOffset timestampUtc, string source) =>
        new(quantity, value, ReadingQuality.Good, timestampUtc, source);

    public static Reading Missing(string quantity, DateTimeOffset timestampUtc, string source, string reason) =>
        new(quantity, null, ReadingQuality.Missing, timestampUtc, source, reason);
}

/// <summary>A device the agent polls (an inverter over Modbus, a sensor on the Pi's header).
/// Implementations never throw for device trouble: they return Missing readings with the reason.</summary>
public interface IReadingSource
{
    /// <summary>The configured name, e.g. "inverter" or "module-temp".</summary>
    string Name { get; }

    /// <summary>How often the source wants to be read.</summary>
    TimeSpan Cadence { get; }

    /// <summary>Where the device is reached, for the log lines an installer reads ("192.168.1.50:502 unit 1",
    /// "/dev/ttyUSB0 unit 3", "i2c-1 0x76"); null when the source has no address of its own.</summary>
    string? Endpoint => null;

    Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken);
}
