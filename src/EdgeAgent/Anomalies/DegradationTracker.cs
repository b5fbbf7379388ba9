using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>One day's performance ratio (measured / expected AC energy over its clear-ish minutes).</summary>
public readonly record struct DailyPerformance(DateTimeOffset DayUtc, double PerformanceRatio, double ExpectedKwh);

/// <summary>The long-term trend detector (anomaly type <c>degradation</c>). Each day (a daylight period, from the first to the last
/// interval in which the clear sky is high enough to judge) it computes the performance ratio PR = measured / expected AC energy over
/// its clear-ish minutes (expected at least <see cref="ClearIshFraction"/> of clear sky, no clipping). A day counts only when at
/// least <see cref="MinClearIshShare"/> of its daylight was clear-ish, data were present, and no other fault (outage, inverter
/// fault, string loss, underperformance, lost communication) was open or building up: outages never look like degradation.
/// <para>The baseline is the median PR of the first <c>DegradationBaselineDays</c> of valid days. The loss rate in %/year is, once the
/// days span a year and a fortnight, the median year-over-year change of PR (each valid day against the valid day nearest to it a
/// year earlier: immune to seasons, as in RdTools); before that, and once the span reaches <c>DegradationMinDays</c>, the drop of
/// the median PR of the last <c>DegradationWindowDays</c> valid days from the baseline divided by the time between them, or the
/// Theil–Sen slope of all valid days if that is smaller (both medians: a few days of soiling or snow move neither). Below a year
/// a seasonal swing of PR that the power model does not explain can read as a trend, so the default minimum is a year.</para>
/// <para>One event opens when the rate stays above <c>DegradationThresholdPctPerYear</c> for <c>DegradationSustainDays</c> consecutive
/// days; it stays open (its evidence updated daily in the open events) and closes only when the rate falls below half the threshold
/// for as long. Evidence: pr_baseline, pr_now, rate_pct_per_year, days_valid, year_over_year (1 or 0); energy lost since the
/// baseline from the fitted decline.</para></summary>
public sealed class DegradationTracker
{
    /// <summary>A minute is clear-ish when its expected power is at least this share of clear-sky power.</summary>
    public const double ClearIshFraction = 0.8;

    /// <summary>Share of a day's daylight minutes that must be clear-ish for the day to count.</summary>
    public const double MinClearIshShare = 0.3;

    /// <summary>Share of a day's daylight minutes that may lack a measured AC power.</summary>
    private const double MaxMissingShare = 0.1;

    private const double DaysPerYear = 365.25;

    private readonly AnomalyOptions _options;
    private readonly string _gateway;
    private readonly double _acRatingW;
    private readonly List<DailyPerformance> _days = [];
    private Day? _day;
    private int _sustained;
    private int _recovered;
    private DateTimeOffset? _candidateStart;

    public DegradationTracker(AnomalyOptions options, string gateway, double acRatingW)
    {
        _options = options;
        _gateway = gateway;
        _acRatingW = acRatingW;
    }

    /// <summary>The valid days so far.</summary>
    public IReadOnlyList<DailyPerformance> Days => _days;

    /// <summary>The open degradation event, if any (its evidence as of the last day).</summary>
    public AnomalyEvent? Event { get; private set; }

    /// <summary>The last estimate: baseline PR, current PR, loss rate in %/year (positive = losing), year-over-year or not; null before enough days.</summary>
    public (double Baseline, double Now, double RatePctPerYear, bool YearOverYear)? Estimate { get; private set; }

    /// <summary>Raised with each new valid day (the agent stores it, so a restart does not forget the trend).</summary>
    public event Action<DailyPerformance>? DayAdded;

    /// <summary>Takes back days stored before a restart (older than any day seen so far) and replays the verdicts over them quietly:
    /// an event that was open before the restart is open again, with the same id.</summary>
    public void Restore(IEnumerable<DailyPerformance> days)
    {
        var quiet = new List<AnomalyEvent>();
        foreach (var d in days.OrderBy(d => d.DayUtc))
        {
            if (_days.Count > 0 && d.DayUtc <= _days[^1].DayUtc)
            {
                continue;
            }
            _days.Add(d);
            Evaluate(d.DayUtc, quiet);
        }
    }

