using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Acquisition;

/// <summary>The bounded channels between the stages. Intervals fan out to the recorder (history + telemetry) and the anomaly detector;
/// when a stage is slow its oldest interval is dropped (and logged): acquisition never waits.</summary>
public sealed class StageChannels
{
    public const int Capacity = 2048;

    public Channel<IntervalRecord> ToRecorder { get; } = Create<IntervalRecord>();

    public Channel<IntervalRecord> ToAnomalies { get; } = Create<IntervalRecord>();

    /// <summary>Wakes the forecaster: new weather or a request (value is the reason).</summary>
    public Channel<string> ForecastRequests { get; } = Channel.CreateBounded<string>(new BoundedChannelOptions(4) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });

    private static Channel<T> Create<T>() => Channel.CreateBounded<T>(new BoundedChannelOptions(Capacity)
    {
        FullMode = BoundedChannelFullMode.DropOldest,
        SingleReader = true,
        SingleWriter = true,
    });
}

/// <summary>Polls every configured <see cref="IReadingSource"/> at its cadence and aggregates the readings to 1-minute and 15-minute
/// intervals. A value absent or stale for a whole interval is missing (null), never zero.</summary>
public sealed class AcquisitionService : BackgroundService
{
    private readonly IReadOnlyList<IReadingSource> _sources;
    private readonly StageChannels _channels;
    private readonly TimeProvider _time;
    private readonly ILogger<AcquisitionService> _logger;
    private readonly IntervalAggregator _minute;
    private readonly IntervalAggregator _quarter;
    private readonly LiveState _live;
    private readonly PipelineHealth _health;

    public AcquisitionService(IEnumerable<IReadingSource> sources, StageChannels channels, TimeProvider time, IOptions<AcquisitionOptions> options,
        LiveState live, ILogger<AcquisitionService> logger, PipelineHealth health)
    {
        _health = health;
        _sources = sources.ToList();
        _channels = channels;
        _time = time;
        _live = live;
        _logger = logger;
        var stale = TimeSpan.FromSeconds(options.Value.StaleAfterS);
        _minute = new IntervalAggregator(TimeSpan.FromMinutes(1), stale);
        _quarter = new IntervalAggregator(TimeSpan.FromMinutes(15), stale);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        AgentLog.AcquisitionSources(_logger, _sources.Count, string.Join(", ", _sources.Select(s => s.Name)));
        var tick = _sources.Count == 0 ? TimeSpan.FromSeconds(10) : _sources.Min(s => s.Cadence);
        if (tick < TimeSpan.FromMilliseconds(100))
        {
            tick = TimeSpan.FromMilliseconds(100);
        }
        if (_sources.Count > 0)
        {
            _health.Expect(PipelineStage.Acquisition);
        }
        var next = _sources.ToDictionary(s => s, _ => DateTimeOffset.MinValue);
        using var timer = new PeriodicTimer(tick, _time);
        do
        {
            var now = _time.GetUtcNow();
            Emit(_minute.Close(now));
            foreach (var source in _sources)
            {
                if (now < next[source])
                {
                    continue;
                }
                next[source] = now + source.Cadence - TimeSpan.FromMilliseconds(1);
                IReadOnlyList<Reading> readings;
                try
                {
                    readings = await source.ReadAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    AgentLog.SourceFailed(_logger, source.Name, ex.Message);
                    continue;
                }
                _health.Report(PipelineStage.Acquisition);
                var readAt = _time.GetUtcNow();
                foreach (var r in readings)
                {
                    _minute.Add(r, readAt);
                    _live.Update(r);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private void Emit(List<IntervalRecord> minutes)
    {
        foreach (var m in minutes)
        {
            Write(_channels.ToRecorder, m);
            Write(_channels.ToAnomalies, m);
            foreach (var q in _quarter.Close(m.StartUtc))
            {
                Write(_channels.ToRecorder, q);
            }
            _quarter.AddInterval(m);
            foreach (var q in _quarter.Close(m.EndUtc))
            {
                Write(_channels.ToRecorder, q);
            }
        }
    }

    private void Write(Channel<IntervalRecord> channel, IntervalRecord record)
    {
        if (channel.Reader.Count >= StageChannels.Capacity)
        {
            AgentLog.IntervalDropped(_logger);
        }
        channel.Writer.TryWrite(record);
    }
}
