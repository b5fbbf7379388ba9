namespace PvEdge.EdgeAgent.Acquisition;

/// <summary>Aggregated values of one interval: the mean of the good readings per quantity (the last value for counters and states).
/// A quantity with no good reading in the interval is null: missing, never zero.</summary>
public sealed record IntervalRecord(DateTimeOffset StartUtc, TimeSpan Step, IReadOnlyDictionary<string, double?> Values, int ReadingCount)
{
    public DateTimeOffset EndUtc => StartUtc + Step;

    public double? Get(string quantity) => Values.TryGetValue(quantity, out var v) ? v : null;
}

/// <summary>Folds readings into fixed intervals (aligned on UTC multiples of the step) and emits each interval once it is over.
/// Readings older than the staleness limit when they arrive count as missing. Not thread-safe: one acquisition loop owns it.</summary>
public sealed class IntervalAggregator
{
    private readonly TimeSpan _step;
    private readonly TimeSpan _staleAfter;
    private readonly double _minCoverage;
    private readonly Dictionary<string, Accumulator> _current = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _known = new(StringComparer.Ordinal);
    private DateTimeOffset? _bucketStart;
    private int _readings;

    /// <param name="step">Interval length (1 or 15 minutes).</param>
    /// <param name="staleAfter">Readings older than this when added are ignored.</param>
    /// <param name="minCoverage">For intervals built from sub-intervals (<see cref="AddInterval"/>), the share of the interval that must be covered for a value.</param>
    public IntervalAggregator(TimeSpan step, TimeSpan staleAfter, double minCoverage = 0.5)
    {
        _step = step;
        _staleAfter = staleAfter;
        _minCoverage = minCoverage;
    }

    public TimeSpan Step => _step;

    /// <summary>Quantities that hold the last value rather than the mean.</summary>
    public static bool IsLastValue(string quantity) =>
        quantity is "energy_total_kwh" or "inverter_state" || quantity.EndsWith("_kwh", StringComparison.Ordinal);

    public DateTimeOffset Align(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % _step.Ticks, TimeSpan.Zero);

    /// <summary>Adds one reading; returns false when it was stale or not good (it then does not count).</summary>
    public bool Add(Reading reading, DateTimeOffset nowUtc)
    {
        _known.Add(reading.Quantity);
        if (reading.Quality != ReadingQuality.Good || reading.Value is not { } v || !double.IsFinite(v) || nowUtc - reading.TimestampUtc > _staleAfter)
        {
            return false;
        }
        var bucket = Align(reading.TimestampUtc);
        _bucketStart ??= bucket;
        if (bucket < _bucketStart)
        {
            return false; // belongs to an interval already emitted
        }
        if (bucket > _bucketStart)
        {
            return false; // caller must Close first; a reading from the future of the open bucket is dropped
        }
        Accumulate(reading.Quantity, v, 1.0, fromSubIntervals: false);
        _readings++;
        return true;
    }

    /// <summary>Adds an already aggregated sub-interval (e.g. a 1-minute record into a 15-minute aggregator).</summary>
    public void AddInterval(IntervalRecord record)
    {
        var bucket = Align(record.StartUtc);
        _bucketStart ??= bucket;
        if (bucket != _bucketStart)
        {
            return;
        }
        var weight = record.Step / _step;
        foreach (var (q, value) in record.Values)
        {
            _known.Add(q);
            if (value is { } v)
            {
                Accumulate(q, v, weight, fromSubIntervals: true);
            }
        }
        _readings += record.ReadingCount;
    }

    private void Accumulate(string quantity, double value, double weight, bool fromSubIntervals)
    {
        if (!_current.TryGetValue(quantity, out var acc))
        {
            acc = new Accumulator();
            _current[quantity] = acc;
        }
        acc.Sum += value * weight;
        acc.Weight += weight;
        acc.Last = value;
        acc.FromSubIntervals = fromSubIntervals;
    }

    /// <summary>Emits every interval that ended at or before <paramref name="nowUtc"/>, including empty ones (all missing).</summary>
    public List<IntervalRecord> Close(DateTimeOffset nowUtc)
    {
        var result = new List<IntervalRecord>();
        var open = Align(nowUtc);
        _bucketStart ??= open;
        while (_bucketStart < open)
        {
            result.Add(Emit(_bucketStart.Value));
            _bucketStart = _bucketStart.Value + _step;
        }
        return result;
    }

    private IntervalRecord Emit(DateTimeOffset start)
    {
        var values = new Dictionary<string, double?>(StringComparer.Ordinal);
        foreach (var q in _known)
        {
            double? value = null;
            if (_current.TryGetValue(q, out var acc) && acc.Weight > 0 && (!acc.FromSubIntervals || acc.Weight >= _minCoverage - 1e-9))
            {
                value = IsLastValue(q) ? acc.Last : acc.Sum / acc.Weight;
            }
            values[q] = value;
        }
        var record = new IntervalRecord(start, _step, values, _readings);
        _current.Clear();
        _readings = 0;
        return record;
    }

    private sealed class Accumulator
    {
        public double Sum;
        public double Weight;
        public double Last;
        public bool FromSubIntervals;
    }
}