    /// <param name="input">the interval</param>
    /// <param name="daylight">the clear sky is high enough to judge</param>
    /// <param name="otherFault">another fault is open or building up</param>
    /// <param name="changes">where an opened or closed event goes</param>
    public void Process(in DetectorInput input, bool daylight, bool otherFault, List<AnomalyEvent> changes)
    {
        var m = input.Measured;
        if (_day is { } open && (m.StartUtc - open.LastUtc > TimeSpan.FromHours(3) || (!daylight && open.Minutes > 0)))
        {
            CloseDay(open, changes);
            _day = null;
        }
        if (!daylight)
        {
            return;
        }
        var day = _day ??= new Day(m.StartUtc);
        var minutes = m.Step.TotalMinutes;
        day.LastUtc = m.StartUtc;
        day.Minutes += minutes;
        // against the model as delivered: one re-tuned every night would follow the losses this measures
        var expected = input.ReferenceW ?? input.ExpectedW;
        day.ExpectedAllKwh += expected * m.Step.TotalHours / 1000;
        day.Excluded |= otherFault;
        if (m.Get("ac_power_w") is not { } ac)
        {
            day.MissingMinutes += minutes;
            return;
        }
        // clipped at the rating, or held at an export limit: the plant could make more than it shows
        var ceiling = 0.95 * Math.Min(_acRatingW, input.AcLimitW);
        var clipping = expected >= ceiling || ac >= ceiling;
        if (input.ExpectedW >= ClearIshFraction * input.ClearSkyW && expected > 0 && !clipping)
        {
            day.ClearMinutes += minutes;
            day.ClearExpectedWh += expected * m.Step.TotalHours;
            day.ClearMeasuredWh += ac * m.Step.TotalHours;
        }
    }

    private void CloseDay(Day day, List<AnomalyEvent> changes)
    {
        if (day.Excluded || day.Minutes <= 0 || day.MissingMinutes > MaxMissingShare * day.Minutes
            || day.ClearMinutes < MinClearIshShare * day.Minutes || day.ClearExpectedWh <= 0)
        {
            return;
        }
        var performance = new DailyPerformance(day.StartUtc, day.ClearMeasuredWh / day.ClearExpectedWh, day.ExpectedAllKwh);
        _days.Add(performance);
        DayAdded?.Invoke(performance);
        Evaluate(day.StartUtc, changes);
    }

    private void Evaluate(DateTimeOffset nowUtc, List<AnomalyEvent> changes)
    {
        var estimate = Estimate = Compute();
        if (estimate is not { } e)
        {
            return;
        }
        var threshold = _options.DegradationThresholdPctPerYear;
        if (e.RatePctPerYear > threshold)
        {
            _candidateStart ??= nowUtc;
            _sustained++;
            _recovered = 0;
        }
        else
        {
            _sustained = 0;
            _candidateStart = Event is null ? null : _candidateStart;
            _recovered = e.RatePctPerYear < threshold / 2 ? _recovered + 1 : 0;
        }
        if (Event is null && _sustained >= _options.DegradationSustainDays)
        {
            Event = Make(e, open: true, end: null);
            changes.Add(Event);
        }
        else if (Event is not null && _recovered >= _options.DegradationSustainDays)
        {
            changes.Add(Make(e, open: false, end: nowUtc));
            Event = null;
            _candidateStart = null;
            _recovered = 0;
        }
        else if (Event is not null)
        {
            Event = Make(e, open: true, end: null);
        }
    }

    private (double Baseline, double Now, double RatePctPerYear, bool YearOverYear)? Compute()
    {
        if (_days.Count < 2)
        {
            return null;
        }
        var first = _days[0].DayUtc;
        var baselineDays = _days.Where(d => (d.DayUtc - first).TotalDays < _options.DegradationBaselineDays).ToList();
        var spanDays = (_days[^1].DayUtc - first).TotalDays;
        if (baselineDays.Count < 7 || spanDays < _options.DegradationMinDays)
        {
            return null;
        }
        var baseline = Median(baselineDays.Select(d => d.PerformanceRatio));
        var window = _days.Where(d => (_days[^1].DayUtc - d.DayUtc).TotalDays < _options.DegradationWindowDays).ToList();
        var now = Median(window.Select(d => d.PerformanceRatio));
        if (spanDays >= DaysPerYear + 14 && YearOverYear() is { } yoy)
        {
            return (baseline, now, yoy, true);
        }
        if (window.Count < 7)
        {
            return null;
        }
        var years = (Mean(window.Select(d => d.DayUtc.ToUnixTimeSeconds())) - Mean(baselineDays.Select(d => d.DayUtc.ToUnixTimeSeconds()))) / 86400 / DaysPerYear;
        if (years <= 0)
        {
            return null;
        }
        var rate = (baseline - now) / baseline / years * 100;
        var slope = -TheilSenPerYear() / baseline * 100;
        // both must show the loss: the smaller of the two (a step or a few bad days move one far more than the other)
        return (baseline, now, Math.Min(rate, slope), false);
    }

