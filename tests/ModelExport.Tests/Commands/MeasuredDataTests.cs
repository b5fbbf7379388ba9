using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.TestSupport;

namespace PvEdge.ModelExport.Tests.Commands;

/// <summary>The measured systems of ../shared/data/measured: import of their logger files, and fine-tuning and evaluation
/// through the POA-input path (their files have plane-of-array irradiance, no GHI). Site files are written here from the
/// systems' published metadata (location; kWp where published), never copied from ../shared.</summary>
public sealed class MeasuredDataTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("measured-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Measured(string file)
    {
        var path = RepoPaths.Shared(Path.Combine("data", "measured", file));
        Skip.IfNot(File.Exists(path), $"{path} is missing (../shared/data/measured)");
        return path;
    }

    private static Task<(int Code, string Out, string Error)> Run(params string[] args) => ModelExportCli.Run(args);

    // NREL SERF West, PVDAQ system 51, Golden CO (tilt and kWp are not in the file: 40°/south and 5.6 kWp assumed)
    private string SerfWestSite()
    {
        var path = Path.Combine(_dir, "serf-west.json");
        File.WriteAllText(path, """
            { "name": "serf-west", "latitude": 39.742, "longitude": -105.1727, "altitude_m": 1800,
              "planes": [ { "name": "array", "tilt_deg": 40, "azimuth_deg": 180, "dc_kwp": 5.6 } ],
              "inverter": { "ac_kw": 6.0 } }
            """);
        return path;
    }

    private async Task<string> ImportSerfWest()
    {
        var history = Path.Combine(_dir, "serf.csv");
        var r = await Run("import-history", "--csv", Measured("serf_west_15min.csv"), "--utc-offset", "-07:00", "--step-minutes", "15", "--out", history,
            "--map", "ac_power_w=ac_power__773;dc_power_w=dc_power__772;poa_wm2=poa_irradiance__771;temp_air_c=ambient_temp__780");
        Assert.True(r.Code == 0, r.Error);
        return history;
    }

    [SkippableFact]
    public async Task ImportHistory_SerfWest_FifteenMinuteRowsWithPoaAndNoGhi()
    {
        var history = History.Read(await ImportSerfWest());

        Assert.Equal(480, history.Rows);
        Assert.Equal(TimeSpan.FromMinutes(15), history.Step);
        Assert.Equal(new DateTimeOffset(2022, 1, 2, 0, 0, 0, TimeSpan.FromHours(-7)), history.Times[0]);
        Assert.Equal(5623.6, history.Column("ac_power_w")!.Max(), 1);
        Assert.True(ChainFeatureSpecification.PrefersPoaInput(history));
    }

    [SkippableFact]
    public async Task ImportHistory_SandiaToa5TwoFiles_JoinedSummedAndAveragedToFifteenMinutes()
    {
        var baseline = Measured("Baseline6kW_2015_11_11.dat");
        var met = Measured("MET_2015_11_11.dat");
        var output = Path.Combine(_dir, "sandia.csv");

        var r = await Run("import-history", "--csv", $"{baseline},{met}", "--header-line", "1", "--data-line", "4", "--time", "TIMESTAMP", "--time-is-end",
            "--utc-offset", "-07:00", "--step-minutes", "15", "--out", output,
            "--map", "ac_power_w=Sys1Wac_Avg+Sys2Wac_Avg;poa_wm2=POAIrrad1_Avg;ghi_wm2=Global_Wm2_Avg;temp_air_c=Temp_C_Avg");

        Assert.True(r.Code == 0, r.Error);
        var history = History.Read(output);
        // the 12:00–12:15 interval averages the 1-min rows stamped (end of minute) 12:01 … 12:15
        var lines = File.ReadAllLines(baseline);
        var header = lines[1].Split(',').Select(c => c.Trim('"')).ToList();
        int s1 = header.IndexOf("Sys1Wac_Avg"), s2 = header.IndexOf("Sys2Wac_Avg");
        var expected = lines.Skip(4).Select(l => l.Split(',')).Where(c =>
        {
            var t = DateTime.Parse(c[0].Trim('"'), CultureInfo.InvariantCulture);
            return t > new DateTime(2015, 11, 11, 12, 0, 0) && t <= new DateTime(2015, 11, 11, 12, 15, 0);
        }).Average(c => double.Parse(c[s1], CultureInfo.InvariantCulture) + double.Parse(c[s2], CultureInfo.InvariantCulture));
        var k = Array.IndexOf([.. history.Times], new DateTimeOffset(2015, 11, 11, 12, 0, 0, TimeSpan.FromHours(-7)));
        Assert.True(k >= 0);
        Assert.Equal(expected, history.Column("ac_power_w")![k], 0.01);
        Assert.InRange(history.Column("ghi_wm2")![k], 300, 1100);
    }

    [Fact]
    public async Task ImportHistory_MapToAnUnknownColumn_ExitsTwoNamingIt()
    {
        var csv = Path.Combine(_dir, "in.csv");
        File.WriteAllText(csv, "t,p\n2022-01-02 00:00,1\n2022-01-02 00:15,2\n");
        var (code, _, error) = await Run("import-history", "--csv", csv, "--map", "power=p", "--out", Path.Combine(_dir, "h.csv"));
        Assert.Equal(2, code);
        Assert.Contains("'power' is not a history column", error, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task FinetuneEvaluate_SerfWestByItsPoa_FineTunedBeatsZeroShot()
    {
        // fine-tuned on the whole file, scored on 3–5 January: snow covers the modules until 10:00 on the 2nd and all day on the 6th
        var history = await ImportSerfWest();
        var clean = Path.Combine(_dir, "serf-3-5.csv");
        File.WriteAllLines(clean, File.ReadAllLines(history).Where(l => !char.IsDigit(l[0]) || l[..10] is "2022-01-03" or "2022-01-04" or "2022-01-05"));
        var site = SerfWestSite();
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await Run("fleet", "--sites", "3", "--seed", "5", "--days", "4", "--out", fleet)).Code);
        Assert.Equal(0, (await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2")).Code);

        var zero = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", Path.Combine(_dir, "zero"), "--zero-shot");
        var tuned = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", Path.Combine(_dir, "tuned"), "--huber", "0.05", "--epochs", "40");
        Assert.True(zero.Code == 0, zero.Error);
        Assert.True(tuned.Code == 0, tuned.Error);
        Assert.Contains("N1 bypassed", tuned.Out, StringComparison.Ordinal);
        Assert.Contains("left out the afternoon of 2022-01-06: 0 %", tuned.Out, StringComparison.Ordinal);
        double Nrmse(string bundle)
        {
            var ev = Run("evaluate", "--bundle", bundle, "--history", clean).GetAwaiter().GetResult();
            Assert.True(ev.Code == 0, ev.Error);
            using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(bundle, "report", "evaluation.json")));
            return json.RootElement.GetProperty("model").GetProperty("nrmse_pct").GetDouble();
        }
        var zeroNrmse = Nrmse(Path.Combine(_dir, "zero"));
        var tunedNrmse = Nrmse(Path.Combine(_dir, "tuned"));
        Assert.True(tunedNrmse < zeroNrmse, $"fine-tuned {tunedNrmse:F2} % vs zero-shot {zeroNrmse:F2} %");
    }

    // NREL RSF II, PVDAQ system 1283, Golden CO, inverter 2 (tilt, kWp and AC rating assumed: 10°/south, 204 kWp, 170 kW)
    [SkippableFact]
    public async Task Finetune_RsfIiUnderSnow_LeavesOutTheSnowDaysAndNamesThem()
    {
        var history = Path.Combine(_dir, "rsf2.csv");
        var imported = await Run("import-history", "--csv", Measured("nrel_RSF_II.csv"), "--utc-offset", "-07:00", "--step-minutes", "15", "--out", history,
            "--map", "ac_power_w=inv2_ac_power_w__1047;dc_power_w=inv2_dc_power__1135;poa_wm2=poa_irradiance__1055;temp_air_c=ambient_temp__1053;wind_speed_ms=wind_speed__1051");
        Assert.True(imported.Code == 0, imported.Error);
        var site = Path.Combine(_dir, "rsf2.json");
        File.WriteAllText(site, """
            { "name": "rsf2-inv2", "latitude": 39.7406, "longitude": -105.1774, "altitude_m": 1800,
              "planes": [ { "name": "array", "tilt_deg": 10, "azimuth_deg": 180, "dc_kwp": 204.12 } ],
              "inverter": { "ac_kw": 170 } }
            """);
        var fleet = Path.Combine(_dir, "fleet");
        var model = Path.Combine(_dir, "model");
        Assert.Equal(0, (await Run("fleet", "--sites", "3", "--seed", "5", "--days", "4", "--out", fleet)).Code);
        Assert.Equal(0, (await Run("pretrain", "--data", fleet, "--out", model, "--epochs", "1", "--threads", "2")).Code);

        var tuned = await Run("finetune", "--base", model, "--history", history, "--site", site, "--out", Path.Combine(_dir, "tuned"), "--huber", "0.05", "--epochs", "40");

        Assert.True(tuned.Code == 0, tuned.Error);
        // 2–3 January: 56–58 % of the POA-normal output against 75–78 % on the 4th and 5th (partial snow); the 6th: no output at all
        var left = System.Text.RegularExpressions.Regex.Matches(tuned.Out, "^left out the (?:morning|afternoon) of (\\S+):", System.Text.RegularExpressions.RegexOptions.Multiline)
            .Select(m => m.Groups[1].Value).Distinct().ToArray();
        Assert.Equal(["2022-01-02", "2022-01-03", "2022-01-06"], left);
    }
}
