using System.Globalization;
using PvEdge.TestSupport;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary>finetune's checks of a history against its site file, on a history the physics core made from the Greensboro TMY3
/// (hourly, 1 May – 28 August) for a plane facing east.</summary>
public sealed class HistoryChecksTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("history-checks-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => ModelExportCli.Run(args);

    private string Site(string name, double azimuthDeg)
    {
        var path = Path.Combine(_dir, name + ".json");
        File.WriteAllText(path, string.Create(CultureInfo.InvariantCulture, $$"""
            { "name": "{{name}}", "latitude": 36.1, "longitude": -79.95, "altitude_m": 273,
              "planes": [ { "name": "p", "tilt_deg": 40, "azimuth_deg": {{azimuthDeg}}, "dc_kwp": 5 } ], "inverter": { "ac_kw": 4.5 } }
            """));
        return path;
    }

    [SkippableFact]
    public async Task Finetune_EastPlaneWrittenAsWest_NamesTheOrientationNotTheClock()
    {
        var weather = RepoPaths.Shared("data/weather/723170TYA.CSV");
        Skip.IfNot(File.Exists(weather), $"{weather} is missing (../shared/data/weather)");
        var east = Site("east", 100);
        var simulated = Path.Combine(_dir, "sim.csv");
        Assert.Equal(0, (await Run("simulate", "--site", east, "--weather", weather, "--out", simulated)).Code);
        // the simulate output's time is the hour's midpoint; the history's is its start
        var lines = File.ReadAllLines(simulated);
        var header = lines[0].Split(',');
        int time = Array.IndexOf(header, "time"), ghi = Array.IndexOf(header, "ghi_wm2"), temp = Array.IndexOf(header, "temp_air_c"), ac = Array.IndexOf(header, "ac_power_w");
        var history = Path.Combine(_dir, "history.csv");
        File.WriteAllLines(history, new[] { "time,ac_power_w,ghi_wm2,temp_air_c" }.Concat(lines.Skip(1 + (120 * 24)).Take(120 * 24).Select(l =>
        {
            var c = l.Split(',');
            var start = DateTimeOffset.Parse(c[time], CultureInfo.InvariantCulture).AddMinutes(-30);
            return $"{start.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)},{c[ac]},{c[ghi]},{c[temp]}";
        })));
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await Run("fleet", "--sites", "2", "--seed", "5", "--days", "2", "--out", fleet)).Code);
        Assert.Equal(0, (await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2")).Code);

        var right = await Run("finetune", "--base", model, "--history", history, "--site", east, "--out", Path.Combine(_dir, "right"), "--zero-shot");
        var mirrored = await Run("finetune", "--base", model, "--history", history, "--site", Site("west", 260), "--out", Path.Combine(_dir, "mirrored"), "--zero-shot");

        Assert.True(right.Code == 0, right.Error);
        Assert.DoesNotContain("warning:", right.Error, StringComparison.Ordinal);
        Assert.True(mirrored.Code == 0, mirrored.Error);
        var warning = Assert.Single(mirrored.Error.Split('\n'), l => l.StartsWith("warning:", StringComparison.Ordinal));
        Assert.Contains("ac_power_w's", warning, StringComparison.Ordinal);
        Assert.Contains("far better than the site file's tilt 40°, azimuth 260°", warning, StringComparison.Ordinal);
    }
}
