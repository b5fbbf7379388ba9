using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>The anomaly stage: each 1-minute interval against the expected power; every opened or closed event goes to the outbox
/// (QoS 1, with its id) and the retained list of open events is updated. The degradation detector's daily performance ratios are
/// stored in the database and restored at start, so its year-long memory survives restarts; so are the events open when the agent
/// stopped (from the stored retained list).</summary>
public sealed class AnomalyService : BackgroundService
{
    private readonly StageChannels _channels;
    private readonly ExpectedPower _expected;
    private readonly AnomalyDetector _detector;
    private readonly PublishQueue _queue;
    private readonly Topics _topics;
    private readonly TimeProvider _time;
    private readonly ILogger<AnomalyService> _logger;
    private readonly OpenFaults _faults;
    private bool _failing;

    public AnomalyService(StageChannels channels, IPowerModel model, WeatherState weather, IOptions<AnomalyOptions> options, PublishQueue queue,
        Topics topics, TimeProvider time, ILogger<AnomalyService> logger, AgentDatabase database, OpenFaults faults)
    {
        _faults = faults;
        _channels = channels;
        _expected = new ExpectedPower(model, weather);
        _detector = new AnomalyDetector(options.Value, topics.Gateway, model.AcRatingW);
        _detector.Degradation.Restore(database.ReadPerformanceDays().Select(d => new DailyPerformance(d.DayUtc, d.PerformanceRatio, d.ExpectedKwh)));
        // the events open when the agent stopped go on under their ids: a restart neither empties the active list nor opens them anew
        if (database.ReadRetained().FirstOrDefault(kv => kv.Key == topics.AnomalyActive).Value is { } active)
        {
            _detector.Restore(AnomalyEvent.ParseActive(active));
        }
        _faults.Update(_detector.OpenEvents, _detector.JudgedMinutes);
        _detector.Degradation.DayAdded += d =>
        {
            try
            {
                database.WritePerformanceDay(d.DayUtc, d.PerformanceRatio, d.ExpectedKwh);
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                AgentLog.StorageFailed(logger, ex.Message);
            }
        };
        _queue = queue;
        _topics = topics;
        _time = time;
        _logger = logger;
    }

    public IEnumerable<AnomalyEvent> OpenEvents => _detector.OpenEvents;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _queue.PublishRetained(_topics.AnomalyActive, AnomalyEvent.ActivePayload(_topics.Gateway, _time.GetUtcNow(), _detector.OpenEvents));
        await foreach (var minute in _channels.ToAnomalies.Reader.ReadAllAsync(stoppingToken).ConfigureAwait(false))
        {
            List<AnomalyEvent> changes;
            try
            {
                changes = _detector.Process(_expected.For(minute));
                _failing = false;
            }
            catch (Exception ex) when (Models.ModelSlot.IsInferenceFailure(ex))
            {
                // the model failed with no model to fall back on: the minute goes unjudged, the stage carries on
                if (!_failing)
                {
                    _failing = true;
                    AgentLog.AnomalyCheckFailed(_logger, minute.StartUtc, $"{ex.GetType().Name}: {ex.Message}");
                }
                continue;
            }
            if (changes.Count == 0)
            {
                if (!_faults.Watched)
                {
                    _faults.Update(_detector.OpenEvents, _detector.JudgedMinutes);
                }
                continue;
            }
            var now = _time.GetUtcNow();
            foreach (var e in changes)
            {
                AgentLog.AnomalyChanged(_logger, e.Open ? "opened" : "closed", e.Type, e.Severity, e.StartUtc, e.ExpectedW, e.MeasuredW);
                _queue.PublishReliable(_topics.Anomaly, e.ToPayload(_topics.Gateway, now), "anomaly");
            }
            _queue.PublishRetained(_topics.AnomalyActive, AnomalyEvent.ActivePayload(_topics.Gateway, now, _detector.OpenEvents));
            _faults.Update(_detector.OpenEvents, _detector.JudgedMinutes);
        }
    }
}
