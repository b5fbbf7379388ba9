using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Shared.Tests.Features;

public sealed class ChainFeatureSpecificationTests
{
    private static Site Site(string horizon = "") => SiteLoader.Parse($$"""
        { "name": "t", "latitude": 40, "longitude": -105, "altitude_m": 1600,
          "planes": [ { "name": "p", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5 {{horizon}} } ],
          "inverter": { "ac_kw": 4 } }
        """, "site.json");

    private static WeatherSeries Day()
    {
        var start = new DateTimeOffset(2025, 6, 21, 0, 7, 30, TimeSpan.FromHours(-7));
        var rows = Enumerable.Range(0, 96).Select(i =>
        {
            var t = start.AddMinutes(15 * i);
            var ghi = Math.Max(0, 1000 * Math.Sin(Math.PI * (t.Hour + t.Minute / 60.0 - 5.5) / 15));
            return new WeatherSample(t, ghi, double.NaN, double.NaN, 25, 2);
        }).ToList();
        return new WeatherSeries(new WeatherMetadata("test", WeatherFormat.PlainCsv, 40, -105, 1600, TimeSpan.FromHours(-7)), rows);
    }

    [Fact]
    public void Columns_MatchTheChainLayout()
    {
        Assert.Equal(ChainColumns.Count, ChainFeatureSpecification.Columns.Count);
        Assert.Equal(ChainColumns.LabelCount, ChainFeatureSpecification.Labels.Count);
        Assert.Equal("site_index", ChainFeatureSpecification.Columns[ChainColumns.Site].Name);
    }

    [Fact]
    public void Build_Night_HasNoIrradiance()
    {
        var set = ChainFeatureSpecification.Build(Site(), Day());
        Assert.Equal(0f, set.X[0, ChainColumns.Beam]);
        Assert.True(set.SunElevationDeg[0] < 0);
        Assert.InRange(set.X[48, ChainColumns.Beam], 0.3f, 1.1f);
        Assert.Equal(5.0f / 4.0f, set.X[48, ChainColumns.DcAcRatio], 5);
    }

    [Fact]
    public void Build_SiteHorizon_IsIgnoredSoTheShadingFieldLearnsIt()
    {
        var open = ChainFeatureSpecification.Build(Site(), Day());
        var walled = ChainFeatureSpecification.Build(Site(""", "horizon": [ { "azimuth_deg": 0, "elevation_deg": 80 }, { "azimuth_deg": 359, "elevation_deg": 80 } ]"""), Day());
        Assert.Equal(open.X.Data, walled.X.Data);
    }

    private static History PoaHistory(bool withGhi)
    {
        var text = new System.Text.StringBuilder(withGhi ? "time,ac_power_w,poa_wm2,ghi_wm2,temp_air_c\n" : "time,ac_power_w,poa_wm2,temp_air_c\n");
        var start = new DateTimeOffset(2025, 6, 21, 0, 0, 0, TimeSpan.FromHours(-7));
        for (var i = 0; i < 96; i++)
        {
            var t = start.AddMinutes(15 * i);
            var poa = Math.Max(0, 900 * Math.Sin(Math.PI * (t.Hour + t.Minute / 60.0 - 5.5) / 15));
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"{t:yyyy-MM-ddTHH:mm:sszzz},{poa * 4:0.#},{(i == 50 ? "" : poa.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture))}");
            text.Append(withGhi ? ",500,20\n" : ",20\n");
        }
        return History.Read(new StringReader(text.ToString()), "h.csv");
    }

    [Fact]
    public void Build_PoaInput_MeasuredPoaReachesTheModuleAndN1IsBypassed()
    {
        var history = PoaHistory(withGhi: false);
        var set = ChainFeatureSpecification.Build(Site(), history, 0, poaInput: true);

        Assert.True(set.PoaInput);
        var poa = history.Column("poa_wm2")!;
        Assert.Equal((float)(poa[48] / 1000), set.X[48, ChainColumns.Ground], 6);
        Assert.Equal(0f, set.X[48, ChainColumns.Beam]);
        Assert.Equal(0f, set.X[48, ChainColumns.SkyDiffuse]);
        Assert.Equal(history.Column("ac_power_w")![48] / 4000, set.Y[48, ChainColumns.LabelAc], 1e-6);
        Assert.True(float.IsNaN(set.Y[50, ChainColumns.LabelAc]), "a row without POA cannot be explained: its labels are masked");
    }

    [Fact]
    public void PrefersPoaInput_PoaWithoutGhi_TrueAndFalseWhenGhiIsThere()
    {
        Assert.True(ChainFeatureSpecification.PrefersPoaInput(PoaHistory(withGhi: false)));
        Assert.False(ChainFeatureSpecification.PrefersPoaInput(PoaHistory(withGhi: true)));
    }

    [Fact]
    public void Build_HistoryWithoutGhiNotPoaInput_ThrowsNamingTheColumn()
    {
        var e = Assert.Throws<Cli.InputException>(() => ChainFeatureSpecification.Build(Site(), PoaHistory(withGhi: false)));
        Assert.Contains("ghi_wm2", e.Message, StringComparison.Ordinal);
    }
}
