using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Tests.Forecasting;

public sealed class ForecastEngineTests
{
    private static ForecastEngine Engine(out WeatherState state)
    {
        state = new WeatherState(TestSite.Models.ClearSky);
        return new ForecastEngine(TestSite.Models.Model, state, TestSite.Models.Site.TimeZone);
    }

    [Fact]
    public void Hourly_ClearSky_48PointsOrderedBandsAndDarkNights()
    {
        var f = Engine(out _).Hourly(TestSite.JuneNoonUtc.AddMinutes(10), 48);
        Assert.Equal(48, f.Points.Count);
        Assert.Equal(TestSite.JuneNoonUtc, f.Points[0].StartUtc);
        Assert.Equal(WeatherSources.ClearSky, f.WeatherSource);
        Assert.All(f.Points, p => Assert.True(p.P10W <= p.P50W && p.P50W <= p.P90W && p.P90W <= TestSite.Models.Model.AcRatingW + 1e-9));
        Assert.True(f.Points[0].P50W > 2500, $"June noon clear sky on 5 kWp should exceed 2.5 kW, got {f.Points[0].P50W}");
        var night = f.Points.Single(p => p.StartUtc == new DateTimeOffset(2026, 6, 22, 6, 0, 0, TimeSpan.Zero)); // 02:00 local
        Assert.Equal(0, night.P50W);
        Assert.Equal(0, night.P90W);
        Assert.True(f.EnergyTomorrowKwh > 20 && f.EnergyTomorrowKwh < 45, $"tomorrow {f.EnergyTomorrowKwh} kWh");
    }

    [Fact]
    public void Hourly_CloudyPushedWeather_LowerThanClearSkyAndNamedMqtt()
    {
        var engine = Engine(out var state);
        var clear = engine.Hourly(TestSite.JuneNoonUtc, 6);
        var points = Enumerable.Range(-1, 10).Select(i => new WeatherPoint(TestSite.JuneNoonUtc.AddHours(i), 200, 0, 200, 20, 2)).ToList();
        state.Set(new WeatherForecast(WeatherSources.Mqtt, TestSite.JuneNoonUtc, TimeSpan.FromHours(1), points), null);
        var cloudy = engine.Hourly(TestSite.JuneNoonUtc, 6);
        Assert.Equal(WeatherSources.Mqtt, cloudy.WeatherSource);
        Assert.True(cloudy.Points[0].P50W < 0.5 * clear.Points[0].P50W);
    }

    [Fact]
    public void Intraday_MeasuredHalfOfExpected_BlendFadesWithLeadTime()
    {
        var engine = Engine(out _);
        var plain = engine.Intraday(TestSite.JuneNoonUtc, 6, null, 2);
        var blended = engine.Intraday(TestSite.JuneNoonUtc, 6, 0.5, 2);
        Assert.Equal(24, blended.Points.Count);
        Assert.Equal(TimeSpan.FromMinutes(15), blended.Points[0].EndUtc - blended.Points[0].StartUtc);
        var first = blended.Points[0].P50W / plain.Points[0].P50W;
        var fourth = blended.Points[12].P50W / plain.Points[12].P50W;
        Assert.InRange(first, 0.5, 0.6);
        Assert.True(fourth > first + 0.2, $"the blend should fade: {first} then {fourth}");
    }
}
