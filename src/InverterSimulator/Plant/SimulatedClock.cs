namespace PvEdge.InverterSimulator.Plant;

/// <summary>A clock that starts at <see cref="Start"/> and runs <see cref="Speed"/> times faster than the clock underneath
/// (real time in the simulator, a fake clock in tests). Timers and delays keep the underlying pace.</summary>
public sealed class SimulatedClock : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly long _origin;

    public SimulatedClock(DateTimeOffset startUtc, double speed, TimeProvider? inner = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(speed, 0, nameof(speed));
        _inner = inner ?? System;
        _origin = _inner.GetTimestamp();
        Start = startUtc.ToUniversalTime();
        Speed = speed;
    }

    public DateTimeOffset Start { get; }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow() => Start + _inner.GetElapsedTime(_origin) * Speed;

    public override long GetTimestamp() => _inner.GetTimestamp();

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _inner.CreateTimer(callback, state, dueTime, period);
}
