namespace PvEdge.Modbus.Client;

/// <summary>Timeouts and retries of one <see cref="ModbusClient"/>. Plain options with defaults; <see cref="Validate"/> names a bad key.</summary>
public sealed class ModbusClientOptions
{
    /// <summary>How long one request waits for its reply.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long opening a connection may take.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Further attempts after a timeout, protocol or transport error (exception replies are not retried).</summary>
    public int Retries { get; set; } = 2;

    /// <summary>Delay before the first retry; doubles for each further retry up to <see cref="BackoffMax"/>.</summary>
    public TimeSpan BackoffInitial { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan BackoffMax { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the option when a value is unusable.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Timeout, TimeSpan.Zero, nameof(Timeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ConnectTimeout, TimeSpan.Zero, nameof(ConnectTimeout));
        ArgumentOutOfRangeException.ThrowIfNegative(Retries, nameof(Retries));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffInitial, TimeSpan.Zero, nameof(BackoffInitial));
        ArgumentOutOfRangeException.ThrowIfLessThan(BackoffMax, BackoffInitial, nameof(BackoffMax));
    }

    /// <summary>The delay before retry number <paramref name="retry"/> (0-based).</summary>
    public TimeSpan Backoff(int retry)
    {
        var ticks = BackoffInitial.Ticks * Math.Pow(2, Math.Min(retry, 30));
        return ticks >= BackoffMax.Ticks ? BackoffMax : TimeSpan.FromTicks((long)ticks);
    }
}
