using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Models;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Tests.Models;

public sealed class ModelValidatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 6, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Quarter = TimeSpan.FromMinutes(15);
    private const double RatingW = 5000;

    /// <summary>AC = <paramref name="wPerWm2"/> × GHI, held at <paramref name="limitW"/>.</summary>
    private sealed class LinearModel(string id, double wPerWm2, double limitW = RatingW) : IPowerModel
    {
        public string Id => id;

        public string Runner => "engine";

        public double AcRatingW => RatingW;

        public double AcLimitW => limitW;

        public double DcRatingW => 6000;

        public (double P10, double P90) ResidualQuantiles => (-0.1, 0.1);

        public double ExpectedAcW(in WeatherPoint weather, TimeSpan step) => Math.Min(limitW, wPerWm2 * weather.GhiWm2);

        public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => null;
    }

    // a clear day of a plant making 5 W per W/m² of GHI, capped at 3 kW by an export limit
    private static List<HistoryInterval> CappedDay() => [.. Enumerable.Range(0, 48).Select(k =>
    {
        var ghi = 1000 * Math.Sin(Math.PI * (k + 0.5) / 48);
        var w = new WeatherPoint(T0 + (Quarter * k), ghi, 0, 0, 20, 1);
        return new HistoryInterval(w.StartUtc, Quarter, w, Math.Min(3000, 5 * ghi), 30, true);
    })];

    [Fact]
    public void Compare_ReferenceHeldAtAnExportLimit_BothComparedAtIt()
    {
        var intervals = CappedDay();
        var retuned = new LinearModel("retuned", 5, limitW: 3000);
        var newBundle = new LinearModel("bundle", 5);
        var wrongBundle = new LinearModel("wrong", 4);

        var fair = ModelValidator.Compare(newBundle, retuned, intervals);
        var worse = ModelValidator.Compare(wrongBundle, retuned, intervals);
        var unlimited = ModelValidator.Compare(newBundle, new LinearModel("plain", 5), intervals);

        // the same physics as the re-tuned model: no worse once held at the limit the history shows
        Assert.Equal(0, fair.CandidateMaeW!.Value, 9);
        Assert.Equal(0, fair.ReferenceMaeW!.Value, 9);
        Assert.False(ModelValidator.ClearlyWorse(fair, 1.5, RatingW));
        // a model that is wrong below the limit still shows it
        Assert.True(ModelValidator.ClearlyWorse(worse, 1.5, RatingW), $"{worse.CandidateMaeW:F0} W");
        // with no limit on either side, the capped middays count against both
        Assert.True(unlimited.CandidateMaeW > 400 && unlimited.ReferenceMaeW > 400, $"{unlimited.CandidateMaeW:F0} W, {unlimited.ReferenceMaeW:F0} W");
    }
}
