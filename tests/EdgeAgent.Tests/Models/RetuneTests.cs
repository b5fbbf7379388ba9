using Microsoft.Extensions.Options;
using PvEdge.EdgeAgent.Anomalies;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Tests.Models;

/// <summary>Nightly fine-tuning on the gateway: the committed default bundle (which carries its foundation) re-tuned on a plant it does
/// not know, the demo site with a row of tall trees to the west.</summary>
public sealed class RetuneTests : IDisposable
{
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);
    private readonly StoreHarness _h = new();
    private readonly PhysicsPowerModel _plant = new(ShadedDemoSite());
    private readonly StochasticCloudGenerator _clouds = new(21);
    private readonly OpenFaults _faults = new();

    public RetuneTests() => _faults.Update([], OpenFaults.WatchedMinutes); // the anomaly stage has watched the morning

    public void Dispose() => _h.Dispose();

    /// <summary>The demo site with trees 45° high from azimuth 245° to 300°: in June every clear afternoon loses its beam for its last hours.</summary>
    private static Site ShadedDemoSite()
    {
        var json = File.ReadAllText(DerivedBundles.DefaultPath + "/site.json");
        var doc = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        doc["planes"]![0]!["horizon"] = System.Text.Json.Nodes.JsonNode.Parse(
            """[ {"azimuth_deg": 0, "elevation_deg": 0}, {"azimuth_deg": 235, "elevation_deg": 0}, {"azimuth_deg": 245, "elevation_deg": 45}, {"azimuth_deg": 300, "elevation_deg": 45}, {"azimuth_deg": 310, "elevation_deg": 0} ]""");
        return SiteLoader.Parse(doc.ToJsonString(), "shaded-demo-site.json");
    }

    private WeatherPoint WeatherAt(DateTimeOffset t) => WeatherState.CloudyWeather(_h.Weather.ClearSky, _clouds, t, Quarter);

    /// <summary>What the gateway records over [from, to): the plant's AC under the weather (capped at <paramref name="capW"/>; with
    /// <paramref name="overcast"/> under a third of its light, diffuse), and that weather as the forecast it held.</summary>
    private void Record(DateTimeOffset fromUtc, DateTimeOffset toUtc, double capW = double.PositiveInfinity, bool overcast = false)
    {
        for (var t = fromUtc; t < toUtc; t += Quarter)
        {
            var w = WeatherAt(t);
            // overcast: a third of the light, all of it diffuse
            w = overcast ? w with { GhiWm2 = w.GhiWm2 / 3, DniWm2 = 0, DhiWm2 = w.GhiWm2 / 3 } : w;
            _h.Database.WriteHistory(t, Quarter, [
                new("ac_power_w", Math.Min(capW, _plant.ExpectedAcW(w, Quarter))), new(RecordedWeather.GhiWm2, w.GhiWm2), new(RecordedWeather.DniWm2, w.DniWm2),
                new(RecordedWeather.DhiWm2, w.DhiWm2), new(RecordedWeather.TempAirC, w.TempAirC), new(RecordedWeather.WindSpeedMs, w.WindSpeedMs)]);
        }
    }

    private RetuneService Service(TestLogger<RetuneService> log) => new(_h.Slot, new ModelValidator(_h.Database, _h.Weather), _h.Started.Models.Site, _h.Channels,
        new PublishQueue(_h.Database, _h.Time), _h.Topics, _h.Time, new WallClock(_h.Wall), Options.Create(_h.Options), log, _faults);

    // mean absolute error of a model against the plant (its AC capped at capW) over the daylight intervals of [from, to)
    private double MaeW(IPowerModel model, DateTimeOffset fromUtc, DateTimeOffset toUtc, double capW = double.PositiveInfinity)
    {
        double sum = 0;
        var n = 0;
        for (var t = fromUtc; t < toUtc; t += Quarter)
        {
            if (_h.Weather.ClearSky.At(t, Quarter).SunElevationDeg < 5)
            {
                continue;
            }
            var w = WeatherAt(t);
            sum += Math.Abs(model.ExpectedAcW(w, Quarter) - Math.Min(capW, _plant.ExpectedAcW(w, Quarter)));
            n++;
        }
        return sum / n;
    }

    [Fact]
    public void RunOnce_FourteenDaysOfAShadedPlant_SwapsInAModelThatPredictsTheNextDayFarBetter()
    {
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(14), now);
        var bundleModel = _h.Slot.Current;
        var log = new TestLogger<RetuneService>();
        var service = Service(log);
        Assert.True(_h.Slot.Current is BundlePowerModel { Bundle.HasFoundation: true }, "the committed default bundle carries its foundation");
        Assert.True(service.Due(now));

        var done = service.RunOnce();

        Assert.NotNull(done);
        Assert.Equal("retuned", done.Type);
        Assert.StartsWith(bundleModel.Id + "+retuned-", _h.Slot.Current.Id, StringComparison.Ordinal);
        Assert.Equal("retuned", _h.ModelTopic().GetProperty("event").GetProperty("type").GetString());
        Assert.Contains(log.Lines, l => l.EventId == 820 && l.Message.Contains("shading corrected locally", StringComparison.Ordinal));
        Assert.DoesNotContain(log.Lines, l => l.EventId == 823);
        Assert.Equal(System.Text.Json.JsonValueKind.Null, _h.ModelTopic().GetProperty("ac_limit_w").ValueKind);
        Assert.Equal(_h.Slot.Current.AcRatingW, _h.Slot.Current.AcLimitW);
        // the next day, which neither model saw: the bundle does not know the trees, the re-tuned model learnt them
        var next = (before: MaeW(bundleModel, now, now + TimeSpan.FromDays(1)), after: MaeW(_h.Slot.Current, now, now + TimeSpan.FromDays(1)));
        Assert.True(next.before > 0.02 * bundleModel.AcRatingW, $"the trees cost the bundle only {next.before:F0} W of MAE: the test shows nothing (re-tuned {next.after:F0} W; unshaded physics {MaeW(new PhysicsPowerModel(SiteLoader.Load(DerivedBundles.DefaultPath + "/site.json")), now, now + TimeSpan.FromDays(1)):F0} W)");
        Assert.True(next.after < 0.25 * next.before, $"next-day MAE {next.after:F0} W re-tuned against {next.before:F0} W for the bundle");
        // once a night: not again the same local day, again after the configured hour of the next
        Assert.False(service.Due(now + TimeSpan.FromHours(2)));
        var local = TimeZoneInfo.ConvertTime(now, _h.Started.Models.Site.TimeZone);
        var nextNight = now + (local.Date.AddDays(1).AddHours(_h.Options.RetuneLocalHour) - local.DateTime);
        Assert.False(service.Due(nextNight - TimeSpan.FromMinutes(5)));
        Assert.True(service.Due(nextNight + TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void RunOnce_FaultOpen_WaitsForItToClose()
    {
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(14), now);
        var before = _h.Slot.Current;
        var log = new TestLogger<RetuneService>();
        var service = Service(log);
        var fault = new AnomalyEvent("gw-underperformance-1", AnomalyTypes.Underperformance, "major", true, now - TimeSpan.FromDays(3), null, 3000, 1500, 40,
            new Dictionary<string, double>());
        _faults.Update([fault, fault with { Id = "gw-clipping-1", Type = AnomalyTypes.Clipping }], 600);

        Assert.Null(service.RunOnce());
        Assert.Null(service.RunOnce());

        Assert.Same(before, _h.Slot.Current);
        var waiting = Assert.Single(log.Lines, l => l.EventId == 821); // said once, not every 10 minutes
        Assert.Contains("underperformance open since", waiting.Message, StringComparison.Ordinal);
        Assert.True(service.Due(now), "still due: the night's re-tuning is only put off");
        _faults.Update([fault with { Open = false, EndUtc = now }], 610);
        Assert.NotNull(service.RunOnce());
        Assert.NotSame(before, _h.Slot.Current);
    }

    [Fact]
    public void RunOnce_JustStarted_WaitsForTheAnomalyStageToWatchAnHourOfDaylight()
    {
        // after a restart the anomaly stage has no events: a string lost the day before shows again only once the sun is up
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(14), now);
        var log = new TestLogger<RetuneService>();
        var service = Service(log);
        _faults.Update([], 0);

        Assert.Null(service.RunOnce());
        _faults.Update([], OpenFaults.WatchedMinutes - 1);
        Assert.Null(service.RunOnce());

        Assert.Contains("has not yet judged 60 minutes of daylight", Assert.Single(log.Lines, l => l.EventId == 821).Message, StringComparison.Ordinal);
        _faults.Update([], OpenFaults.WatchedMinutes);
        Assert.NotNull(service.RunOnce());
    }

    [Fact]
    public void RetunedModel_TheAnomalyStagesReferenceIsTheBundleAsDelivered()
    {
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(14), now);
        var bundleModel = _h.Slot.Current;
        var expected = new PvEdge.EdgeAgent.Anomalies.ExpectedPower(_h.Slot, _h.Weather);
        // the next day's quarter-hour where the trees take most of what the bundle expects
        var afternoon = Enumerable.Range(0, 96).Select(k => now + Quarter * k)
            .MaxBy(t => bundleModel.ExpectedAcW(_h.Weather.At(t, Quarter), Quarter) - _plant.ExpectedAcW(_h.Weather.At(t, Quarter), Quarter));
        var record = new PvEdge.EdgeAgent.Acquisition.IntervalRecord(afternoon, Quarter, new Dictionary<string, double?> { ["ac_power_w"] = 1000 }, 1);
        Assert.Null(expected.For(record).ReferenceW);

        Assert.NotNull(Service(new TestLogger<RetuneService>()).RunOnce());

        var input = expected.For(record);
        var delivered = bundleModel.ExpectedAcW(_h.Weather.At(afternoon, Quarter), Quarter);
        Assert.NotNull(input.ReferenceW);
        Assert.Equal(delivered, input.ReferenceW!.Value, delivered * 1e-3);
        // the re-tuned model knows the afternoon's trees, the reference does not
        Assert.True(input.ExpectedW < 0.9 * delivered, $"{input.ExpectedW:F0} W re-tuned, {delivered:F0} W delivered");
    }

    [Fact]
    public void NewBundleAfterARetuning_JudgedAgainstTheBundleAsDelivered()
    {
        // the re-tuned model learnt the trees from the very intervals a new bundle is checked on: against it, a bundle that does not
        // know them (the same one again) would look 20 times worse and be refused; against the bundle in use as delivered it is even
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(14), now);
        var bundleId = _h.Slot.Current.Id;
        Assert.NotNull(Service(new TestLogger<RetuneService>()).RunOnce());
        Assert.True(_h.Slot.Current is BundlePowerModel { IsRetuned: true });

        _h.Drop("site-v2");
        _h.PollTwice();

        Assert.True("site-v2" == _h.Slot.Current.Id, _h.LogText);
        var reason = _h.ModelTopic().GetProperty("event").GetProperty("reason").GetString();
        Assert.Contains($" of {bundleId} over ", reason, StringComparison.Ordinal);
        Assert.StartsWith(bundleId + "+retuned-", _h.Slot.Baseline!.Id, StringComparison.Ordinal);
    }

    [Fact]
    public void RunOnce_AcCappedUnderTheRating_HoldsTheModelAtTheLimitAndSaysSo()
    {
        // an export limit of 60 % of the rating that the site file does not know: the AC sits flat at it on every sunny midday
        var now = _h.Time.GetUtcNow();
        var bundleModel = _h.Slot.Current;
        var ratingW = bundleModel.AcRatingW;
        var capW = 0.6 * ratingW;
        Record(now - TimeSpan.FromDays(14), now, capW);
        var log = new TestLogger<RetuneService>();

        var done = Service(log).RunOnce();

        Assert.NotNull(done);
        Assert.Equal("retuned", done.Type);
        Assert.Contains($"held at the AC limit of {capW:F0} W", done.Reason, StringComparison.Ordinal);
        var warning = Assert.Single(log.Lines, l => l.EventId == 823);
        Assert.Contains($"stays at {capW:F0} W", warning.Message, StringComparison.Ordinal);
        Assert.Contains($"set inverter.ac_kw {capW / 1000:F3} in the site file", warning.Message, StringComparison.Ordinal);
        // the re-tuned model stops at the limit; the site file's rating is kept (new bundles are still checked against it)
        var model = _h.Slot.Current;
        Assert.Equal(ratingW, model.AcRatingW);
        Assert.Equal(capW, model.AcLimitW, 0.5);
        Assert.Equal(capW, _h.ModelTopic().GetProperty("ac_limit_w").GetDouble(), 0.5);
        var noon = Enumerable.Range(0, 96).Select(k => now + Quarter * k).MaxBy(t => _h.Weather.ClearSky.At(t, Quarter).SunElevationDeg);
        var clear = WeatherState.ClearSkyWeather(_h.Weather.ClearSky, noon, Quarter);
        Assert.True(bundleModel.ExpectedAcW(clear, Quarter) > 1.2 * capW, "a clear noon of the bundle is above the cap: the test shows nothing");
        Assert.InRange(model.ExpectedAcW(clear, Quarter), 0.95 * capW, 1.0001 * capW);
        // the next day against the capped plant: the bundle expects the uncapped noons, the re-tuned model does not
        var next = (before: MaeW(bundleModel, now, now + TimeSpan.FromDays(1), capW), after: MaeW(model, now, now + TimeSpan.FromDays(1), capW));
        Assert.True(next.after < 0.25 * next.before, $"next-day MAE against the capped plant {next.after:F0} W re-tuned against {next.before:F0} W for the bundle");
        // a new bundle delivered meanwhile is held at the same limit until it is re-tuned in its turn
        _h.Drop("site-v2");
        _h.PollTwice();
        Assert.True("site-v2" == _h.Slot.Current.Id, _h.LogText);
        Assert.Equal(capW, _h.Slot.Current.AcLimitW, 0.5);
        Assert.InRange(_h.Slot.Current.ExpectedAcW(clear, Quarter), 0.95 * capW, 1.0001 * capW);
        Assert.Equal(capW, _h.ModelTopic().GetProperty("ac_limit_w").GetDouble(), 0.5);
    }

    [Fact]
    public void RunOnce_OvercastFortnightAfterALimit_KeepsItUntilTheAcRisesAboveIt()
    {
        var start = _h.Time.GetUtcNow();
        var capW = 0.6 * _h.Slot.Current.AcRatingW;
        var ratingW = _h.Slot.Current.AcRatingW;
        Record(start - TimeSpan.FromDays(14), start, capW);
        var log = new TestLogger<RetuneService>();
        var service = Service(log);
        Assert.NotNull(service.RunOnce());
        Assert.Equal(capW, _h.Slot.Current.AcLimitW, 0.5);

        // a fortnight of overcast: no cap shows, nor that it was lifted
        _h.Time.Advance(TimeSpan.FromDays(14));
        var now = _h.Time.GetUtcNow();
        Record(start, now, overcast: true);
        var kept = service.RunOnce();
        Assert.NotNull(kept);
        Assert.Equal(capW, _h.Slot.Current.AcLimitW, 0.5);
        Assert.Contains($"held at the AC limit of {capW:F0} W found before", kept.Reason, StringComparison.Ordinal);
        Assert.Single(log.Lines, l => l.EventId == 823); // the warning is for a limit found, not for one kept

        // then sunny days with AC above it: the limit was lifted
        _h.Time.Advance(TimeSpan.FromDays(14));
        Record(now, _h.Time.GetUtcNow());
        Assert.NotNull(service.RunOnce());
        Assert.Equal(ratingW, _h.Slot.Current.AcLimitW);
    }

    [Fact]
    public void RunOnce_OneDayOfHistory_KeepsTheModelAndSaysWhy()
    {
        var now = _h.Time.GetUtcNow();
        // 00:00 to 08:00 local: one morning
        Record(now - TimeSpan.FromHours(8), now);
        var before = _h.Slot.Current;
        var log = new TestLogger<RetuneService>();

        var done = Service(log).RunOnce();

        Assert.Null(done);
        Assert.Same(before, _h.Slot.Current);
        Assert.Contains(log.Lines, l => l.EventId == 821 && l.Message.Contains("at least 2", StringComparison.Ordinal));
    }

    [Fact]
    public void RunOnce_HistoryWithoutKnownWeather_KeepsTheModel()
    {
        // AC alone (a gateway with no forecast while it recorded): the weather of those intervals is unknown, nothing to learn from
        var now = _h.Time.GetUtcNow();
        _h.WriteMeasuredHistory(now - TimeSpan.FromDays(14), now, _plant);
        var before = _h.Slot.Current;
        var log = new TestLogger<RetuneService>();

        Assert.Null(Service(log).RunOnce());
        Assert.Same(before, _h.Slot.Current);
        Assert.Contains(log.Lines, l => l.EventId == 821 && l.Message.Contains("0 day(s)", StringComparison.Ordinal));
    }

    [Fact]
    public void Retune_BundleWithoutFoundation_SaysSo()
    {
        var bundle = DerivedBundles.LoadDefault();
        var old = bundle with { Manifest = bundle.Manifest with { Chain = bundle.Manifest.Chain with { Foundation = null } } };
        var now = _h.Time.GetUtcNow();

        var outcome = SiteRetuner.Retune(old, [], now - TimeSpan.FromDays(14), now, new AdaptationOptions());

        Assert.Null(outcome.Model);
        Assert.Contains("no foundation", outcome.Reason, StringComparison.Ordinal);
        // what check-config says of it, of the committed default, and with the option off
        using var oldModel = BundlePowerModel.Create(old, "onnx", "none");
        using var current = BundlePowerModel.Create(bundle, "onnx", "none");
        Assert.StartsWith("none (the bundle carries no foundation", RetuneService.Describe(_h.Options, oldModel), StringComparison.Ordinal);
        Assert.StartsWith("on, from the bundle's foundation on the last 14 days", RetuneService.Describe(_h.Options, current), StringComparison.Ordinal);
        Assert.StartsWith("off", RetuneService.Describe(new ModelOptions { Retune = false }, current), StringComparison.Ordinal);
    }

    [Fact]
    public void Intervals_RecordedForecast_IsTheIntervalsWeather()
    {
        var now = _h.Time.GetUtcNow();
        Record(now - TimeSpan.FromDays(1), now);
        var t = now - TimeSpan.FromHours(20);

        var intervals = new ModelValidator(_h.Database, _h.Weather).Intervals(now - TimeSpan.FromDays(1), now);

        var i = intervals.Single(x => x.StartUtc == t);
        Assert.True(i.WeatherKnown);
        Assert.Equal(WeatherAt(t).GhiWm2, i.Weather.GhiWm2, 6);
        Assert.NotEqual(WeatherState.ClearSkyWeather(_h.Weather.ClearSky, t, Quarter).GhiWm2, i.Weather.GhiWm2, 3);
    }
}
