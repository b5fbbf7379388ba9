using System.Collections.Concurrent;

namespace PvEdge.EdgeAgent.Acquisition;

/// <summary>The latest reading of each quantity and the latest 1-minute intervals, for the console and the intraday blend.</summary>
public sealed class LiveState
{
    private readonly ConcurrentDictionary<string, Reading> _latest = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Queue<IntervalRecord> _recentMinutes = new();

    public void Update(Reading reading) => _latest[reading.Quantity] = reading;

    public IReadOnlyDictionary<string, Reading> Latest => _latest;

    public void AddMinute(IntervalRecord minute)
    {
        lock (_gate)
        {
            _recentMinutes.Enqueue(minute);
            while (_recentMinutes.Count > 120)
            {
                _recentMinutes.Dequeue();
            }
        }
    }

    /// <summary>The 1-minute intervals that ended within <paramref name="window"/> before <paramref name="nowUtc"/>.</summary>
    public List<IntervalRecord> RecentMinutes(DateTimeOffset nowUtc, TimeSpan window)
    {
        lock (_gate)
        {
            return _recentMinutes.Where(m => m.EndUtc > nowUtc - window && m.EndUtc <= nowUtc).ToList();
        }
    }
}
