using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>A loaded bundle as an <see cref="IPowerModel"/>: features from <see cref="ChainFeatureSpecification"/> for the bundle's
/// site, then one of the bundle's runners (ONNX Runtime, compiled formulas or our engine). Intervals longer than 15 minutes
/// are averaged over 15-minute sub-steps, as the physics model does.</summary>
public sealed class BundlePowerModel : IPowerModel, IDisposable
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly LoadedBundle _bundle;
    private readonly IChainPredictor _predictor;

    public BundlePowerModel(LoadedBundle bundle, IChainPredictor predictor)
    {
        _bundle = bundle ?? throw new ArgumentNullException(nameof(bundle));
        _predictor = predictor ?? throw new ArgumentNullException(nameof(predictor));
    }

    /// <summary>The bundle with the runner named in config: "onnx", "formulas" (needs every factor's formula) or "engine".</summary>
    public static BundlePowerModel Create(LoadedBundle bundle, string runner)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        IChainPredictor predictor = runner switch
        {
            "onnx" => new OnnxChainPredictor(bundle),
            "formulas" => FormulaChainPredictor.Create(bundle),
            "engine" => new EngineChainPredictor(bundle),
            _ => throw new Shared.Cli.InputException($"runner '{runner}': expected onnx, formulas or engine"),
        };
        return new BundlePowerModel(bundle, predictor);
    }

    public LoadedBundle Bundle => _bundle;

    public string Id => _bundle.ModelId;

    public string Runner => _predictor.Runner;

    public double AcRatingW => _bundle.Site.Inverter.AcCapacityW;

    public double DcRatingW => _bundle.Site.DcCapacityW;

    /// <summary>The bundle's residual quantiles, or a wide −25 %/+10 % band when it has none.</summary>
    public (double P10, double P90) ResidualQuantiles =>
        _bundle.Manifest.ResidualQuantiles is { } q ? (q.P10, q.P90) : (-0.25, 0.10);

    public double ExpectedAcW(in WeatherPoint weather, TimeSpan step)
    {
        var subs = step > SubStep ? (int)Math.Ceiling(step / SubStep) : 1;
        var sub = step / subs;
        var samples = new WeatherSample[subs];
        for (var k = 0; k < subs; k++)
        {
            samples[k] = new WeatherSample(weather.StartUtc + (sub * k) + (sub / 2), weather.GhiWm2, weather.DniWm2, weather.DhiWm2, weather.TempAirC, weather.WindSpeedMs);
        }
        var site = _bundle.Site;
        var series = new WeatherSeries(new WeatherMetadata(Id, WeatherFormat.PlainCsv, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, TimeSpan.Zero) { Step = sub }, samples);
        var features = ChainFeatureSpecification.Build(site, series);
        var poa = new float[subs];
        var dc = new float[subs];
        var ac = new float[subs];
        _predictor.Predict(features.X.Data, poa, dc, ac);
        var sum = 0.0;
        foreach (var v in ac)
        {
            sum += float.IsFinite(v) ? Math.Max(0, v) : 0;
        }
        return sum / subs;
    }

    /// <summary>The chain's module and inverter from a measured POA; the bundle's inputs are air (not module) temperature,
    /// so this is not offered.</summary>
    public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => null;

    public void Dispose() => (_predictor as IDisposable)?.Dispose();
}
