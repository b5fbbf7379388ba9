using System.Device.Gpio;

namespace PvEdge.EdgeAgent.Acquisition.Sensors;

/// <summary>A sensor that is a pulse train on one GPIO pin. Counting starts in the constructor (pulses arrive between reads);
/// each read looks at the pulses since the previous read.</summary>
public abstract class PulseSource : SensorSource
{
    private readonly PulseCounter _counter;
    private string? _startFailure;

    /// <param name="controller">The GPIO controller of the header; with <paramref name="shouldDispose"/> false (the usual case,
    /// several sensors share one controller) it is left open.</param>
    protected PulseSource(SensorConfig config, GpioController controller, TimeProvider time, bool shouldDispose)
        : base(config, time)
    {
        var pin = config.Pin ?? throw new ArgumentException($"sensor '{config.Name}': a pin is required", nameof(config));
        _counter = new PulseCounter(controller, pin, config.Debounce, time, shouldDispose);
        Started = _counter.TryStart(out _startFailure);
        Previous = _counter.Snapshot();
    }

    /// <summary>True once the pin is open and watched.</summary>
    public bool Started { get; private set; }

    /// <summary>The counter at the previous read (at construction before the first read).</summary>
    protected PulseSnapshot Previous { get; private set; }

    /// <summary>Pulses accepted and edges rejected as bounce since start.</summary>
    public PulseSnapshot Counter => _counter.Snapshot();

    public sealed override Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
    {
        if (!Started)
        {
            Started = _counter.TryStart(out _startFailure);
            if (!Started)
            {
                LastDetail = _startFailure;
                return Task.FromResult(AllMissing(Time.GetUtcNow(), _startFailure ?? "GPIO not available"));
            }
            Previous = _counter.Snapshot();
        }
        var now = _counter.Snapshot();
        if (now.NowTicks - Previous.NowTicks < MinimumWindow.TotalSeconds * Time.TimestampFrequency)
        {
            // too soon after the last read to count a rate: the pulses stay for the next read's window, none is lost
            return Task.FromResult(AllMissing(Time.GetUtcNow(),
                $"read again {Seconds(now.NowTicks - Previous.NowTicks):0.###} s after the last read: the pulses are counted over the next window"));
        }
        var readings = Interpret(Previous, now, Time.GetUtcNow());
        LastDetail = $"{now.Count} pulses, {now.RejectedEdges} bounce edges ignored";
        Previous = now;
        return Task.FromResult(readings);
    }

    /// <summary>The shortest window between two reads that is counted; a read sooner is missing and its pulses go to the next window
    /// (none by default: a meter's energy and its pulse-to-pulse power need no window).</summary>
    protected virtual TimeSpan MinimumWindow => TimeSpan.Zero;

    /// <summary>Turns the pulses between two snapshots into readings.</summary>
    protected abstract IReadOnlyList<Reading> Interpret(PulseSnapshot previous, PulseSnapshot now, DateTimeOffset at);

    protected double Seconds(long ticks) => ticks / (double)Time.TimestampFrequency;

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _counter.Dispose();
        }
    }
}
