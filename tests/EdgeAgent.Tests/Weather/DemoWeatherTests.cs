using System.Diagnostics;
using PvEdge.EdgeAgent.Commands;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Tests.Weather;

/// <summary>The demo's weather: reproducible for a seed in every process, and a valid message of the weather input topic.</summary>
public sealed class DemoWeatherTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 27, 15, 7, 0, TimeSpan.Zero);

    private static readonly string[] ForecastArgs = ["forecast", "--weather", "demo", "--from", "2026-11-27T15:00:00Z", "--json"];

    [Fact]
    public async Task ForecastCommand_DemoWeatherInAnotherProcess_SameForecast()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliHost.RunAsync("edgeagent", ForecastArgs, [new ForecastCommand()], new CliContext(output, error, TimeProvider.System), CancellationToken.None);
        Assert.Equal(0, code);

        var child = await RunEdgeAgentAsync(ForecastArgs);

        // the clouds of one seed are the same in every process (the plant, the weather feed, a rerun), not seeded per process
        Assert.Equal(output.ToString().Trim(), child.Trim());
        Assert.Contains("\"energy_tomorrow_kwh\"", child, StringComparison.Ordinal);
    }

    [Fact]
    public void PushPayload_ParsedAsAPushedForecast_SamePointsNamedMqtt()
    {
        var weather = new DemoWeather(TestSite.Models.ClearSky, 7);
        var points = weather.Points(Now);

        var parsed = PushedForecastParser.Parse(DemoWeather.PushText(points), Now);

        Assert.Equal(WeatherSources.Mqtt, parsed.Source);
        Assert.Equal(DemoWeather.Step, parsed.Step);
        Assert.Equal(points.Length, parsed.Points.Count);
        Assert.True(parsed.Covers(Now, Now + TimeSpan.FromHours(48)), "covers the 48 h hourly forecast");
        for (var i = 0; i < points.Length; i++)
        {
            Assert.Equal(points[i].StartUtc, parsed.Points[i].StartUtc);
            Assert.Equal(points[i].GhiWm2, parsed.Points[i].GhiWm2, 0.05);
            Assert.Equal(points[i].DhiWm2, parsed.Points[i].DhiWm2, 0.05);
        }
        Assert.Contains(points, p => p.GhiWm2 > 0);
    }

    [Fact]
    public void Points_DifferentSeeds_DifferentClouds()
    {
        var a = new DemoWeather(TestSite.Models.ClearSky, 7).Points(Now);
        var b = new DemoWeather(TestSite.Models.ClearSky, 8).Points(Now);
        Assert.NotEqual(a.Sum(p => p.GhiWm2), b.Sum(p => p.GhiWm2));
    }

    /// <summary>Runs the edgeagent build beside the tests as a child process and returns its standard output.</summary>
    private static async Task<string> RunEdgeAgentAsync(IEnumerable<string> args)
    {
        var dir = AppContext.BaseDirectory;
        var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h && File.Exists(h) ? h : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = dir,
        };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(Path.Combine(dir, "edgeagent.dll"));
        foreach (var a in args)
        {
            info.ArgumentList.Add(a);
        }
        foreach (var key in info.Environment.Keys.Where(k => k.StartsWith("EDGEAGENT__", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            info.Environment.Remove(key);
        }
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, await stderr);
        return await stdout;
    }
}
