namespace PvEdge.EdgeAgent.Acquisition.Sensors.Simulation;

/// <summary>A clock that only moves when told: the simulated GPIO driver stamps its edges with it, so pulse rates and
/// bounce timings are exact and no test sleeps. Timers (Task.Delay on this provider) still run in real time.</summary>
public sealed class SimulationClock : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now;

    public SimulationClock(DateTimeOffset startUtc)
    {
        _now = startUtc.ToUniversalTime();
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => GetUtcNow().UtcTicks;

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
        {
            _now += by;
        }
    }
}
