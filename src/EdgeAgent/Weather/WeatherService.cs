using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Weather;

/// <summary>The weather stage: refreshes the configured source (Open-Meteo, MQTT push, clear sky, or the demo's clouds) at start and every
/// RefreshMinutes, accepts forecasts pushed on the input topic at any time, and falls back to clear sky (logged once per failure)
/// when a source is unreachable or malformed. Each update wakes the forecaster.</summary>
public sealed class WeatherService : BackgroundService
{
    public const string SimulatedSource = "simulated";

    private readonly WeatherOptions _options;
    private readonly WeatherState _state;
    private readonly WeatherInbox _inbox;
    private readonly SiteContext _site;
    private readonly StageChannels _channels;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger<WeatherService> _logger;
    private readonly StochasticCloudGenerator _clouds;

    public WeatherService(IOptions<WeatherOptions> options, WeatherState state, WeatherInbox inbox, SiteContext site, StageChannels channels,
        TimeProvider time, HttpClient http, ILogger<WeatherService> logger)
    {
        _options = options.Value;
        _state = state;
        _inbox = inbox;
        _site = site;
        _channels = channels;
        _time = time;
        _http = http;
        _logger = logger;
        _clouds = new StochasticCloudGenerator(_options.CloudSeed);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
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
                    var client = new OpenMeteoClient(_http, _options.BaseUrl);
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
                if (_state.Hourly is not { Source: WeatherSources.Mqtt } pushed || !pushed.Covers(now, now + TimeSpan.FromHours(6)))
                {
                    FallBack(WeatherSources.Mqtt, "no pushed forecast covers the next 6 hours", now);
                }
                break;
            case "demo":
                _state.Set(Generate(now, TimeSpan.FromHours(1), 72, SimulatedSource), Generate(now, TimeSpan.FromMinutes(15), 8 * 4, SimulatedSource));
                break;
            default:
                _state.Set(Generate(now, TimeSpan.FromHours(1), 72, WeatherSources.ClearSky), null);
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
            _state.Set(Generate(now, TimeSpan.FromHours(1), 72, WeatherSources.ClearSky), null);
        }
    }

    /// <summary>Clear-sky (or, for the simulated source, cloudy) weather from the hour before <paramref name="nowUtc"/> on.</summary>
    public WeatherForecast Generate(DateTimeOffset nowUtc, TimeSpan step, int count, string source)
    {
        var start = new DateTimeOffset(nowUtc.UtcTicks - nowUtc.UtcTicks % step.Ticks, TimeSpan.Zero) - step;
        var points = new WeatherPoint[count + 1];
        for (var i = 0; i <= count; i++)
        {
            var t = start + step * i;
            points[i] = source == SimulatedSource
                ? WeatherState.CloudyWeather(_state.ClearSky, _clouds, t, step)
                : WeatherState.ClearSkyWeather(_state.ClearSky, t, step);
        }
        return new WeatherForecast(source, nowUtc, step, points);
    }
}
