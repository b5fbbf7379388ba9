using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;

namespace PvEdge.Shared.Tests.Features;

public sealed class HistoryTests
{
    private static History Parse(string text, bool requireAc = true) => History.Read(new StringReader(text), "h.csv", requireAc);

    [Fact]
    public void Read_EmptyCells_AreNaN()
    {
        var h = Parse("time,ac_power_w,ghi_wm2\n2025-06-01T10:00:00+02:00,100,\n2025-06-01T10:15:00+02:00,,500\n");
        Assert.Equal(2, h.Rows);
        Assert.True(double.IsNaN(h.Column("ghi_wm2")![0]));
        Assert.True(double.IsNaN(h.Column("ac_power_w")![1]));
        Assert.Equal(TimeSpan.FromMinutes(15), h.Step);
    }

    [Fact]
    public void Read_NoAcColumn_ThrowsNamingTheColumn()
    {
        var e = Assert.Throws<InputException>(() => Parse("time,ghi_wm2\n2025-06-01T10:00:00Z,1\n"));
        Assert.Contains("ac_power_w", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TimeWithoutOffset_ThrowsNamingLineAndColumn()
    {
        var e = Assert.Throws<InputException>(() => Parse("time,ac_power_w\n2025-06-01T10:00:00,1\n"));
        Assert.Contains("line 2 column 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RepeatedTime_Throws()
    {
        var e = Assert.Throws<InputException>(() => Parse("time,ac_power_w\n2025-06-01T10:00:00Z,1\n2025-06-01T10:00:00Z,2\n"));
        Assert.Contains("line 3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_BadNumber_ThrowsNamingTheColumn()
    {
        var e = Assert.Throws<InputException>(() => Parse("time,ac_power_w\n2025-06-01T10:00:00Z,abc\n"));
        Assert.Contains("column 2 (ac_power_w)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WriteThenRead_RoundTripsValues()
    {
        var path = Path.GetTempFileName();
        try
        {
            var t0 = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.FromHours(1));
            History.Write(path, [t0, t0.AddMinutes(15)], new Dictionary<string, double[]> { ["ac_power_w"] = [1.5, double.NaN], ["ghi_wm2"] = [3, 4] });
            var h = History.Read(path);
            Assert.Equal(t0.AddMinutes(15), h.Times[1]);
            Assert.Equal(1.5, h.Column("ac_power_w")![0]);
            Assert.True(double.IsNaN(h.Column("ac_power_w")![1]));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
