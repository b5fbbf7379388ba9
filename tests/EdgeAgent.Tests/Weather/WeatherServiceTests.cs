using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Weather;

public sealed class WeatherServiceTests
{
    private static (WeatherService Service, WeatherState State, TestLogger<WeatherService> Log) Create(string source, string url, HttpMessageHandler? handler = null)
    {
        var state = new WeatherState(TestSite.Models.ClearSky);
        var log = new TestLogger<WeatherService>();
        var time = new FakeTimeProvider(TestSite.JuneNoonUtc);
        var service = new WeatherService(Options.Create(new WeatherOptions { Source = source, BaseUrl = url, TimeoutS = 5 }), state, new WeatherInbox(),
            TestSite.Models.Site, new StageChannels(), time, log, handler is null ? null : new HttpClient(handler));
        return (service, state, log);
    }

    [Fact]
    public async Task Refresh_UnreachableUrl_LogLineAndClearSkyFallback()
    {
        var (service, state, log) = Create(WeatherSources.OpenMeteo, $"http://127.0.0.1:{ExternalTools.FreeTcpPort()}/v1/forecast");
        await service.RefreshAsync(CancellationToken.None);
        Assert.Equal(WeatherSources.ClearSky, state.Hourly!.Source);
        Assert.Contains(log.Lines, l => l.EventId == 501 && l.Message.Contains("open-meteo", StringComparison.Ordinal) && l.Message.Contains("clear sky", StringComparison.Ordinal));
        Assert.True(state.Hourly.Covers(TestSite.JuneNoonUtc, TestSite.JuneNoonUtc.AddHours(48)));
    }

    [Fact]
    public async Task Refresh_OpenMeteoAnswers_ForecastNamedOpenMeteo()
    {
        var times = Enumerable.Range(0, 72).Select(i => TestSite.JuneNoonUtc.AddHours(i).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        static string Column(string value) => string.Join(',', Enumerable.Repeat(value, 72));
        var body = "{ \"hourly\": { \"time\": [" + string.Join(',', times.Select(t => $"\"{t}\"")) + "], "
            + $"\"shortwave_radiation\": [{Column("300")}], \"direct_normal_irradiance\": [{Column("100")}], \"diffuse_radiation\": [{Column("200")}], "
            + $"\"temperature_2m\": [{Column("20")}], \"wind_speed_10m\": [{Column("2")}] }} }}";
        var (service, state, _) = Create(WeatherSources.OpenMeteo, "http://weather.invalid/v1/forecast", new StaticHandler(body));
        await service.RefreshAsync(CancellationToken.None);
        Assert.Equal(WeatherSources.OpenMeteo, state.Hourly!.Source);
        Assert.Equal(300, state.At(TestSite.JuneNoonUtc, TimeSpan.FromHours(1)).GhiWm2);
    }

    [Fact]
    public void Accept_MalformedMessage_LoggedAndIgnored()
    {
        var (service, state, log) = Create(WeatherSources.Mqtt, "http://127.0.0.1:1/");
        Assert.False(service.Accept("""{ "points": "soon" }"""));
        Assert.Null(state.Hourly);
        Assert.Contains(log.Lines, l => l.EventId == 502 && l.Message.Contains("points", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Execute_MqttForecastPushedJustAfterStart_UsedWithoutAClearSkyFallback()
    {
        var state = new WeatherState(TestSite.Models.ClearSky);
        var inbox = new WeatherInbox();
        var log = new TestLogger<WeatherService>();
        var time = new FakeTimeProvider(TestSite.JuneNoonUtc);
        using var service = new WeatherService(Options.Create(new WeatherOptions { Source = WeatherSources.Mqtt }), state, inbox, TestSite.Models.Site,
            new StageChannels(), time, log);
        await service.StartAsync(CancellationToken.None);
        try
        {
            await Task.Delay(300); // the broker connection is a moment away
            var pushed = new EdgeAgent.Demo.DemoWeather(TestSite.Models.ClearSky, 7).Points(TestSite.JuneNoonUtc);
            Assert.True(inbox.Messages.Writer.TryWrite(EdgeAgent.Demo.DemoWeather.PushText(pushed)));
            for (var i = 0; i < 100 && state.Hourly is null; i++)
            {
                await Task.Delay(50);
            }
            await Task.Delay(200);

            Assert.Equal(WeatherSources.Mqtt, state.Hourly?.Source);
            Assert.Equal(WeatherSources.Mqtt, state.SourceFor(TestSite.JuneNoonUtc));
            Assert.DoesNotContain(log.Lines, l => l.EventId == 501);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private sealed class StaticHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) });
    }
}
