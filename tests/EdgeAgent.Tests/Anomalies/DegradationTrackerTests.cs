using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Anomalies;

/// <summary>The degradation detector on simulated histories of many months at 15-minute steps: seasons change the day length and the
/// clear-sky peak, half the days or so are cloudy, and the plant's performance ratio follows the scenario with 1 % noise.</summary>
public sealed class DegradationTrackerTests(Xunit.Abstractions.ITestOutputHelper output)
{
    private const double Rating = 4000;
    private static readonly DateTimeOffset Start = new(2025, 1, 6, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Step = TimeSpan.FromMinutes(15);

    /// <summary>Simulated history: <paramref name="performance"/> gives the plant's PR factor at a time in years since the start.
    /// With <paramref name="retuned"/> the model in use follows the plant (re-tuned every night) and the model as delivered is the reference.
    /// With <paramref name="capW"/> the plant is held at an export limit, and so is the model (its clear sky too).</summary>
    private static IEnumerable<DetectorInput> History(int days, Func<double, double> performance, int seed, Func<int, TimeSpan, bool>? down = null, bool retuned = false,
        double capW = double.PositiveInfinity)
    {
        var rng = new Random(seed);
        for (var d = 0; d < days; d++)
        {
            var day = Start.AddDays(d);
            var season = Math.Cos(2 * Math.PI * (day.DayOfYear - 172) / 365.0); // +1 at the June solstice
            var peakW = 3600 * (0.8 + 0.2 * season);
            var halfDayH = 6 + 1.5 * season;
            var clearDay = rng.NextDouble() < 0.5 + 0.2 * season;
            var hourly = Enumerable.Range(0, 24).Select(_ => clearDay ? 1 - 0.03 * rng.NextDouble() : 0.2 + 0.7 * rng.NextDouble()).ToArray();
            for (var t = TimeSpan.Zero; t < TimeSpan.FromDays(1); t += Step)
            {
                var x = (t.TotalHours + 0.125 - 12) / halfDayH;
                var clearW = Math.Abs(x) < 1 ? peakW * Math.Cos(Math.PI * x / 2) : 0;
                var uncappedW = clearW * hourly[(int)t.TotalHours];
                var expectedW = Math.Min(capW, uncappedW);
                var years = (d + t.TotalDays) / 365.25;
                var acW = down?.Invoke(d, t) == true ? 0 : Math.Min(capW, uncappedW * performance(years) * (1 + 0.01 * (rng.NextDouble() - 0.5) * 2));
                var values = new Dictionary<string, double?> { ["ac_power_w"] = acW, ["inverter_state"] = 4 };
                yield return retuned
                    ? new DetectorInput(new IntervalRecord(day + t, Step, values, 1), expectedW * performance(Math.Floor(years * 365.25) / 365.25), clearW, expectedW)
                    : new DetectorInput(new IntervalRecord(day + t, Step, values, 1), expectedW, Math.Min(capW, clearW), AcLimitW: capW);
            }
        }
    }

    private static (List<AnomalyEvent> Events, AnomalyDetector Detector) Run(AnomalyOptions options, IEnumerable<DetectorInput> history)
    {
        var detector = new AnomalyDetector(options, "gw", Rating);
        var events = history.SelectMany(i => detector.Process(i)).Where(e => e.Type == AnomalyTypes.Degradation).ToList();
        return (events, detector);
    }

    [Theory]
    [InlineData(200, 120)] // six and a half months, verdict allowed after four (baseline against the last four weeks)
    [InlineData(430, 365)] // the default: a year and two months, year over year
    public void Process_ThreePercentPerYearLoss_OneEventWithTheRate(int days, int minDays)
    {
        var options = new AnomalyOptions { DegradationMinDays = minDays };
        var (events, detector) = Run(options, History(days, years => 1 - 0.03 * years, seed: 11));
        var e = Assert.Single(events);
        Assert.True(e.Open);
        Assert.Equal(AnomalyTypes.Degradation, e.Type);
        var now = Assert.Single(detector.OpenEvents, o => o.Type == AnomalyTypes.Degradation);
        var rate = now.Evidence["rate_pct_per_year"];
        output.WriteLine($"{days} days, min {minDays}: rate {rate:0.00} %/yr, PR {now.Evidence["pr_baseline"]:0.0000} -> {now.Evidence["pr_now"]:0.0000}, opened {e.StartUtc:yyyy-MM-dd}, lost {now.EnergyLostKwh:0.0} kWh");
        Assert.InRange(rate, 2.0, 4.0);
        Assert.Equal(minDays >= 365 ? 1 : 0, now.Evidence["year_over_year"]);
        Assert.True(now.Evidence["pr_now"] < now.Evidence["pr_baseline"]);
        Assert.True(now.EnergyLostKwh > 0);
    }

    [Fact]
    public void Process_ModelReTunedEveryNight_TrendMeasuredAgainstTheModelAsDelivered()
    {
        // the model in use follows the plant's 3 %/year loss day by day (the gateway's nightly re-tuning); against it the loss is
        // invisible, against the reference (the bundle as delivered) it is the same event as without re-tuning
        var retuned = History(430, years => 1 - 0.03 * years, seed: 11, retuned: true).ToList();
        var blind = retuned.Select(i => i with { ReferenceW = null });

        var (events, detector) = Run(new AnomalyOptions(), retuned);
        var (none, _) = Run(new AnomalyOptions(), blind);

        Assert.Empty(none);
        Assert.Single(events);
        Assert.InRange(Assert.Single(detector.OpenEvents, o => o.Type == AnomalyTypes.Degradation).Evidence["rate_pct_per_year"], 2.0, 4.0);
    }

    [Fact]
    public void Process_PlantHeldAtAnExportLimit_DailyPerformanceFromTheHoursUnderIt()
    {
        // capped at 60 % of the rating on sunny middays (and the model with it): at the cap the plant shows no loss, and counted in,
        // those hours pull each day's performance ratio towards 1
        var history = History(430, years => 1 - 0.03 * years, seed: 11, capW: 0.6 * Rating).ToList();
        var blind = history.Select(i => i with { AcLimitW = double.PositiveInfinity });

        var (_, detector) = Run(new AnomalyOptions(), history);
        var (_, diluted) = Run(new AnomalyOptions(), blind);

        // each valid day's ratio against the plant's true performance that day
        static double Error(AnomalyDetector d) => d.Degradation.Days.Average(p => Math.Abs(p.PerformanceRatio - (1 - (0.03 * (p.DayUtc - Start).TotalDays / 365.25))));
        var (known, unknown) = (Error(detector), Error(diluted));
        output.WriteLine($"mean error of the daily ratio {known:0.0000} with the limit known, {unknown:0.0000} without; rate {detector.Degradation.Estimate!.Value.RatePctPerYear:0.00} / {diluted.Degradation.Estimate!.Value.RatePctPerYear:0.00} %/yr");
        Assert.True(known < 0.6 * unknown, $"{known:0.0000} against {unknown:0.0000}");
        Assert.InRange(detector.Degradation.Estimate!.Value.RatePctPerYear, 2.0, 4.0);
    }

    [Theory]
    [InlineData(430, 365)]
    [InlineData(200, 120)]
    public void Process_FaultFreeHistory_NoDegradation(int days, int minDays)
    {
        var (events, detector) = Run(new AnomalyOptions { DegradationMinDays = minDays }, History(days, _ => 1, seed: 12));
        Assert.Empty(events);
        Assert.NotNull(detector.Degradation.Estimate);
        Assert.InRange(detector.Degradation.Estimate!.Value.RatePctPerYear, -1.0, 1.0);
    }

    [Fact]
    public void Process_SeasonalPerformanceSwingOnly_NoDegradation()
    {
        // ±1.5 % over the year (what a temperature or spectral model error does): year over year it cancels
        var (events, detector) = Run(new AnomalyOptions(), History(430, years => 1 + 0.015 * Math.Sin(2 * Math.PI * years), seed: 13));
        Assert.Empty(events);
        Assert.True(detector.Degradation.Estimate!.Value.YearOverYear);
    }

    [Fact]
    public void Process_SoilingSpellsAndOutageDays_NoDegradation()
    {
        // 5-day spells of 10 % soiling every two months (washed off by rain), and a 3-hour outage on every 9th day
        static double Soiled(double years) => (int)(years * 365.25) % 60 < 5 ? 0.9 : 1.0;
        var (events, detector) = Run(new AnomalyOptions(), History(430, Soiled, seed: 14, down: (d, t) => d % 9 == 4 && t.TotalHours is >= 10 and < 13));
        Assert.Empty(events);
        Assert.DoesNotContain(detector.Degradation.Days, day => (day.DayUtc - Start).TotalDays % 9 is >= 4 and < 5);
    }

    [Fact]
    public void Restore_DaysStoredBeforeARestart_SameEventOpenAgainWithoutBeingRaisedTwice()
    {
        var stored = new List<DailyPerformance>();
        var before = new AnomalyDetector(new AnomalyOptions(), "gw", Rating);
        before.Degradation.DayAdded += stored.Add;
        foreach (var input in History(430, years => 1 - 0.03 * years, seed: 11))
        {
            before.Process(input);
        }
        var open = Assert.Single(before.OpenEvents, e => e.Type == AnomalyTypes.Degradation);
        Assert.Equal(before.Degradation.Days, stored);

        var after = new AnomalyDetector(new AnomalyOptions(), "gw", Rating);
        after.Degradation.Restore(stored);
        var again = Assert.Single(after.OpenEvents, e => e.Type == AnomalyTypes.Degradation);
        Assert.Equal(open.Id, again.Id);
        Assert.Equal(open.Evidence["rate_pct_per_year"], again.Evidence["rate_pct_per_year"], 9);
    }
}
