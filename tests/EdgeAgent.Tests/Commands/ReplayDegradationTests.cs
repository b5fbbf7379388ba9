using System.Globalization;
using System.Text;
using System.Text.Json;
using PvEdge.EdgeAgent.Commands;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Tests.Commands;

/// <summary><c>edgeagent replay</c> over a 14-month history CSV of the demo site (hourly rows with weather columns) whose plant
/// loses 3 % a year: the degradation event comes out with the rate.</summary>
public sealed class ReplayDegradationTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-replay-deg-").FullName;

    /// <summary>The demo site's physics under clear sky on clear days and broken clouds on the others, the plant at (1 − loss·years) of it.</summary>
    private string WriteHistory(double lossPerYear, int days)
    {
        var models = DefaultSiteModels.ForSite(DefaultSiteModels.LoadSite(null));
        var start = new DateTimeOffset(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var step = TimeSpan.FromHours(1);
        var rng = new Random(5);
        var csv = new StringBuilder("time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms,ac_power_w\n");
        for (var d = 0; d < days; d++)
        {
            var clearDay = rng.NextDouble() < 0.55;
            var hourly = Enumerable.Range(0, 24).Select(_ => clearDay ? 1.0 : 0.25 + 0.6 * rng.NextDouble()).ToArray();
            for (var t = start.AddDays(d); t < start.AddDays(d + 1); t += step)
            {
                var cs = WeatherState.ClearSkyWeather(models.ClearSky, t, step);
                var k = hourly[t.Hour];
                var cosZ = cs.DniWm2 > 1 ? Math.Max(0, (cs.GhiWm2 - cs.DhiWm2) / cs.DniWm2) : 0;
                var dni = cs.DniWm2 * StochasticCloudGenerator.BeamFraction(k);
                var ghi = cs.GhiWm2 * k;
                var temp = 10 + 10 * Math.Sin(2 * Math.PI * (t.DayOfYear - 110) / 365.0) + 5 * k;
                var w = new WeatherPoint(t, ghi, dni, Math.Max(0, ghi - dni * cosZ), temp, 2);
                var years = (t - start).TotalDays / 365.25;
                var ac = models.Model.ExpectedAcW(w, step) * (1 - lossPerYear * years) * (1 + 0.02 * (rng.NextDouble() - 0.5));
                csv.Append(CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:ssZ},{ghi:0.##},{dni:0.##},{w.DhiWm2:0.##},{temp:0.##},2,{ac:0.#}\n");
            }
        }
        var path = Path.Combine(_dir, "history.csv");
        File.WriteAllText(path, csv.ToString());
        return path;
    }

    private static async Task<List<JsonElement>> ReplayAsync(string history)
    {
        var output = new StringWriter(CultureInfo.InvariantCulture);
        var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliHost.RunAsync("edgeagent", ["replay", "--history", history], [new ReplayCommand()], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        Assert.True(code == 0, error.ToString());
        return output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
    }

    [Fact]
    public async Task Replay_FourteenMonthsLosingThreePercentAYear_OneDegradationEventWithTheRate()
    {
        var events = await ReplayAsync(WriteHistory(0.03, 425));
        var e = Assert.Single(events, x => x.GetProperty("type").GetString() == "degradation");
        Assert.Equal("open", e.GetProperty("state").GetString());
        var evidence = e.GetProperty("evidence");
        output.WriteLine(e.ToString());
        Assert.InRange(evidence.GetProperty("rate_pct_per_year").GetDouble(), 2.0, 4.0);
        Assert.True(evidence.GetProperty("pr_now").GetDouble() < evidence.GetProperty("pr_baseline").GetDouble());
        Assert.True(e.GetProperty("energy_lost_kwh").GetDouble() > 0);
        Assert.DoesNotContain(events, x => x.GetProperty("type").GetString() is "outage" or "underperformance");
    }

    [Fact]
    public async Task Replay_FourteenMonthsSteady_NoDegradationEvent()
    {
        var events = await ReplayAsync(WriteHistory(0, 425));
        Assert.DoesNotContain(events, x => x.GetProperty("type").GetString() == "degradation");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
