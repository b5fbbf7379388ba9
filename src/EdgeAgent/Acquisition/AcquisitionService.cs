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
    private readonly Dictionary<IReadingSource, SourceAnswer> _answers = [];

    /// <summary>Whether a source's device answered at its last poll that said anything, when it last did (null: not since start),
    /// and since when (monotonic timestamp) it has been in that state.</summary>
    private readonly record struct SourceAnswer(bool Answering, DateTimeOffset? LastAnswerUtc, long SinceTimestamp);

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
                    // once, like a device that stops answering: a source that keeps failing must not write a line every poll
                    var known = _answers.TryGetValue(source, out var was);
                    if (!known || was.Answering)
                    {
                        AgentLog.SourceFailed(_logger, source.Name, ex.Message);
                        _answers[source] = new SourceAnswer(false, was.LastAnswerUtc, _time.GetTimestamp());
                    }
                    continue;
                }
                _health.Report(PipelineStage.Acquisition);
                var readAt = _time.GetUtcNow();
                TrackAnswer(source, readings, readAt);
                foreach (var r in readings)
                {
                    _minute.Add(r, readAt);
                    _live.Update(r);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>A device that stops answering (or has not answered since start) is logged once, naming the source, its endpoint
    /// and the reason its readings give; its return is logged once; nothing is logged per poll. A poll answers when at least one
    /// reading is not Missing; a poll that returns no readings says nothing either way.</summary>
    private void TrackAnswer(IReadingSource source, IReadOnlyList<Reading> readings, DateTimeOffset readAtUtc)
    {
        if (readings.Count == 0)
        {
            return;
        }
        var answering = readings.Any(r => r.Quality != ReadingQuality.Missing);
        var now = _time.GetTimestamp();
        var known = _answers.TryGetValue(source, out var was);
        var endpoint = source.Endpoint ?? "(no endpoint)";
        if (answering)
        {
            if (known && !was.Answering)
            {
                AgentLog.SourceAnswersAgain(_logger, source.Name, endpoint, _time.GetElapsedTime(was.SinceTimestamp, now).TotalSeconds);
            }
            _answers[source] = new SourceAnswer(true, readAtUtc, known && was.Answering ? was.SinceTimestamp : now);
            return;
        }
        if (known && !was.Answering)
        {
            return;
        }
        var reason = readings.Select(r => r.Reason).FirstOrDefault(r => !string.IsNullOrEmpty(r)) ?? "no values";
        var lastAnswer = was.LastAnswerUtc is { } last
            ? last.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture)
            : "none since start";
        AgentLog.SourceNotAnswering(_logger, source.Name, endpoint, reason, lastAnswer);
        _answers[source] = new SourceAnswer(false, was.LastAnswerUtc, now);
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
