using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Protocol;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Demo;

/// <summary>The demo's outside weather service: its own MQTT client pushes <see cref="DemoWeather"/> (clear sky × stochastic clouds, 15-minute
/// points over 72 h) to the agent's input topic <c>&lt;prefix&gt;/&lt;gw&gt;/weather/forecast/set</c>, retained so a (re)connecting agent
/// gets the latest at once, at start and every <c>Weather:RefreshMinutes</c> of the plant clock. The agent receives it like any pushed
/// forecast (parser, validation) and names the source <c>mqtt</c> in its forecasts.</summary>
public sealed partial class DemoWeatherFeed : BackgroundService
{
    private readonly BrokerEndpoint _broker;
    private readonly Topics _topics;
    private readonly DemoWeather _weather;
    private readonly TimeSpan _refresh;
    private readonly TimeProvider _time;
    private readonly TimeProvider _wall;
    private readonly ILogger<DemoWeatherFeed> _logger;

    public DemoWeatherFeed(BrokerEndpoint broker, Topics topics, DemoWeather weather, TimeSpan refresh, TimeProvider time, WallClock wall,
        ILogger<DemoWeatherFeed> logger)
    {
        _broker = broker;
        _topics = topics;
        _weather = weather;
        _refresh = refresh;
        _time = time;
        _wall = wall.Time;
        _logger = logger;
    }

    /// <summary>Pushes made so far.</summary>
    public int Pushes { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithClientId($"demo-weather-{_topics.Gateway}")
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        using var timer = new PeriodicTimer(_refresh, _time);
        do
        {
            await PushAsync(client, options, stoppingToken).ConfigureAwait(false);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    /// <summary>Connects when needed (retrying each second of wall time: the broker may still be starting) and publishes one forecast.</summary>
    private async Task PushAsync(IMqttClient client, MqttClientOptions options, CancellationToken ct)
    {
        var warned = false;
        while (true)
        {
            try
            {
                if (!client.IsConnected)
                {
                    await client.ConnectAsync(options, ct).ConfigureAwait(false);
                }
                var now = _time.GetUtcNow();
                var points = _weather.Points(now);
                var message = new MqttApplicationMessageBuilder()
                    .WithTopic(_topics.WeatherSet)
                    .WithPayload(DemoWeather.PushPayload(points))
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithRetainFlag()
                    .Build();
                await client.PublishAsync(message, ct).ConfigureAwait(false);
                Pushes++;
                Pushed(_logger, points.Length, points[0].StartUtc, points[^1].StartUtc + DemoWeather.Step, _topics.WeatherSet);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not OutOfMemoryException)
            {
                if (!warned)
                {
                    PushFailed(_logger, _broker.Host, _broker.Port, ex.GetBaseException().Message);
                    warned = true;
                }
                await Task.Delay(TimeSpan.FromSeconds(1), _wall, ct).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(110, LogLevel.Debug, "demo weather service: pushed {Count} points ({From:u} to {To:u}) on {Topic}")]
    private static partial void Pushed(ILogger logger, int count, DateTimeOffset from, DateTimeOffset to, string topic);

    [LoggerMessage(111, LogLevel.Warning, "demo weather service: cannot push to the broker {Host}:{Port} ({Reason}); retrying")]
    private static partial void PushFailed(ILogger logger, string host, int port, string reason);
}
