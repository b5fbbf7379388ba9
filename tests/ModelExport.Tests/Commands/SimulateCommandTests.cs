using System.Globalization;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;

namespace PvEdge.ModelExport.Tests.Commands;

public sealed class SimulateCommandTests : IDisposable
{
    private const string GreensboroSite = """
        { "name": "greensboro", "latitude": 36.1, "longitude": -79.95, "altitude_m": 273, "albedo": 0.2, "transposition": "TRANSPOSITION",
          "planes": [ { "name": "south", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5.0, "gamma_pdc_per_c": -0.0037 } ],
          "inverter": { "dc_ac_ratio": 1.2, "eta_nominal": 0.96 } }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "pvedge-simulate-" + Guid.NewGuid().ToString("N"));

    public SimulateCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string Tmy3 => RepoPaths.Shared("data/weather/723170TYA.CSV");

    private string Write(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var commands = CliHost.Discover(typeof(PvEdge.ModelExport.Commands.SimulateCommand).Assembly);
        var code = await CliHost.RunAsync("modelexport", args, commands, new CliContext(stdout, stderr, TimeProvider.System), CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static Dictionary<string, string[]> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        var header = lines[0].Split(',');
        var columns = header.ToDictionary(h => h, _ => new string[lines.Length - 1], StringComparer.Ordinal);
        for (var i = 1; i < lines.Length; i++)
        {
            var f = lines[i].Split(',');
            Assert.Equal(header.Length, f.Length);
            for (var c = 0; c < header.Length; c++)
            {
                columns[header[c]][i - 1] = f[c];
            }
        }
        return columns;
    }

    private static double Parse(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);

    [SkippableTheory]
    [InlineData("perez", "perez")]
    [InlineData("haydavies", "hay")]
    public async Task Simulate_GreensboroSiteAndTmy3_MatchesPvlibReferenceInEveryColumn(string transposition, string tag)
    {
        var site = Write("site.json", GreensboroSite.Replace("TRANSPOSITION", transposition, StringComparison.Ordinal));
        var output = Path.Combine(_dir, "out.csv");

        var (code, _, err) = await Run("simulate", "--site", site, "--weather", Tmy3, "--out", output);

        Assert.True(code == 0, err);
        var ours = ReadCsv(output);
        Assert.Equal(
            ["time", "zenith_deg", "apparent_zenith_deg", "azimuth_deg", "dni_extra_wm2", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "wind_speed_ms",
             "aoi_deg", "poa_global_wm2", "poa_direct_wm2", "poa_diffuse_wm2", "effective_irradiance_wm2", "cell_temperature_c", "dc_power_w", "ac_power_w"],
            File.ReadLines(output).First().Split(','));
        var reference = ReadCsv(RepoPaths.Shared("reference/pvlib/greensboro_hourly.csv"));
        Assert.Equal(8760, ours["time"].Length);
        var mismatch = Enumerable.Range(0, 8760).FirstOrDefault(i =>
            DateTimeOffset.Parse(reference["time_mid"][i], CultureInfo.InvariantCulture) != DateTimeOffset.Parse(ours["time"][i], CultureInfo.InvariantCulture), -1);
        Assert.True(mismatch < 0, $"time differs at row {mismatch + 1}");
        var checks = new (string Ours, Func<int, double> Expected, double Tolerance)[]
        {
            ("zenith_deg", i => Parse(reference["zenith"][i]), 0.001),
            ("apparent_zenith_deg", i => Parse(reference["apparent_zenith"][i]), 0.001),
            ("azimuth_deg", i => Parse(reference["azimuth"][i]), 0.001),
            ("dni_extra_wm2", i => Parse(reference["dni_extra"][i]), 1e-6 * 1414),
            ("ghi_wm2", i => Parse(reference["ghi"][i]), 0),
            ("dni_wm2", i => Parse(reference["dni"][i]), 0),
            ("dhi_wm2", i => Parse(reference["dhi"][i]), 0),
            ("temp_air_c", i => Parse(reference["temp_air"][i]), 0),
            ("wind_speed_ms", i => Parse(reference["wind_speed"][i]), 0),
            ("aoi_deg", i => Parse(reference["aoi"][i]), 0.001),
            ("poa_global_wm2", i => Parse(reference[$"poa_{tag}_global"][i]), 0.05),
            ("poa_direct_wm2", i => Parse(reference[$"poa_{tag}_direct"][i]), 0.05),
            ("poa_diffuse_wm2", i => Parse(reference[$"poa_{tag}_sky_diffuse"][i]) + Parse(reference[$"poa_{tag}_ground_diffuse"][i]), 0.05),
            ("effective_irradiance_wm2", i => Parse(reference[$"eff_irr_{tag}"][i]), 0.05),
            ("cell_temperature_c", i => Parse(reference[$"tcell_sapm_{tag}"][i]), 0.01),
            ("dc_power_w", i => Parse(reference[$"pdc_net_{tag}"][i]), 0.01),
            ("ac_power_w", i => Parse(reference[$"pac_{tag}"][i]), 0.01),
        };
        foreach (var (column, expected, tolerance) in checks)
        {
            var compared = 0;
            for (var i = 0; i < 8760; i++)
            {
                var e = expected(i);
                var a = Parse(ours[column][i]);
                if (double.IsNaN(a))
                {
                    Assert.Fail($"{column} row {i + 1}: empty");
                }
                if (double.IsNaN(e))
                {
                    // pvlib's Perez gives NaN when DHI is 0 with the sun up (clearness 0/0); we give no sky diffuse instead.
                    Assert.Equal(0.0, Parse(ours["dhi_wm2"][i]));
                    continue;
                }
                compared++;
                if (!(Math.Abs(a - e) <= tolerance))
                {
                    Assert.Fail($"{column} row {i + 1}: expected {e}, got {a} (tolerance {tolerance})");
                }
            }
            Assert.True(compared >= 8700, $"{column}: only {compared} rows compared");
        }
    }

    [SkippableFact]
    public async Task Simulate_Summary_PrintsEnergyTotalsConsistentWithTheCsv()
    {
        var site = Write("site.json", GreensboroSite.Replace("TRANSPOSITION", "perez", StringComparison.Ordinal));
        var output = Path.Combine(_dir, "out.csv");

        var (code, stdout, err) = await Run("simulate", "--site", site, "--weather", Tmy3, "--out", output, "--summary");

        Assert.True(code == 0, err);
        var figures = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(l => l.Split(": ")).ToDictionary(p => p[0], p => double.Parse(p[1], CultureInfo.InvariantCulture), StringComparer.Ordinal);
        var csv = ReadCsv(output);
        var acKwh = csv["ac_power_w"].Sum(Parse) / 1000;
        var dcKwh = csv["dc_power_w"].Sum(Parse) / 1000;
        var poa = csv["poa_global_wm2"].Sum(Parse) / 1000;
        Assert.Equal(365.0, figures["period_days"]);
        Assert.Equal(acKwh, figures["ac_kwh"], 0.05);
        Assert.Equal(dcKwh, figures["dc_kwh"], 0.05);
        Assert.Equal(poa, figures["poa_kwh_m2"], 0.05);
        Assert.Equal(acKwh / 5.0, figures["specific_yield_kwh_kwp"], 0.05);
        Assert.Equal(5000 / 1.2, figures["peak_ac_w"], 0.05);
        Assert.True(figures["clipped_kwh"] > 0);
    }

    [SkippableFact]
    public async Task Simulate_TwoPlanes_WritesSuffixedColumnsAndATotalDcBeforeAc()
    {
        var site = Write("site.json", """
            { "latitude": 36.1, "longitude": -79.95, "planes": [
              { "name": "east", "tilt_deg": 20, "azimuth_deg": 90, "dc_kwp": 3 },
              { "name": "west", "tilt_deg": 20, "azimuth_deg": 270, "dc_kwp": 3, "horizon": [ { "azimuth_deg": 270, "elevation_deg": 30 } ] } ] }
            """);
        var weather = Write("w.csv", "time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms\n2024-06-21T12:00:00-04:00,900,700,150,28,2\n2024-06-21T18:00:00-04:00,300,500,90,27,2\n");
        var output = Path.Combine(_dir, "out.csv");

        var (code, _, err) = await Run("simulate", "--site", site, "--weather", weather, "--out", output);

        Assert.True(code == 0, err);
        var header = File.ReadLines(output).First().Split(',');
        Assert.Equal("aoi_deg__east", header[10]);
        Assert.Equal("dc_power_w__west", header[23]);
        Assert.Equal(["dc_power_w", "ac_power_w"], header[^2..]);
        var csv = ReadCsv(output);
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(Parse(csv["dc_power_w__east"][i]) + Parse(csv["dc_power_w__west"][i]), Parse(csv["dc_power_w"][i]), 9);
        }
        // The west plane's horizon (30° at 270°) hides the evening sun: no beam there.
        Assert.Equal(0.0, Parse(csv["poa_direct_wm2__west"][1]));
        Assert.True(Parse(csv["poa_direct_wm2__east"][0]) > 100);
    }

    [SkippableTheory]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 120, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "planes[0].tilt_deg: expected 0..90, got 120")]
    [InlineData("""{ "latitude": 95, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "latitude: expected -90..90, got 95")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "transposition": "klucher", "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "transposition: expected one of perez, haydavies, isotropic, got \"klucher\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95 }""", "planes: missing required key (expected a list of at least one plane)")]
    public async Task Simulate_BadSite_ExitsTwoWithOneLineNamingFileAndKey(string json, string expected)
    {
        var site = Write("site.json", json);

        var (code, stdout, err) = await Run("simulate", "--site", site, "--weather", Tmy3, "--out", Path.Combine(_dir, "out.csv"));

        Assert.Equal(2, code);
        Assert.Equal($"modelexport simulate: {site}: {expected}\n", err.ReplaceLineEndings("\n"));
        Assert.Empty(stdout);
        Assert.False(File.Exists(Path.Combine(_dir, "out.csv")));
    }

    [SkippableTheory]
    [InlineData("time,ghi_wm2,dni_wm2,temp_air_c,wind_speed_ms\n2024-06-01T10:00:00Z,500,400,20,1\n", "line 1: missing column \"dhi_wm2\"")]
    [InlineData("time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms\n2024-06-01T10:00:00Z,500,400,100,20,1\n2024-06-01T11:00:00Z,500,4x0,100,20,1\n",
        "line 3, column 3 (dni_wm2): expected a number, got \"4x0\"")]
    public async Task Simulate_BadWeather_ExitsTwoWithOneLineNamingLineAndColumn(string csv, string expected)
    {
        var site = Write("site.json", GreensboroSite.Replace("TRANSPOSITION", "perez", StringComparison.Ordinal));
        var weather = Write("weather.csv", csv);

        var (code, _, err) = await Run("simulate", "--site", site, "--weather", weather, "--out", Path.Combine(_dir, "out.csv"));

        Assert.Equal(2, code);
        Assert.Equal($"modelexport simulate: {weather}: {expected}\n", err.ReplaceLineEndings("\n"));
    }

    [SkippableFact]
    public async Task Simulate_MissingOption_ExitsTwo()
    {
        var (code, _, err) = await Run("simulate", "--site", "s.json");

        Assert.Equal(2, code);
        Assert.Equal("modelexport simulate: option --weather: a value is required\n", err.ReplaceLineEndings("\n"));
    }

    [SkippableTheory]
    [InlineData("test_read_psm3.csv")]
    [InlineData("tmy_45.000_8.000_2005_2023.csv")]
    [InlineData("midc_raw_20181018.txt")]
    public async Task Simulate_OtherSharedWeatherFormats_ProduceFiniteAcPowerForEveryRow(string file)
    {
        var site = Write("site.json", """{ "latitude": 40.5, "longitude": -108.5, "altitude_m": 2000, "planes": [ { "tilt_deg": 35, "azimuth_deg": 180, "dc_kwp": 4 } ] }""");
        var output = Path.Combine(_dir, "out.csv");

        var (code, _, err) = await Run("simulate", "--site", site, "--weather", RepoPaths.Shared("data/weather/" + file), "--out", output, "--summary");

        Assert.True(code == 0, err);
        var ac = ReadCsv(output)["ac_power_w"].Select(Parse).ToArray();
        Assert.All(ac, v => Assert.True(v >= 0 && v <= 4000 / 1.2 + 1e-9));
        Assert.Contains(ac, v => v > 0);
    }

    [SkippableFact]
    public async Task Simulate_WeatherFromAnotherPlace_WarnsButRuns()
    {
        var site = Write("site.json", """{ "latitude": 52.5, "longitude": 13.4, "planes": [ { "tilt_deg": 35, "azimuth_deg": 180, "dc_kwp": 4 } ] }""");

        var (code, _, err) = await Run("simulate", "--site", site, "--weather", Tmy3, "--out", Path.Combine(_dir, "out.csv"));

        Assert.Equal(0, code);
        Assert.Equal($"warning: {Tmy3} is for 36.10, -79.95 but the site is at 52.50, 13.40; using the site's location\n", err.ReplaceLineEndings("\n"));
    }
}
