using System.Globalization;
using System.Text;
using System.Text.Json;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary>fleet → pretrain → finetune → evaluate on a tiny fleet, and the bad-input contract (exit 2, one line).</summary>
public sealed class ChainCommandsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("chain-cmd-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => ModelExportCli.Run(args);

    private string SiteFile()
    {
        var path = Path.Combine(_dir, "site.json");
        File.WriteAllText(path, """
            { "name": "t", "latitude": 40, "longitude": -105, "altitude_m": 1600,
              "planes": [ { "name": "p", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ],
              "inverter": { "ac_kw": 4 } }
            """);
        return path;
    }

    /// <summary>A clear-ish history: 15-min rows over <paramref name="days"/> days, AC from a crude bell curve.</summary>
    private string HistoryFile(int days, bool withAc = true, int swapAtRow = -1, double acScale = 1, double acCapW = double.PositiveInfinity)
    {
        var sb = new StringBuilder(withAc ? "time,ac_power_w,ghi_wm2,temp_air_c,wind_speed_ms\n" : "time,ghi_wm2,temp_air_c,wind_speed_ms\n");
        var start = new DateTimeOffset(2025, 6, 1, 0, 0, 0, TimeSpan.FromHours(-7));
        var rows = days * 96;
        for (var i = 0; i < rows; i++)
        {
            var k = i == swapAtRow ? i - 2 : i;
            var t = start.AddMinutes(15 * k);
            var h = t.Hour + t.Minute / 60.0;
            var ghi = Math.Max(0, 1000 * Math.Sin(Math.PI * (h - 6) / 14));
            sb.Append(t.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
            if (withAc)
            {
                sb.Append(CultureInfo.InvariantCulture, $",{Math.Min(ghi * 4, acCapW) * acScale:0.####}");
            }
            sb.Append(CultureInfo.InvariantCulture, $",{ghi:0.#},25,2\n");
        }
        var path = Path.Combine(_dir, $"history-{days}-{withAc}-{swapAtRow}-{acScale}-{acCapW}.csv");
        File.WriteAllText(path, sb.ToString());
        return path;
    }

    [Fact]
    public async Task Finetune_HistoryWithoutAcPower_ExitsTwoNamingTheColumn()
    {
        var (code, _, error) = await Run("finetune", "--base", _dir, "--history", HistoryFile(3, withAc: false), "--site", SiteFile(), "--out", Path.Combine(_dir, "b"));
        Assert.Equal(2, code);
        Assert.Contains("ac_power_w", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Finetune_TimeGoingBackwards_ExitsTwoNamingTheLine()
    {
        var (code, _, error) = await Run("finetune", "--base", _dir, "--history", HistoryFile(3, swapAtRow: 50), "--site", SiteFile(), "--out", Path.Combine(_dir, "b"));
        Assert.Equal(2, code);
        Assert.Contains("line 52", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Finetune_AcInKilowatts_ExitsTwoNamingTheColumnAndUnit()
    {
        var (code, _, error) = await Run("finetune", "--base", _dir, "--history", HistoryFile(3, acScale: 0.001), "--site", SiteFile(), "--out", Path.Combine(_dir, "b"));
        Assert.Equal(2, code);
        Assert.Contains("ac_power_w reaches only 4 W", error, StringComparison.Ordinal);
        Assert.Contains("is it in kW?", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public async Task Finetune_AcFlatUnderTheRating_TakesItAsTheLimitAndSaysSo()
    {
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await Run("fleet", "--sites", "2", "--seed", "5", "--days", "2", "--out", fleet)).Code);
        Assert.Equal(0, (await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2")).Code);
        var history = HistoryFile(4, acCapW: 2500);
        // written by hand, as installers do: a comment and a trailing comma
        var site = Path.Combine(_dir, "site-commented.json");
        File.WriteAllText(site, """
            { "name": "t", "latitude": 40, "longitude": -105, "altitude_m": 1600, // Golden
              "planes": [ { "name": "p", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ],
              "inverter": { "ac_kw": 4, }, }
            """);

        var capped = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", Path.Combine(_dir, "capped"), "--zero-shot");
        var kept = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", Path.Combine(_dir, "kept"), "--zero-shot", "--keep-ac-rating");

        Assert.True(capped.Code == 0, capped.Error);
        Assert.Contains("ac_power_w stays at 2500 W", capped.Out, StringComparison.Ordinal);
        Assert.Contains("under the site file's 4000 W", capped.Out, StringComparison.Ordinal);
        using (var written = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "capped", "site.json"))))
        {
            Assert.Equal(2.5, written.RootElement.GetProperty("inverter").GetProperty("ac_kw").GetDouble(), 3);
            Assert.Equal("t", written.RootElement.GetProperty("name").GetString());
        }
        Assert.True(kept.Code == 0, kept.Error);
        Assert.DoesNotContain("stays at", kept.Out, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(site), File.ReadAllText(Path.Combine(_dir, "kept", "site.json")));
    }

    [Fact]
    public async Task Finetune_OneDayOfDaylight_ExitsTwo()
    {
        var (code, _, error) = await Run("finetune", "--base", _dir, "--history", HistoryFile(1), "--site", SiteFile(), "--out", Path.Combine(_dir, "b"));
        Assert.Equal(2, code);
        Assert.Contains("at least 2", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FleetPretrainFinetuneEvaluate_TinyFleet_WritesBundleAndEvaluationJson()
    {
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        var bundle = Path.Combine(_dir, "bundle");
        Assert.Equal(0, (await Run("fleet", "--sites", "3", "--seed", "5", "--days", "4", "--out", fleet)).Code);
        var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(fleet, "manifest.json")));
        Assert.Equal(3, manifest.RootElement.GetProperty("Sites").GetArrayLength());
        var pre = await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2");
        Assert.True(pre.Code == 0, pre.Error);
        var history = Path.Combine(fleet, "history", "site_0001.csv");
        var site = Path.Combine(fleet, "sites", "site_0001.json");
        var ft = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", bundle, "--epochs", "6");
        Assert.True(ft.Code == 0, ft.Error);
        var ev = await Run("evaluate", "--bundle", bundle, "--history", history, "--fleet", fleet, "--fleet-site", "1");
        Assert.True(ev.Code == 0, ev.Error);
        using var report = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "report", "evaluation.json")));
        var root = report.RootElement;
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.True(root.GetProperty("daylight_rows").GetInt32() > 0);
        Assert.True(root.GetProperty("model").GetProperty("nrmse_pct").GetDouble() > 0);
        Assert.True(root.GetProperty("baselines").GetProperty("pvwatts_nameplate").GetProperty("rmse_w").GetDouble() > 0);
        Assert.True(File.Exists(Path.Combine(bundle, "report", "shading_field.png")));
        // the same history cut down to what a satellite gives (GHI alone, no DNI, DHI, temperature or wind): every figure a number
        var lines = File.ReadAllLines(history);
        var header = lines[0].Split(',');
        int[] keep = [Array.IndexOf(header, "time"), Array.IndexOf(header, "ac_power_w"), Array.IndexOf(header, "ghi_wm2")];
        var ghiOnly = Path.Combine(_dir, "ghi-only.csv");
        File.WriteAllLines(ghiOnly, lines.Select(l => string.Join(',', keep.Select(k => l.Split(',')[k]))));
        var evGhi = await Run("evaluate", "--bundle", bundle, "--history", ghiOnly, "--out", Path.Combine(_dir, "ghi-only.json"));
        Assert.True(evGhi.Code == 0, evGhi.Error);
        using var ghiReport = JsonDocument.Parse(File.ReadAllText(Path.Combine(_dir, "ghi-only.json")));
        Assert.InRange(ghiReport.RootElement.GetProperty("baselines").GetProperty("pvwatts_nameplate").GetProperty("rmse_w").GetDouble(), 1e-3, 1e6);
        Assert.InRange(ghiReport.RootElement.GetProperty("model").GetProperty("nrmse_pct").GetDouble(), 1e-6, 1e3);
        Assert.DoesNotContain("NaN", evGhi.Out, StringComparison.Ordinal);
        // the foundation travels with the site model (the gateway fine-tunes from it again): its networks, the fleet-mean site row
        var (foundation, _) = ChainBundle.Load(model);
        var carried = ChainBundle.LoadFoundation(bundle)!;
        Assert.Equal(1, carried.Sites.Sites);
        Assert.Equal(foundation.Nets.Parameters.SelectMany(t => t.Data), carried.Nets.Parameters.SelectMany(t => t.Data));
        Assert.Equal(foundation.Sites.Mean().Parameters.SelectMany(t => t.Data), carried.Sites.Parameters.SelectMany(t => t.Data));
        // stamps as the simulator wrote them: no timing warning; AC moved an hour late (a logger on the wrong offset): one line each
        Assert.DoesNotContain("warning:", ft.Error + ev.Error, StringComparison.Ordinal);
        var acColumn = Array.IndexOf(header, "ac_power_w");
        var late = Path.Combine(_dir, "ac-late.csv");
        File.WriteAllLines(late, lines.Select((l, i) =>
        {
            var cells = l.Split(',');
            cells[acColumn] = i == 0 ? cells[acColumn] : i <= 4 ? "" : lines[i - 4].Split(',')[acColumn];
            return string.Join(',', cells);
        }));
        var evLate = await Run("evaluate", "--bundle", bundle, "--history", late, "--out", Path.Combine(_dir, "late.json"));
        var ftLate = await Run("finetune", "--base", model, "--history", late, "--site", site, "--out", Path.Combine(_dir, "late-bundle"), "--zero-shot");
        foreach (var (code, _, error) in new[] { evLate, ftLate })
        {
            Assert.Equal(0, code);
            var warning = Assert.Single(error.Split('\n'), l => l.StartsWith("warning:", StringComparison.Ordinal));
            Assert.Contains("ac-late.csv: ac_power_w follows the sun as if its times were", warning, StringComparison.Ordinal);
            Assert.Contains("a wrong UTC offset or daylight saving time?", warning, StringComparison.Ordinal);
        }
    }
}
