using PvEdge.EdgeAgent.Acquisition;

namespace PvEdge.EdgeAgent.Tests.Acquisition;

public sealed class IntervalAggregatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Close_GoodReadings_EmitsMeanPerMinute()
    {
        var agg = new IntervalAggregator(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        agg.Close(T0);
        agg.Add(Reading.Good("ac_power_w", 100, T0.AddSeconds(5), "x"), T0.AddSeconds(5));
        agg.Add(Reading.Good("ac_power_w", 300, T0.AddSeconds(35), "x"), T0.AddSeconds(35));
        var records = agg.Close(T0.AddSeconds(61));
        var r = Assert.Single(records);
        Assert.Equal(T0, r.StartUtc);
        Assert.Equal(200, r.Get("ac_power_w"));
    }

    [Fact]
    public void Close_MinuteWithoutReadings_ValueIsMissingNotZero()
    {
        var agg = new IntervalAggregator(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        agg.Close(T0);
        agg.Add(Reading.Good("ac_power_w", 100, T0.AddSeconds(5), "x"), T0.AddSeconds(5));
        var records = agg.Close(T0.AddMinutes(3));
        Assert.Equal(3, records.Count);
        Assert.Equal(100, records[0].Get("ac_power_w"));
        Assert.Null(records[1].Get("ac_power_w"));
        Assert.True(records[2].Values.ContainsKey("ac_power_w"));
        Assert.Null(records[2].Values["ac_power_w"]);
    }

    [Fact]
    public void Add_StaleOrMissingReading_DoesNotCount()
    {
        var agg = new IntervalAggregator(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(30));
        agg.Close(T0);
        Assert.False(agg.Add(Reading.Good("ac_power_w", 100, T0.AddSeconds(1), "x"), T0.AddSeconds(50)));
        Assert.False(agg.Add(Reading.Missing("ac_power_w", T0.AddSeconds(50), "x", "timeout"), T0.AddSeconds(50)));
        var r = Assert.Single(agg.Close(T0.AddMinutes(1)));
        Assert.Null(r.Get("ac_power_w"));
    }

    [Fact]
    public void AddInterval_QuarterHourWithTooFewMinutes_IsMissing()
    {
        var quarter = new IntervalAggregator(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30));
        quarter.Close(T0);
        for (var i = 0; i < 15; i++)
        {
            double? v = i < 5 ? 1000 : null;
            quarter.AddInterval(new IntervalRecord(T0.AddMinutes(i), TimeSpan.FromMinutes(1), new Dictionary<string, double?> { ["ac_power_w"] = v, ["energy_total_kwh"] = 10 + i }, 1));
        }
        var r = Assert.Single(quarter.Close(T0.AddMinutes(15)));
        Assert.Null(r.Get("ac_power_w"));
        Assert.Equal(24, r.Get("energy_total_kwh"));
    }

    [Fact]
    public void AddInterval_QuarterHourMostlyCovered_IsMeanOfAvailableMinutes()
    {
        var quarter = new IntervalAggregator(TimeSpan.FromMinutes(15), TimeSpan.FromSeconds(30));
        quarter.Close(T0);
        for (var i = 0; i < 15; i++)
        {
            double? v = i < 12 ? 100 + i : null;
            quarter.AddInterval(new IntervalRecord(T0.AddMinutes(i), TimeSpan.FromMinutes(1), new Dictionary<string, double?> { ["ac_power_w"] = v }, 1));
        }
        var r = Assert.Single(quarter.Close(T0.AddMinutes(15)));
        Assert.Equal(105.5, r.Get("ac_power_w")!.Value, 9);
    }
}
