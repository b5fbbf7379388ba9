using System.Text.Json;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary><c>modelexport study</c> on a tiny fleet: the moved test window, the information bound, and the bad-input contract.</summary>
public sealed class StudyCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("study-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => ModelExportCli.Run(args);

    // a 2-site fleet and a one-epoch foundation pretrained on it
    private async Task<(string Fleet, string Model)> FleetAndFoundation(int days)
    {
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await Run("fleet", "--sites", "2", "--seed", "4", "--days", days.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", fleet)).Code);
        var pre = await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2");
        Assert.True(pre.Code == 0, pre.Error);
        return (fleet, model);
    }

    [Fact]
    public async Task Study_TestWindowPastTheFleetsEnd_ExitsTwoNamingTheOption()
    {
        var (fleet, model) = await FleetAndFoundation(20);

        var (code, _, error) = await Run("study", "--base", model, "--data", fleet, "--test-start", "16", "--days", "14");

        Assert.Equal(2, code);
        Assert.Contains("--test-start", error, StringComparison.Ordinal);
        Assert.Contains("46", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Study_MovedTestWindow_ReportsTheModelAgainstTheInformationBound()
    {
        var (fleet, model) = await FleetAndFoundation(46);
        var output = Path.Combine(_dir, "study.json");

        var (code, text, error) = await Run("study", "--base", model, "--data", fleet, "--test-start", "16", "--days", "14", "--epochs", "6", "--bound", "4", "--out", output);

        Assert.True(code == 0, error);
        Assert.Contains("tested on days 16-46", text, StringComparison.Ordinal);
        Assert.Contains("information bound", text, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(output));
        Assert.Equal(16, json.RootElement.GetProperty("summary").GetProperty("TestStartDay").GetInt32());
        foreach (var site in json.RootElement.GetProperty("sites").EnumerateArray())
        {
            var bound = site.GetProperty("BoundRmseW").GetDouble();
            var floor = site.GetProperty("NoiseFloorRmseW").GetDouble();
            // the oracle predicts from the true physics, so it sits near the noise floor, far below a one-epoch foundation
            Assert.InRange(bound, 0.5 * floor, site.GetProperty("FineTunedRmseW").GetDouble());
        }
    }

    [Fact]
    public async Task Study_WeatherError_PvWattsWorseAndTheBoundOnExactWeather()
    {
        var (fleet, model) = await FleetAndFoundation(46);
        var exact = Path.Combine(_dir, "exact.json");
        var satellite = Path.Combine(_dir, "satellite.json");
        string[] common = ["study", "--base", model, "--data", fleet, "--test-start", "16", "--days", "14", "--epochs", "6", "--bound", "4"];

        var a = await Run([.. common, "--out", exact]);
        var b = await Run([.. common, "--weather-error", "0.15", "--out", satellite]);

        Assert.True(a.Code == 0, a.Error);
        Assert.True(b.Code == 0, b.Error);
        Assert.DoesNotContain("satellite", a.Out, StringComparison.Ordinal);
        Assert.Contains("weather as from a satellite", b.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("the true system on the same satellite weather", a.Out, StringComparison.Ordinal);
        Assert.Contains("the true system on the same satellite weather", b.Out, StringComparison.Ordinal);
        using var ja = JsonDocument.Parse(File.ReadAllText(exact));
        using var jb = JsonDocument.Parse(File.ReadAllText(satellite));
        Assert.Equal(0.15, jb.RootElement.GetProperty("summary").GetProperty("WeatherErrorSigma").GetDouble());
        var sitesA = ja.RootElement.GetProperty("sites").EnumerateArray().ToArray();
        var sitesB = jb.RootElement.GetProperty("sites").EnumerateArray().ToArray();
        Assert.Equal(sitesA.Length, sitesB.Length);
        foreach (var (x, y) in sitesA.Zip(sitesB))
        {
            // PVWatts is physics on the weather it is given: a 15 % GHI error shows in it; the oracle keeps the exact weather
            Assert.True(y.GetProperty("PvWattsRmseW").GetDouble() > 1.2 * x.GetProperty("PvWattsRmseW").GetDouble(),
                $"PVWatts RMSE {y.GetProperty("PvWattsRmseW").GetDouble():F1} W with the error vs {x.GetProperty("PvWattsRmseW").GetDouble():F1} W without");
            Assert.Equal(x.GetProperty("BoundRmseW").GetDouble(), y.GetProperty("BoundRmseW").GetDouble(), 9);
            // the true system on the satellite's weather: the weather error shows in it as in PVWatts
            Assert.True(y.GetProperty("WeatherReferenceRmseW").GetDouble() > 1.2 * y.GetProperty("BoundRmseW").GetDouble(),
                $"true system on the satellite weather {y.GetProperty("WeatherReferenceRmseW").GetDouble():F1} W vs on the exact weather {y.GetProperty("BoundRmseW").GetDouble():F1} W");
            Assert.Equal(x.GetProperty("NoiseFloorRmseW").GetDouble(), y.GetProperty("NoiseFloorRmseW").GetDouble(), 9);
        }
    }
}
