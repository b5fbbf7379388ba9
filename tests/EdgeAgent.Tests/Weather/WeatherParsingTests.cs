using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Weather;

public sealed class WeatherParsingTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void PushedParse_ValidPoints_ForecastFromMqtt()
    {
        var f = PushedForecastParser.Parse("""
            { "points": [
              { "time": "2026-06-21T12:00:00Z", "ghi_wm2": 800, "dni_wm2": 700, "dhi_wm2": 100, "temp_air_c": 25, "wind_speed_ms": 2 },
              { "time": "2026-06-21T13:00:00+00:00", "ghi_wm2": 700, "dni_wm2": 600, "dhi_wm2": 120, "temp_air_c": 26, "wind_speed_ms": 3 } ] }
            """, Now);
        Assert.Equal(WeatherSources.Mqtt, f.Source);
        Assert.Equal(TimeSpan.FromHours(1), f.Step);
        Assert.Equal(700, f.At(Now.AddMinutes(90))!.Value.GhiWm2);
    }

    [Fact]
    public void PushedParse_GhiAlone_OthersMissingNotZero()
    {
        // most forecast providers give GHI (and temperature) only; null counts as missing too
        var f = PushedForecastParser.Parse("""
            { "points": [
              { "time": "2026-06-21T12:00:00Z", "ghi_wm2": 800 },
              { "time": "2026-06-21T13:00:00Z", "ghi_wm2": 700, "temp_air_c": 26, "dni_wm2": null } ] }
            """, Now);
        var p = f.At(Now.AddMinutes(90))!.Value;
        Assert.Equal(700, p.GhiWm2);
        Assert.Equal(26, p.TempAirC);
        Assert.True(double.IsNaN(p.DniWm2) && double.IsNaN(p.DhiWm2) && double.IsNaN(p.WindSpeedMs));
        Assert.True(double.IsNaN(f.At(Now.AddMinutes(30))!.Value.TempAirC));
    }

    [Theory]
    [InlineData("not json", "JSON")]
    [InlineData("""{ "points": [ { "time": "2026-06-21T12:00:00Z", "dni_wm2": 1 }, { "time": "2026-06-21T13:00:00Z", "ghi_wm2": 1 } ] }""", "points[0].ghi_wm2")]
    [InlineData("""{ "points": [ { "time": "2026-06-21T12:00:00Z", "ghi_wm2": 1, "wind_speed_ms": "calm" }, { "time": "2026-06-21T13:00:00Z", "ghi_wm2": 1 } ] }""", "points[0].wind_speed_ms")]
    [InlineData("""{ "pts": [] }""", "points")]
    [InlineData("""{ "points": [ { "time": "2026-06-21T12:00:00", "ghi_wm2": 1, "dni_wm2": 1, "dhi_wm2": 1, "temp_air_c": 1, "wind_speed_ms": 1 }, { "time": "2026-06-21T13:00:00Z", "ghi_wm2": 1, "dni_wm2": 1, "dhi_wm2": 1, "temp_air_c": 1, "wind_speed_ms": 1 } ] }""", "points[0].time")]
    [InlineData("""{ "points": [ { "time": "2026-06-21T12:00:00Z", "ghi_wm2": -5, "dni_wm2": 1, "dhi_wm2": 1, "temp_air_c": 1, "wind_speed_ms": 1 }, { "time": "2026-06-21T13:00:00Z", "ghi_wm2": 1, "dni_wm2": 1, "dhi_wm2": 1, "temp_air_c": 1, "wind_speed_ms": 1 } ] }""", "points[0].ghi_wm2")]
    [InlineData("""{ "points": [ { "time": "2026-06-21T12:00:00Z", "ghi_wm2": 1, "dni_wm2": 1, "dhi_wm2": 1, "temp_air_c": 1, "wind_speed_ms": 1 } ] }""", "at least two")]
    public void PushedParse_Malformed_OneLineNamingTheProblem(string payload, string expected)
    {
        var ex = Assert.Throws<InputException>(() => PushedForecastParser.Parse(payload, Now));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void OpenMeteoParse_HourlyAndQuarter_ValuesCoverPrecedingInterval()
    {
        var body = """
            { "hourly": { "time": ["2026-06-21T12:00", "2026-06-21T13:00", "2026-06-21T14:00"],
                "shortwave_radiation": [500, 600, null], "direct_normal_irradiance": [400, 500, 1], "diffuse_radiation": [100, 110, 1],
                "temperature_2m": [20, 21, 1], "wind_speed_10m": [3, 4, 1] },
              "minutely_15": { "time": ["2026-06-21T12:15", "2026-06-21T12:30"],
                "shortwave_radiation": [510, 520], "direct_normal_irradiance": [400, 410], "diffuse_radiation": [100, 100],
                "temperature_2m": [20, 20], "wind_speed_10m": [3, 3] } }
            """;
        var (hourly, quarter) = OpenMeteoClient.Parse(body, Now);
        Assert.Equal(WeatherSources.OpenMeteo, hourly.Source);
        Assert.Equal(2, hourly.Points.Count); // the point with a null is missing, not zero
        Assert.Equal(Now.AddHours(-1), hourly.Points[0].StartUtc);
        Assert.Equal(600, hourly.At(Now.AddMinutes(30))!.Value.GhiWm2);
        Assert.Equal(520, quarter!.At(Now.AddMinutes(20))!.Value.GhiWm2);
    }

    [Fact]
    public void OpenMeteoBuildUri_Variables_AllRequested()
    {
        var uri = new OpenMeteoClient(new HttpClient(), "http://127.0.0.1:1/v1/forecast").BuildUri(36.1, -79.95).ToString();
        foreach (var v in OpenMeteoClient.Variables)
        {
            Assert.Contains(v, uri, StringComparison.Ordinal);
        }
        Assert.Contains("latitude=36.1", uri, StringComparison.Ordinal);
        Assert.Contains("minutely_15=", uri, StringComparison.Ordinal);
    }
}
