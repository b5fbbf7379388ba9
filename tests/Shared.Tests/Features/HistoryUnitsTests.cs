using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;

namespace PvEdge.Shared.Tests.Features;

public sealed class HistoryUnitsTests
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);

    [Fact]
    public void Check_WattsAndWattsPerSquareMetre_Passes()
    {
        HistoryUnits.Check(SyntheticHistory.Site, SyntheticHistory.Make(3, Quarter));
    }

    [Fact]
    public void Check_ThickOvercastInWatts_IsNotTakenForKilowatts()
    {
        // two days at a tenth of the clear sky's GHI and less: the AC is low because the weather is
        HistoryUnits.Check(SyntheticHistory.Site, SyntheticHistory.Make(2, Quarter, cloudScale: 0.1));
    }

    [Theory]
    [InlineData(0.001, "ac_power_w reaches only", "is it in kW?")]
    [InlineData(1000, "ac_power_w reaches", "is it in mW, or is the site file (inverter.ac_kw) for another system?")]
    [InlineData(-1, "ac_power_w is negative in daylight", "is its sign inverted (a meter counting export as negative)?")]
    public void Check_AcOffByAUnitsFactor_ExitsNamingTheColumn(double acScale, string reaches, string question)
    {
        var e = Assert.Throws<InputException>(() => HistoryUnits.Check(SyntheticHistory.Site, SyntheticHistory.Make(3, Quarter, acScale: acScale)));

        Assert.StartsWith("h.csv: " + reaches, e.Message, StringComparison.Ordinal);
        Assert.Contains(question, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Theory]
    [InlineData(0.001)]
    [InlineData(3600)]
    public void Check_GhiInOtherUnits_ExitsNamingTheColumn(double ghiScale)
    {
        // AC in W as it should be, GHI in kW/m² or J/m² per hour
        var e = Assert.Throws<InputException>(() => HistoryUnits.Check(SyntheticHistory.Site, SyntheticHistory.Make(3, Quarter, ghiScale: ghiScale)));

        Assert.StartsWith("h.csv: ghi_wm2 reaches", e.Message, StringComparison.Ordinal);
        Assert.Contains("(the format wants W/m²)", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("temp_air_c", 25.0, 1.8, 32.0, "is it in °F or K?")] // 25 °C written as 77 °F
    [InlineData("temp_air_c", 25.0, 1.0, 273.15, "is it in °F or K?")]
    [InlineData("wind_speed_ms", 12.0, 3.6, 0.0, "is it in km/h?")] // a 12 m/s wind as 43 km/h
    public void Check_TemperatureOrWindInOtherUnits_ExitsNamingTheColumn(string column, double value, double scale, double offset, string question)
    {
        var h = SyntheticHistory.Make(3, Quarter);
        var columns = h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value);
        columns[column] = [.. Enumerable.Repeat((value * scale) + offset, h.Rows)];
        var e = Assert.Throws<InputException>(() => HistoryUnits.Check(SyntheticHistory.Site, new History([.. h.Times], columns, "h.csv")));

        Assert.StartsWith($"h.csv: {column} reaches", e.Message, StringComparison.Ordinal);
        Assert.Contains(question, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_HotDesertAirAndAGale_AreNotTakenForOtherUnits()
    {
        var h = SyntheticHistory.Make(3, Quarter);
        var columns = h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value);
        columns["temp_air_c"] = [.. Enumerable.Repeat(48.0, h.Rows)];
        columns["wind_speed_ms"] = [.. Enumerable.Repeat(25.0, h.Rows)];

        HistoryUnits.Check(SyntheticHistory.Site, new History([.. h.Times], columns, "h.csv"));
    }

    [Theory]
    [InlineData(1.0, null)]
    [InlineData(0.001, "dc_power_w reaches only")]
    [InlineData(1000.0, "is it in mW, or is the site file (planes[].dc_kwp) for another system?")]
    public void Check_DcInWattsOrOffByAUnitsFactor_PassesOrExitsNamingTheColumn(double scale, string? message)
    {
        var h = SyntheticHistory.Make(3, Quarter);
        var columns = h.Columns.ToDictionary(kv => kv.Key, kv => kv.Value);
        columns["dc_power_w"] = [.. h.Column("ac_power_w")!.Select(w => w / 0.96 * scale)];
        var history = new History([.. h.Times], columns, "h.csv");

        if (message is null)
        {
            HistoryUnits.Check(SyntheticHistory.Site, history);
            return;
        }
        var e = Assert.Throws<InputException>(() => HistoryUnits.Check(SyntheticHistory.Site, history));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("h.csv: dc_power_w", e.Message, StringComparison.Ordinal);
    }
}
