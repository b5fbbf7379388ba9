using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Hosting;

/// <summary>The demo with no configuration: the shipped default bundle beside the program, and the demo's clouds pushed over MQTT.</summary>
public sealed class DemoDefaultsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-demo-").FullName;

    private AgentHostSettings Demo(string appFolder) => new()
    {
        Demo = true,
        AppFolder = appFolder,
        ConsoleLogging = false,
        ConsoleOut = TextWriter.Null,
        Overrides = new Dictionary<string, string?>
        {
            ["Gateway:Id"] = "demotest",
            ["Mqtt:Port"] = ExternalTools.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["Storage:Path"] = Path.Combine(_dir, "demo.db"),
            ["Acquisition:Simulator"] = "in-process",
        },
    };

    [Fact]
    public void Load_DemoBesideTheShippedBundle_SignedDefaultBundleOnFormulasWithEngineShadow()
    {
        var setup = AgentHost.Configure(Demo(AppContext.BaseDirectory));

        var models = DefaultSiteModels.Load(setup);

        var model = Assert.IsType<BundlePowerModel>(models.Model);
        using var _ = model;
        Assert.Null(models.Notes);
        Assert.Equal("formulas", model.Runner);
        Assert.Equal("engine", model.ShadowRunner);
        Assert.True(model.Bundle.Signed);
        var shipped = BundleLoader.Load(RepoPaths.InRepo("models/default"), BundleKeys.LoadPublic(RepoPaths.InRepo("models/default.pub")));
        Assert.Equal(shipped.ModelId, model.Id);
    }

    [Fact]
    public void Load_DemoWithoutTheBundle_PhysicsAndOneNoteNamingIt()
    {
        var setup = AgentHost.Configure(Demo(_dir));

        var models = DefaultSiteModels.Load(setup);

        Assert.IsType<PhysicsPowerModel>(models.Model);
        var note = Assert.Single(models.Notes!);
        Assert.Contains(AgentHost.DefaultBundlePath(_dir), note, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_Demo_ForecastFromTheFeedsCloudsNamedMqtt()
    {
        var settings = Demo(AppContext.BaseDirectory);
        var setup = AgentHost.Configure(settings);
        using var host = AgentHost.Build(settings, setup);
        await host.StartAsync();
        try
        {
            var state = host.Services.GetRequiredService<ForecastState>();
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (state.Hourly?.WeatherSource != WeatherSources.Mqtt && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
            var hourly = state.Hourly;
            Assert.NotNull(hourly);
            Assert.Equal(WeatherSources.Mqtt, hourly.WeatherSource);
            Assert.Equal(host.Services.GetRequiredService<IPowerModel>().Id, hourly.ModelId);

            // the forecast follows the feed's clouds: the same as a forecast on the demo weather computed here
            var models = host.Services.GetRequiredService<SiteModels>();
            var weather = new WeatherState(models.ClearSky);
            var demo = new EdgeAgent.Demo.DemoWeather(models.ClearSky, new WeatherOptions().CloudSeed).Forecast(hourly.IssuedUtc);
            weather.Set(demo, demo);
            var expected = new ForecastEngine(models.Model, weather, models.Site.TimeZone).Hourly(hourly.IssuedUtc, hourly.Points.Count);
            var clear = new ForecastEngine(models.Model, new WeatherState(models.ClearSky), models.Site.TimeZone).Hourly(hourly.IssuedUtc, hourly.Points.Count);
            Assert.Equal(expected.EnergyTomorrowKwh, hourly.EnergyTomorrowKwh, 0.05);
            Assert.NotEqual(clear.EnergyTomorrowKwh, hourly.EnergyTomorrowKwh, 0.05);

            var retained = host.Services.GetRequiredService<AgentDatabase>().ReadRetained().ToDictionary(kv => kv.Key, kv => kv.Value);
            var payload = JsonDocument.Parse(retained["pvedge/demotest/forecast/hourly"]).RootElement;
            Assert.Equal("mqtt", payload.GetProperty("weather_source").GetString());
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public void Dispose()
    {
        Directory.Delete(_dir, true);
    }
}
