namespace PvEdge.EdgeAgent.Hosting;

/// <summary>A clock that starts at a chosen instant and runs <see cref="Speed"/> times faster than the one below it, timers included
/// (a 60 s period fires every second at speed 60). The demo's <c>--speed N</c>; every service that takes a TimeProvider follows it.</summary>
public sealed class ScaledTimeProvider : TimeProvider
{
    private readonly TimeProvider _inner;
    private readonly DateTimeOffset _startUtc;
    private readonly long _innerStart;

    public ScaledTimeProvider(TimeProvider inner, DateTimeOffset startUtc, double speed)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(speed);
        _inner = inner;
        _startUtc = startUtc;
        Speed = speed;
        _innerStart = inner.GetTimestamp();
    }

    public double Speed { get; }

    public override DateTimeOffset GetUtcNow() => _startUtc + _inner.GetElapsedTime(_innerStart) * Speed;

    public override TimeZoneInfo LocalTimeZone => _inner.LocalTimeZone;

    public override long TimestampFrequency => _inner.TimestampFrequency;

    public override long GetTimestamp() => _innerStart + (long)((_inner.GetTimestamp() - _innerStart) * Speed);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        new ScaledTimer(_inner.CreateTimer(callback, state, Scale(dueTime), Scale(period)), this);

    private TimeSpan Scale(TimeSpan t) => t == Timeout.InfiniteTimeSpan ? t : t / Speed;

    private sealed class ScaledTimer(ITimer inner, ScaledTimeProvider owner) : ITimer
    {
        public bool Change(TimeSpan dueTime, TimeSpan period) => inner.Change(owner.Scale(dueTime), owner.Scale(period));

        public void Dispose() => inner.Dispose();

        public ValueTask DisposeAsync() => inner.DisposeAsync();
    }
}
