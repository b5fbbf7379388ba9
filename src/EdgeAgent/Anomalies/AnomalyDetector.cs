using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>One interval as the detectors see it: the measured values, the expected AC power for it, and the clear-sky AC power
/// (which decides whether the sun is high enough to judge: dawn, dusk and night are suppressed). <paramref name="ReferenceW"/>: the
/// expected AC of the model as delivered when the one in use was re-tuned on the gateway (<see cref="Inference.IPowerModel.Delivered"/>),
/// which the performance trend is measured against (a model re-tuned every night follows slow losses); null: <paramref name="ExpectedW"/>.
/// <paramref name="AcLimitW"/>: the most AC the model gives (<see cref="Inference.IPowerModel.AcLimitW"/>: an export limit under the
/// rating), where the plant is held and says nothing of its performance.</summary>
public readonly record struct DetectorInput(IntervalRecord Measured, double ExpectedW, double ClearSkyW, double? ReferenceW = null,
    double AcLimitW = double.PositiveInfinity);

/// <summary>Runs every detector over a stream of intervals and debounces them, so one fault is one event:
/// a condition must hold for DebounceMinutes before the event opens (its start is the first interval that showed it) and be absent
/// as long before it closes. Suppressed intervals (sun too low) neither confirm nor clear a condition. The long-term
/// <see cref="DegradationTracker"/> runs on the same intervals, skipping days on which another fault was open or building up.</summary>
public sealed class AnomalyDetector
{
    /// <summary>SunSpec inverter operating states (model 101–103 "St") that mean a fault.</summary>
    private static readonly HashSet<int> FaultStates = [7];

    private readonly AnomalyOptions _options;
    private readonly string _gateway;
    private readonly double _acRatingW;
    private readonly Dictionary<string, Track> _tracks = new(StringComparer.Ordinal);
    private readonly DegradationTracker _degradation;

    /// <summary>Faults that make a day useless for the performance trend: the plant's own (<see cref="OpenFaults.Types"/>) and lost
    /// communication (clipping and sensor events do not).</summary>
    private static readonly string[] TrendBreakers = [.. OpenFaults.Types, AnomalyTypes.CommunicationLost];
    private double? _lastPoa;
    private double _poaSameMinutes;
    private double _poaRunClearSkyW;

    public AnomalyDetector(AnomalyOptions options, string gateway, double acRatingW)
    {
        _options = options;
        _gateway = gateway;
        _acRatingW = acRatingW;
        _degradation = new DegradationTracker(options, gateway, acRatingW);
    }

    /// <summary>Minutes of daylight judged so far (the sun high enough, dawn, dusk and night left out).</summary>
    public double JudgedMinutes { get; private set; }

    /// <summary>Takes up the events that were open when the agent stopped (its retained anomaly/active list): each goes on under its id
    /// and start, with its means and energy so far, and closes as any other once its condition has been absent for the debounce
    /// (then with the time it was first seen absent since the restart); one whose check does not run in the first
    /// <see cref="RestoredCheckMinutes"/> of daylight is closed then. The performance trend's event is rebuilt from its stored
    /// days instead (<see cref="DegradationTracker.Restore"/>).</summary>
    public void Restore(IEnumerable<AnomalyEvent> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        foreach (var e in open.Where(e => e.Open && e.Type != AnomalyTypes.Degradation))
        {
            var minutes = e.Evidence.TryGetValue("minutes", out var m) && m > 0 ? m : 1;
            _tracks[e.Type] = new Track
            {
                TrueRun = minutes,
                CandidateStart = e.StartUtc,
                PendingMinutes = minutes,
                PendingExpected = e.ExpectedW * minutes,
                PendingMeasured = e.MeasuredW * minutes,
                PendingLostKwh = e.EnergyLostKwh,
                Severity = e.Severity,
                Event = e,
                Restored = true,
            };
        }
    }

    /// <summary>Events currently open.</summary>
    public IEnumerable<AnomalyEvent> OpenEvents => _tracks.Values.Where(t => t.Event is { Open: true }).Select(t => t.Event!)
        .Concat(_degradation.Event is { } d ? [d] : []);

