using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>The weather stage: refreshes the configured source (Open-Meteo, MQTT push, clear sky) at start and every RefreshMinutes,
/// accepts forecasts pushed on the input topic at any time, and falls back to clear sky (logged once per failure) when a source is
/// unreachable or malformed. With the MQTT source it first gives a pushed (usually retained) forecast <see cref="FirstPushWait"/> to
/// arrive, so a gateway does not start on clear sky just because the broker connection is a second away. Each update wakes the forecaster.</summary>
public sealed class WeatherService : BackgroundService
{
    /// <summary>How long (wall time) the MQTT source waits at start for the first pushed forecast before falling back to clear sky.</summary>
    public static readonly TimeSpan FirstPushWait = TimeSpan.FromSeconds(5);

    private readonly WeatherOptions _options;
    private readonly WeatherState _state;
    private readonly WeatherInbox _inbox;
    private readonly SiteContext _site;
    private readonly StageChannels _channels;
    private readonly TimeProvider _time;
    private readonly bool _ownsHttp;
    private HttpClient? _http;
    private readonly ILogger<WeatherService> _logger;

    public WeatherService(IOptions<WeatherOptions> options, WeatherState state, WeatherInbox inbox, SiteContext site, StageChannels channels,
        TimeProvider time, ILogger<WeatherService> logger, HttpClient? http = null)
    {
        _options = options.Value;
        _state = state;
        _inbox = inbox;
        _site = site;
        _channels = channels;
        _time = time;
        _http = http; // null: created on the first Open-Meteo request, so a gateway on mqtt or clear sky never loads the HTTP stack
        _ownsHttp = http is null;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_options.Source == WeatherSources.Mqtt)
        {
            await AwaitFirstPushAsync(stoppingToken).ConfigureAwait(false);
        }
        await RefreshAsync(stoppingToken).ConfigureAwait(false);
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(_options.RefreshMinutes), _time);
        var tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
        while (!stoppingToken.IsCancellationRequested)
        {
            var message = _inbox.Messages.Reader.WaitToReadAsync(stoppingToken).AsTask();
            var done = await Task.WhenAny(tick, message).ConfigureAwait(false);
            if (done == tick)
            {
                if (!await tick.ConfigureAwait(false))
                {
                    return;
                }
                await RefreshAsync(stoppingToken).ConfigureAwait(false);
                tick = timer.WaitForNextTickAsync(stoppingToken).AsTask();
            }
            else
            {
                await message.ConfigureAwait(false);
                while (_inbox.Messages.Reader.TryRead(out var payload))
                {
                    Accept(payload);
                }
            }
        }
    }

    /// <summary>Accepts the first pushed forecast if one arrives within <see cref="FirstPushWait"/>.</summary>
    private async Task AwaitFirstPushAsync(CancellationToken stoppingToken)
    {
        using var first = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        first.CancelAfter(FirstPushWait);
        try
        {
            while (_state.Hourly is null && await _inbox.Messages.Reader.WaitToReadAsync(first.Token).ConfigureAwait(false))
            {
                while (_inbox.Messages.Reader.TryRead(out var payload))
                {
                    Accept(payload);
                }
            }
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            // nothing pushed yet: the refresh below falls back to clear sky and says so
        }
    }

    /// <summary>Validates a pushed forecast; a bad one is one log line and is ignored.</summary>
    public bool Accept(string payload)
    {
        try
        {
            var f = PushedForecastParser.Parse(payload, _time.GetUtcNow());
            _state.Set(f, f.Step < TimeSpan.FromHours(1) ? f : null);
            AgentLog.WeatherUpdated(_logger, f.Source, f.Points.Count, f.FromUtc, f.ToUtc);
            _channels.ForecastRequests.Writer.TryWrite("new weather (mqtt)");
            return true;
        }
        catch (InputException ex)
        {
            AgentLog.WeatherMessageRejected(_logger, "weather/forecast/set", ex.Message);
            return false;
        }
    }

    /// <summary>Fetches the configured source once; on failure keeps a previous forecast that still covers the next day, else clear sky.</summary>
    public async Task RefreshAsync(CancellationToken ct)
    {
        var now = _time.GetUtcNow();
        switch (_options.Source)
        {
            case WeatherSources.OpenMeteo:
                try
                {
                    using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                    timeout.CancelAfter(TimeSpan.FromSeconds(_options.TimeoutS));
                    var client = new OpenMeteoClient(_http ??= new HttpClient(), _options.BaseUrl);
                    var (hourly, quarter) = await client.FetchAsync(_site.Latitude, _site.Longitude, now, timeout.Token).ConfigureAwait(false);
                    _state.Set(hourly, quarter);
                    AgentLog.WeatherUpdated(_logger, hourly.Source, hourly.Points.Count + (quarter?.Points.Count ?? 0), hourly.FromUtc, hourly.ToUtc);
                }
                catch (Exception ex) when (ex is HttpRequestException or InputException or OperationCanceledException && !ct.IsCancellationRequested)
                {
                    var reason = ex is OperationCanceledException ? $"no answer within {_options.TimeoutS} s" : ex.Message;
                    FallBack(WeatherSources.OpenMeteo, reason, now);
                }
                break;
            case WeatherSources.Mqtt:
                if (_state.Hourly is { Source: WeatherSources.Mqtt } pushed && pushed.Covers(now, now + TimeSpan.FromHours(6)))
                {
                    return; // unchanged: the pushed forecast woke the forecaster when it arrived
                }
                FallBack(WeatherSources.Mqtt, "no pushed forecast covers the next 6 hours", now);
                break;
            default:
                _state.Set(ClearSky(now), null);
                break;
        }
        _channels.ForecastRequests.Writer.TryWrite("new weather");
    }

    private void FallBack(string source, string reason, DateTimeOffset now)
    {
        var previous = _state.Hourly;
        var keep = previous is not null && previous.Source != WeatherSources.ClearSky && previous.Covers(now, now + TimeSpan.FromHours(24));
        AgentLog.WeatherFallback(_logger, source, reason, keep ? $"the previous {previous!.Source} forecast" : "clear sky");
        if (!keep)
        {
            _state.Set(ClearSky(now), null);
        }
    }

    /// <summary>Clear-sky weather, hourly, from the hour before <paramref name="nowUtc"/> over 72 hours.</summary>
    public WeatherForecast ClearSky(DateTimeOffset nowUtc)
    {
        var step = TimeSpan.FromHours(1);
        var start = Forecasting.ForecastEngine.Floor(nowUtc, step) - step;
        var points = new WeatherPoint[73];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = WeatherState.ClearSkyWeather(_state.ClearSky, start + step * i, step);
        }
        return new WeatherForecast(WeatherSources.ClearSky, nowUtc, step, points);
    }

    public override void Dispose()
    {
        if (_ownsHttp)
        {
            _http?.Dispose();
        }
        base.Dispose();
    }
}
