using System.Diagnostics;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Forecasting;

/// <summary>The latest forecasts, for the console.</summary>
public sealed class ForecastState
{
    public PowerForecast? Hourly { get; set; }

    public PowerForecast? Intraday { get; set; }

    /// <summary>Wall-clock milliseconds of the last computation.</summary>
    public double LastComputeMs { get; set; }

    /// <summary>Wall-clock time since the process started when the first forecast was handed to the publisher.</summary>
    public TimeSpan? FirstIssuedAfter { get; set; }
}

/// <summary>The forecasting stage: recomputes at start, every RecomputeMinutes and on new weather; publishes both forecasts retained.</summary>
public sealed class ForecastService : BackgroundService
{
    private readonly ForecastOptions _options;
    private readonly IPowerModel _model;
    private readonly WeatherState _weather;
    private readonly SiteContext _site;
    private readonly StageChannels _channels;
    private readonly PublishQueue _queue;
    private readonly Topics _topics;
    private readonly LiveState _live;
    private readonly AgentDatabase _database;
    private readonly ForecastState _state;
    private readonly TimeProvider _time;
    private readonly ILogger<ForecastService> _logger;

    public ForecastService(IOptions<ForecastOptions> options, IPowerModel model, WeatherState weather, SiteContext site, StageChannels channels,
        PublishQueue queue, Topics topics, LiveState live, AgentDatabase database, ForecastState state, TimeProvider time, ILogger<ForecastService> logger)
    {
        _options = options.Value;
        _model = model;
        _weather = weather;
        _site = site;
        _channels = channels;
        _queue = queue;
        _topics = topics;
        _live = live;
        _database = database;
        _state = state;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.RecomputeMinutes), _time);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        var reason = "start";
        // at start: wait briefly for the weather stage's first update so the first forecast uses it (a pushed forecast gets
        // WeatherService.FirstPushWait to arrive; the other sources answer at once or within their timeout)
        using (var first = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
        {
            first.CancelAfter(WeatherService.FirstPushWait + TimeSpan.FromSeconds(1));
            try
            {
                await _channels.ForecastRequests.Reader.WaitToReadAsync(first.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
            {
                // no weather yet: clear sky
            }
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            while (_channels.ForecastRequests.Reader.TryRead(out var r))
            {
                reason = reason == "start" ? reason : r;
            }
            Compute(reason);
            var request = _channels.ForecastRequests.Reader.WaitToReadAsync(stoppingToken).AsTask();
            var done = await Task.WhenAny(tick, request).ConfigureAwait(false);
            if (done == tick)
            {
                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
                reason = "hourly";
            }
            else
            {
                await request.ConfigureAwait(false);
                reason = "new weather";
            }
        }
    }

    /// <summary>Computes and publishes both forecasts once.</summary>
    public void Compute(string reason)
    {
        var sw = Stopwatch.StartNew();
        try
        {
            var now = _time.GetUtcNow();
            var engine = new ForecastEngine(_model, _weather, _site.TimeZone);
            var measuredToday = MeasuredTodayKwh(now);
            var hourly = engine.Hourly(now, _options.HourlyHorizonH, measuredToday);
            var intraday = engine.Intraday(now, _options.IntradayHorizonH, MeasuredRatio(engine, now), _options.BlendHours, measuredToday);
            sw.Stop();
            _queue.PublishRetained(_topics.ForecastHourly, hourly.ToPayload(_topics.Gateway, now));
            _queue.PublishRetained(_topics.ForecastIntraday, intraday.ToPayload(_topics.Gateway, now));
            _state.Hourly = hourly;
            _state.Intraday = intraday;
            _state.LastComputeMs = sw.Elapsed.TotalMilliseconds;
            _state.FirstIssuedAfter ??= ProcessClock.SinceStart;
            AgentLog.ForecastIssued(_logger, reason, hourly.ModelId, hourly.WeatherSource, hourly.EnergyTodayKwh, hourly.EnergyTomorrowKwh, sw.Elapsed.TotalMilliseconds);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or ArithmeticException or Microsoft.Data.Sqlite.SqliteException)
        {
            AgentLog.ForecastFailed(_logger, ex.Message);
        }
    }

    /// <summary>Measured / expected AC power over the last 30 minutes, when the sun is up enough to tell.</summary>
    private double? MeasuredRatio(ForecastEngine engine, DateTimeOffset now)
    {
        var minutes = _live.RecentMinutes(now, TimeSpan.FromMinutes(30));
        double measured = 0, expected = 0;
        var n = 0;
        foreach (var m in minutes)
        {
            if (m.Get("ac_power_w") is { } ac)
            {
                measured += ac;
                expected += engine.Expected(m.StartUtc, m.Step);
                n++;
            }
        }
        return n >= 10 && expected / n > 0.05 * _model.AcRatingW ? measured / expected : null;
    }

    private double MeasuredTodayKwh(DateTimeOffset now)
    {
        var localMidnight = TimeZoneInfo.ConvertTime(now, _site.TimeZone);
        var start = new DateTimeOffset(localMidnight.Date, localMidnight.Offset).ToUniversalTime();
        var values = _database.ReadHistory(start, ForecastEngine.Floor(now, TimeSpan.FromMinutes(1)), TimeSpan.FromMinutes(1));
        return values.Where(v => v.Quantity == "ac_power_w" && v.Value is not null).Sum(v => v.Value!.Value) / 60.0 / 1000.0;
    }
}