    /// <summary>The performance-trend detector (daily performance ratios and the current estimate).</summary>
    public DegradationTracker Degradation => _degradation;

    /// <summary>Feeds one interval; returns the events that opened or closed with it (in that order).</summary>
    public List<AnomalyEvent> Process(in DetectorInput input)
    {
        var changes = new List<AnomalyEvent>();
        var m = input.Measured;
        var judge = input.ClearSkyW >= _options.MinExpectedFraction * _acRatingW && input.ExpectedW >= _options.MinExpectedFraction * _acRatingW * 0.5;
        var ac = m.Get("ac_power_w");
        var state = m.Get("inverter_state");
        var anyData = m.Values.Values.Any(v => v is not null);
        JudgedMinutes += judge ? m.Step.TotalMinutes : 0;

        // communication: no value at all for the interval (judged only in daylight: inverters may sleep at night)
        Step(AnomalyTypes.CommunicationLost, input, judge ? !anyData : null, "major", changes, debounce: _options.CommunicationLostMinutes);

        var fault = state is { } s && FaultStates.Contains((int)Math.Round(s));
        Step(AnomalyTypes.InverterFault, input, judge && anyData ? fault : null, "critical", changes);

        bool? outage = judge && ac is { } a && !fault ? a < _options.OutageRatio * input.ExpectedW : null;
        Step(AnomalyTypes.Outage, input, outage, "critical", changes);

        bool? under = judge && ac is { } u && !fault && outage != true ? u < _options.UnderperformanceRatio * input.ExpectedW : null;
        Step(AnomalyTypes.Underperformance, input, under, ac is { } uu && uu < 0.5 * input.ExpectedW ? "major" : "minor", changes, debounce: _options.DebounceMinutes * 3);

        // held at its limit (the rating, or an export limit under it) while the weather would give at least as much: the model
        // stops at that limit too, so the expectation reaching it is what says the array could give more
        var limitW = Math.Min(_acRatingW, input.AcLimitW);
        bool? clipping = judge && ac is { } c ? c >= 0.98 * limitW && input.ExpectedW >= 0.98 * limitW : null;
        Step(AnomalyTypes.Clipping, input, clipping, "info", changes);

        var mppts = m.Values.Where(kv => kv.Key.StartsWith("dc_power_w__mppt", StringComparison.Ordinal) && kv.Value is not null).Select(kv => kv.Value!.Value).ToList();
        bool? imbalance = judge && mppts.Count >= 2 && mppts.Max() > 0.05 * _acRatingW / mppts.Count ? mppts.Min() < 0.5 * mppts.Max() : null;
        Step(AnomalyTypes.MpptImbalance, input, imbalance, "major", changes);

        var poa = m.Get("poa_wm2");
        var tmod = m.Get("temp_module_c");
        bool? outOfRange = poa is null && tmod is null ? null : poa is < -20 or > 1600 || tmod is < -40 or > 100;
        Step(AnomalyTypes.SensorOutOfRange, input, outOfRange, "minor", changes);

        if (poa is { } p)
        {
            if (_lastPoa is { } lp && Math.Abs(lp - p) < 1e-9)
            {
                _poaSameMinutes += m.Step.TotalMinutes;
            }
            else
            {
                _poaSameMinutes = 0;
                _poaRunClearSkyW = input.ClearSkyW;
            }
            _lastPoa = p;
        }
        // stuck: the same value for 30 minutes while the clear sky moved by 3 % of the rating (a clear noon is flat enough to hold
        // an integer W/m² register still for that long)
        bool? stuck = judge && poa is not null ? _poaSameMinutes >= 30 && Math.Abs(input.ClearSkyW - _poaRunClearSkyW) >= 0.03 * _acRatingW : null;
        Step(AnomalyTypes.SensorStuck, input, stuck, "minor", changes);

        var daylight = input.ClearSkyW >= _options.MinExpectedFraction * _acRatingW;
        var otherFault = fault || TrendBreakers.Any(t => _tracks.TryGetValue(t, out var tr) && (tr.Event is not null || tr.TrueRun > 0));
        _degradation.Process(input, daylight, otherFault, changes);
        CloseUnjudgedRestored(m.StartUtc, changes);
        return changes;
    }

