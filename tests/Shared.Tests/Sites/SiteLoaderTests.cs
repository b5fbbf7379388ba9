using PvEdge.Shared.Cli;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Tests.Sites;

public sealed class SiteLoaderTests
{
    private const string FormatsExample = """
        {
          "name": "greensboro-demo",
          "latitude": 36.1, "longitude": -79.95, "altitude_m": 273,
          "timezone": "America/New_York",
          "albedo": 0.2,
          "transposition": "perez",
          "iam": "physical",
          "cell_temperature": { "model": "sapm", "a": -3.56, "b": -0.075, "delta_t": 3.0 },
          "losses_pct": 14.08,
          "planes": [
            { "name": "south", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5.0, "gamma_pdc_per_c": -0.0037,
              "horizon": [ { "azimuth_deg": 0, "elevation_deg": 0 }, { "azimuth_deg": 240, "elevation_deg": 25 } ] }
          ],
          "inverter": { "ac_kw": 4.1667, "eta_nominal": 0.96 }
        }
        """;

    private const string Minimal = """{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""";

    [Fact]
    public void Parse_FormatsExample_ReadsEveryKey()
    {
        var site = SiteLoader.Parse(FormatsExample, "site.json");

        Assert.Equal("greensboro-demo", site.Name);
        Assert.Equal(273, site.AltitudeM);
        Assert.Equal(0.2, site.Albedo);
        Assert.Equal(TranspositionModel.Perez, site.Transposition);
        Assert.Equal(CellTemperatureModel.Sapm(-3.56, -0.075, 3.0), site.CellTemperature);
        Assert.Equal(14.08, site.LossesPct);
        var plane = Assert.Single(site.Planes);
        Assert.Equal("south", plane.Name);
        Assert.Equal(12.5, plane.Horizon.ElevationDeg(120), 9);
        Assert.Equal(4166.7, site.Inverter.AcCapacityW, 9);
        Assert.Equal(5000, site.DcCapacityW);
    }

    [Fact]
    public void Parse_NoOptionalKeys_UsesPvlibDefaults()
    {
        var site = SiteLoader.Parse(Minimal, "site.json");

        Assert.Equal(0.25, site.Albedo);
        Assert.Equal(0, site.AltitudeM);
        Assert.Equal(TranspositionModel.Perez, site.Transposition);
        Assert.Equal(IamModel.Physical, site.Iam);
        Assert.Equal(CellTemperatureModel.SapmOpenRackGlassPolymer, site.CellTemperature);
        Assert.Equal(14.075660688264469, site.LossesPct, 12);
        Assert.Equal(-0.0037, site.Planes[0].GammaPdcPerC);
        Assert.Equal(5000 / 1.2, site.Inverter.AcCapacityW, 9);
        Assert.Equal(0.96, site.Inverter.EtaNominal);
        Assert.True(site.Planes[0].Horizon.IsFlat);
    }

    [Fact]
    public void Parse_FaimanAndDcAcRatio_ReadsThem()
    {
        const string json = """
            { "latitude": 45, "longitude": 8, "transposition": "haydavies", "iam": "ashrae",
              "cell_temperature": { "model": "faiman" },
              "planes": [ { "name": "east", "tilt_deg": 20, "azimuth_deg": 90, "dc_kwp": 3 }, { "name": "west", "tilt_deg": 20, "azimuth_deg": 270, "dc_kwp": 3 } ],
              "inverter": { "dc_ac_ratio": 1.5 } }
            """;

        var site = SiteLoader.Parse(json, "site.json");

        Assert.Equal(TranspositionModel.HayDavies, site.Transposition);
        Assert.Equal(IamModel.Ashrae, site.Iam);
        Assert.Equal(CellTemperatureModel.FaimanDefault, site.CellTemperature);
        Assert.Equal(4000, site.Inverter.AcCapacityW, 9);
        Assert.Equal(["east", "west"], site.Planes.Select(p => p.Name));
    }

    [Theory]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 120, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: planes[0].tilt_deg: expected 0..90, got 120")]
    [InlineData("""{ "latitude": 95, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: latitude: expected -90..90, got 95")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "transposition": "klucher", "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: transposition: expected one of perez, haydavies, isotropic, got \"klucher\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95 }""",
        "site.json: planes: missing required key (expected a list of at least one plane)")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [] }""",
        "site.json: planes: expected a list of at least one plane, got a list")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: planes[0].tilt: unknown key (expected one of name, tilt_deg, azimuth_deg, dc_kwp, gamma_pdc_per_c, horizon)")]
    [InlineData("""{ "latitude": "north", "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: latitude: expected a number -90..90, got \"north\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "iam": "sapm", "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: iam: expected one of physical, ashrae, none, got \"sapm\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "cell_temperature": { "model": "pvsyst" }, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: cell_temperature.model: expected one of sapm, faiman, got \"pvsyst\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180 } ] }""",
        "site.json: planes[0].dc_kwp: missing required key (expected a number > 0 and <= 1000000)")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5, "horizon": [ { "azimuth_deg": 90, "elevation_deg": 95 } ] } ] }""",
        "site.json: planes[0].horizon[0].elevation_deg: expected 0..90, got 95")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "timezone": "Mars/Olympus", "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] }""",
        "site.json: timezone: expected an IANA time zone such as \"Europe/Berlin\", got \"Mars/Olympus\"")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ], "inverter": { "ac_kw": 4, "dc_ac_ratio": 1.2 } }""",
        "site.json: inverter: expected either ac_kw or dc_ac_ratio, not both")]
    [InlineData("""{ "latitude": 36.1, "longitude": -79.95, "planes": [ { "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 } ] """,
        "site.json: line 1, column 108: invalid JSON")]
    public void Parse_BadSite_FailsWithOneLineNamingTheKey(string json, string expected)
    {
        var ex = Assert.Throws<InputException>(() => SiteLoader.Parse(json, "site.json"));

        Assert.Equal(expected, ex.Message);
    }

    [Fact]
    public void Load_MissingFile_FailsWithOneLine()
    {
        var ex = Assert.Throws<InputException>(() => SiteLoader.Load("/nonexistent/site.json"));

        Assert.StartsWith("/nonexistent/site.json: cannot read the site file", ex.Message, StringComparison.Ordinal);
    }
}
