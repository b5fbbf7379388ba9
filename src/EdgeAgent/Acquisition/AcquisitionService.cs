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
    private readonly TimeSpan _staleAfter;
    private IntervalAggregator _minute;
    private IntervalAggregator _quarter;

    /// <summary>A wall-clock move this much larger or smaller than the monotonic clock's between two passes of the loop is a
    /// step of the system clock, not time passing: NTP setting a Raspberry Pi's clock after boot (it has no real-time clock and
    /// starts from the time it was shut down), or a manual correction.</summary>
    public static readonly TimeSpan ClockStepThreshold = TimeSpan.FromMinutes(2);
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
        _staleAfter = TimeSpan.FromSeconds(options.Value.StaleAfterS);
        NewAggregators();
    }

    /// <summary>Starts the 1-minute and 15-minute aggregation afresh (at start, and after a step of the system clock).</summary>
    [System.Diagnostics.CodeAnalysis.MemberNotNull(nameof(_minute), nameof(_quarter))]
    private void NewAggregators()
    {
        _minute = new IntervalAggregator(TimeSpan.FromMinutes(1), _staleAfter);
        _quarter = new IntervalAggregator(TimeSpan.FromMinutes(15), _staleAfter);
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
        var (lastWall, lastMono) = (_time.GetUtcNow(), _time.GetTimestamp());
        do
        {
            var now = _time.GetUtcNow();
            var mono = _time.GetTimestamp();
            var step = now - lastWall - _time.GetElapsedTime(lastMono, mono);
            (lastWall, lastMono) = (now, mono);
            if (step.Duration() > ClockStepThreshold)
            {
                // Without this, a step forward emits every interval in between at once (two days after a power cut: 2,880 empty
                // minutes flooding storage, telemetry and the anomaly detector), and a step back holds every interval and source
                // read until the clock catches up. The interval in progress was stamped by the old clock and is dropped.
                AgentLog.ClockStepped(_logger, step.TotalSeconds, now);
                NewAggregators();
                foreach (var source in _sources)
                {
                    next[source] = DateTimeOffset.MinValue;
                }
            }
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