    /// <summary>Daylight after which an event taken up at a restart whose check has not run once (its sensor or per-MPPT data gone
    /// since) is closed rather than left open for good.</summary>
    public const double RestoredCheckMinutes = 60;

    private void CloseUnjudgedRestored(DateTimeOffset nowUtc, List<AnomalyEvent> changes)
    {
        if (JudgedMinutes < RestoredCheckMinutes)
        {
            return;
        }
        foreach (var (type, t) in _tracks.Where(kv => kv.Value.Restored).ToList())
        {
            t.Restored = false;
            if (!t.JudgedSinceRestore && t.Event is not null)
            {
                changes.Add(Make(type, t, open: false, end: nowUtc));
                _tracks.Remove(type);
            }
        }
    }

    private void Step(string type, in DetectorInput input, bool? condition, string severity, List<AnomalyEvent> changes, int? debounce = null)
    {
        if (condition is null)
        {
            return; // suppressed or unknown: the state holds
        }
        if (!_tracks.TryGetValue(type, out var t))
        {
            t = new Track();
            _tracks[type] = t;
        }
        t.JudgedSinceRestore = true;
        var d = debounce ?? _options.DebounceMinutes;
        var m = input.Measured;
        var minutes = m.Step.TotalMinutes;
        var measured = m.Get("ac_power_w") ?? 0;
        if (condition.Value)
        {
            t.TrueRun += minutes;
            t.FalseRun = 0;
            t.CandidateStart ??= m.StartUtc;
            t.PendingExpected += input.ExpectedW * minutes;
            t.PendingMeasured += measured * minutes;
            t.PendingMinutes += minutes;
            t.PendingLostKwh += Math.Max(0, input.ExpectedW - measured) * m.Step.TotalHours / 1000;
            if (t.Event is null && t.TrueRun >= d)
            {
                t.Severity = severity;
                t.Event = Make(type, t, open: true, end: null);
                changes.Add(t.Event);
            }
            else if (t.Event is not null)
            {
                t.Event = Make(type, t, open: true, end: null);
            }
        }
        else
        {
            t.FalseRun += minutes;
            t.TrueRun = 0;
            if (t.Event is null)
            {
                t.Reset();
            }
            else if (t.FalseRun >= d)
            {
                var closed = Make(type, t, open: false, end: m.EndUtc - TimeSpan.FromMinutes(t.FalseRun));
                changes.Add(closed);
                t.Event = null;
                t.Reset();
            }
        }
    }

    private AnomalyEvent Make(string type, Track t, bool open, DateTimeOffset? end)
    {
        var start = t.CandidateStart!.Value;
        var mins = Math.Max(t.PendingMinutes, 1e-9);
        var expected = t.PendingExpected / mins;
        var measured = t.PendingMeasured / mins;
        var evidence = new Dictionary<string, double>(StringComparer.Ordinal)
        {
            ["minutes"] = t.PendingMinutes,
            ["ratio"] = expected > 0 ? measured / expected : 0,
            ["ac_rating_w"] = _acRatingW,
        };
        // an event keeps its id while it lasts (one taken up at a restart, the id it had)
        return new AnomalyEvent(t.Event?.Id ?? $"{_gateway}-{type}-{start.ToUnixTimeSeconds()}", type, t.Severity, open, start, end, expected, measured, t.PendingLostKwh, evidence);
    }

    private sealed class Track
    {
        public double TrueRun;
        public double FalseRun;
        public DateTimeOffset? CandidateStart;
        public double PendingExpected;
        public double PendingMeasured;
        public double PendingMinutes;
        public double PendingLostKwh;
        public string Severity = "minor";
        public AnomalyEvent? Event;
        public bool Restored;
        public bool JudgedSinceRestore;

        public void Reset()
        {
            TrueRun = 0;
            FalseRun = 0;
            CandidateStart = null;
            PendingExpected = PendingMeasured = PendingMinutes = PendingLostKwh = 0;
        }
    }
}
