namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>The history columns (formats.md) that sensors produce.</summary>
public static class SensorQuantities
{
    public const string PoaWm2 = "poa_wm2";
    public const string TempModuleC = "temp_module_c";
    public const string TempAirC = "temp_air_c";
    public const string WindSpeedMs = "wind_speed_ms";
    public const string HumidityPct = "humidity_pct";
    public const string PressurePa = "pressure_pa";
    /// <summary>Meter register: <c>initial_kwh</c> plus the pulses counted since start.</summary>
    public const string MeterEnergyKwh = "meter_energy_kwh";
    public const string MeterPowerW = "meter_power_w";
}

/// <summary>A sensor on the Pi's header. Never throws for device trouble: a value that cannot be read is
/// <see cref="Reading.Missing"/> with the reason, an implausible one <see cref="ReadingQuality.Suspect"/>.</summary>
public abstract class SensorSource : IReadingSource, IDisposable
{
    private bool _disposed;

    protected SensorSource(SensorConfig config, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Time = time ?? throw new ArgumentNullException(nameof(time));
    }

    public string Name => Config.Name;

    public TimeSpan Cadence => Config.Cadence;

    public SensorKind Kind => Config.Kind;

    /// <summary>Where it is wired ("i2c-1 0x76").</summary>
    public string Wiring => Config.Wiring;

    /// <summary>The wiring, as the endpoint named in log lines.</summary>
    public string Endpoint => Wiring;

    /// <summary>The quantities every read returns, in order.</summary>
    public abstract IReadOnlyList<string> Quantities { get; }

    /// <summary>A one-line account of the last read for diagnostics (probe table), e.g. which 1-Wire probes answered.</summary>
    public string? LastDetail { get; protected set; }

    protected SensorConfig Config { get; }

    protected TimeProvider Time { get; }

    public abstract Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Runs a synchronous bus transaction with retries (I²C bindings are synchronous).</summary>
    protected Task<(T? Value, string? Failure)> WithRetriesAsync<T>(Func<Attempt<T>> attempt, CancellationToken cancellationToken) =>
        WithRetriesAsync(_ => ValueTask.FromResult(attempt()), cancellationToken);

    protected Reading Good(string quantity, double value, DateTimeOffset at, string? note = null) =>
        new(quantity, value, ReadingQuality.Good, at, Name, note);

    protected Reading Suspect(string quantity, double value, DateTimeOffset at, string reason) =>
        new(quantity, value, ReadingQuality.Suspect, at, Name, reason);

    protected Reading Missing(string quantity, DateTimeOffset at, string reason) =>
        Reading.Missing(quantity, at, Name, reason);

    /// <summary>Every quantity of this source missing for one reason.</summary>
    protected IReadOnlyList<Reading> AllMissing(DateTimeOffset at, string reason) =>
        Quantities.Select(q => Missing(q, at, reason)).ToList();

    /// <summary>Runs <paramref name="attempt"/> up to 1 + retries times, waiting the retry delay between tries.
    /// Returns the value, or the reason of the last failure with the number of attempts.</summary>
    protected async Task<(T? Value, string? Failure)> WithRetriesAsync<T>(Func<CancellationToken, ValueTask<Attempt<T>>> attempt, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var tries = Config.Retries + 1;
        string? failure = null;
        for (var i = 0; i < tries; i++)
        {
            if (i > 0 && Config.RetryDelay > TimeSpan.Zero)
            {
                await Task.Delay(Config.RetryDelay, Time, cancellationToken).ConfigureAwait(false);
            }
            var result = await attempt(cancellationToken).ConfigureAwait(false);
            if (result.Failure is null)
            {
                return (result.Value, null);
            }
            failure = result.Failure;
            if (!result.Transient)
            {
                return (default, failure);
            }
        }
        return (default, tries > 1 ? $"{failure} ({tries} attempts)" : failure);
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing)
    {
    }
}

/// <summary>The outcome of one try at a device: a value, or a failure that a retry may ( <see cref="Transient"/>) or may not cure.</summary>
public readonly record struct Attempt<T>(T? Value, string? Failure, bool Transient)
{
    public static Attempt<T> Ok(T value) => new(value, null, false);

    public static Attempt<T> Retry(string reason) => new(default, reason, true);

    public static Attempt<T> Fail(string reason) => new(default, reason, false);
}