    /// <summary>Median year-over-year PR change in %/year (positive = losing), over valid days with a valid day within ±3 days a year earlier
    /// (null with fewer than 14 such pairs).</summary>
    private double? YearOverYear()
    {
        var changes = new List<double>();
        var j = 0;
        foreach (var d in _days)
        {
            var target = d.DayUtc.AddDays(-365);
            while (j < _days.Count - 1 && Math.Abs((_days[j + 1].DayUtc - target).TotalDays) <= Math.Abs((_days[j].DayUtc - target).TotalDays))
            {
                j++;
            }
            if (Math.Abs((_days[j].DayUtc - target).TotalDays) <= 3 && _days[j].PerformanceRatio > 0)
            {
                changes.Add((1 - d.PerformanceRatio / _days[j].PerformanceRatio) * 100 * DaysPerYear / 365);
            }
        }
        return changes.Count >= 14 ? Median(changes) : null;
    }

    /// <summary>Theil–Sen slope of PR in 1/year over the valid days (the last 730 at most).</summary>
    private double TheilSenPerYear()
    {
        var days = _days.Count > 730 ? _days.Skip(_days.Count - 730).ToList() : (IReadOnlyList<DailyPerformance>)_days;
        var slopes = new List<double>(days.Count * (days.Count - 1) / 2);
        for (var i = 0; i < days.Count; i++)
        {
            for (var k = i + 1; k < days.Count; k++)
            {
                var dt = (days[k].DayUtc - days[i].DayUtc).TotalDays / DaysPerYear;
                if (dt > 0)
                {
                    slopes.Add((days[k].PerformanceRatio - days[i].PerformanceRatio) / dt);
                }
            }
        }
        return slopes.Count == 0 ? 0 : Median(slopes);
    }

    private AnomalyEvent Make((double Baseline, double Now, double RatePctPerYear, bool YearOverYear) e, bool open, DateTimeOffset? end)
    {
        var first = _days[0].DayUtc;
        var baselineEnd = first.AddDays(_options.DegradationBaselineDays);
        // energy lost since the baseline: each day's expected energy times the fitted relative decline at that day
        var lostKwh = _days.Where(d => d.DayUtc >= baselineEnd)
            .Sum(d => d.ExpectedKwh * e.Baseline * Math.Max(0, e.RatePctPerYear / 100 * (d.DayUtc - first).TotalDays / DaysPerYear));
        var recent = _days.Where(d => (_days[^1].DayUtc - d.DayUtc).TotalDays < _options.DegradationWindowDays).ToList();
        var expectedW = recent.Count == 0 ? 0 : recent.Average(d => d.ExpectedKwh) * 1000 / 24;
        var evidence = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["pr_baseline"] = e.Baseline,
            ["pr_now"] = e.Now,
            ["rate_pct_per_year"] = e.RatePctPerYear,
            ["days_valid"] = _days.Count,
            ["year_over_year"] = e.YearOverYear ? 1 : 0,
            ["ac_rating_w"] = _acRatingW,
        };
        var start = _candidateStart ?? _days[^1].DayUtc;
        var severity = e.RatePctPerYear >= 2 * _options.DegradationThresholdPctPerYear ? "major" : "minor";
        return new AnomalyEvent($"{_gateway}-{AnomalyTypes.Degradation}-{start.ToUnixTimeSeconds()}", AnomalyTypes.Degradation, severity, open, start, end,
            expectedW, expectedW * e.Now / Math.Max(e.Baseline, 1e-9), lostKwh, evidence);
    }

    private static double Mean(IEnumerable<long> values) => values.Select(v => (double)v).Average();

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        var n = sorted.Count;
        return n == 0 ? double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private sealed class Day(DateTimeOffset startUtc)
    {
        public DateTimeOffset StartUtc { get; } = startUtc;
        public DateTimeOffset LastUtc;
        public double Minutes;
        public double MissingMinutes;
        public double ClearMinutes;
        public double ClearExpectedWh;
        public double ClearMeasuredWh;
        public double ExpectedAllKwh;
        public bool Excluded;
    }
}
