using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>A model bundle as an <see cref="IPowerModel"/>: features through the shared <see cref="ChainFeatureSpecification"/> only,
/// the configured runner (onnx, formulas or engine) for the answer and another one in shadow, whose mean absolute disagreement is
/// reported on the model topic. POA-based expectations (sites with sensors) come from the physics chain of the bundle's site.</summary>
public sealed class BundlePowerModel : IPowerModel
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly LoadedBundle _bundle;
    private readonly IChainPredictor _primary;
    private readonly IChainPredictor? _shadow;
    private readonly PhysicsPowerModel _physics;
    private readonly Lock _gate = new();
    private double _shadowAbsSumW;
    private long _shadowRows;

    public BundlePowerModel(LoadedBundle bundle, IChainPredictor primary, IChainPredictor? shadow)
    {
        _bundle = bundle;
        _primary = primary;
        _shadow = shadow;
        _physics = new PhysicsPowerModel(bundle.Site);
        var q = bundle.Manifest.ResidualQuantiles;
        ResidualQuantiles = q is null ? _physics.ResidualQuantiles : (Math.Min(0, q.P10), Math.Max(0, q.P90));
    }

    /// <summary>Loads the runners of a bundle: <paramref name="runner"/> ("onnx" or "formulas") first; the other in shadow when available.</summary>
    public static BundlePowerModel Create(LoadedBundle bundle, string runner)
    {
        IChainPredictor onnx = new OnnxChainPredictor(bundle.ChainOnnx);
        IChainPredictor? formulas = bundle.HasAllFormulas ? FormulaChainPredictor.Create(bundle) : null;
        return runner == "formulas" && formulas is not null
            ? new BundlePowerModel(bundle, formulas, onnx)
            : new BundlePowerModel(bundle, onnx, formulas ?? new EngineChainPredictor(bundle));
    }

    public string Id => _bundle.ModelId;

    public string Runner => _primary.Runner;

    public string? ShadowRunner => _shadow?.Runner;

    public LoadedBundle Bundle => _bundle;

    public double AcRatingW => _bundle.Site.Inverter.AcCapacityW;

    public double DcRatingW => _bundle.Site.DcCapacityW;

    public (double P10, double P90) ResidualQuantiles { get; }

    /// <summary>Mean absolute difference between the runner and its shadow so far, W (null without a shadow or before any daylight row).</summary>
    public double? ShadowDisagreementW
    {
        get
        {
            lock (_gate)
            {
                return _shadowRows == 0 ? null : _shadowAbsSumW / _shadowRows;
            }
        }
    }

    public double ExpectedAcW(in WeatherPoint weather, TimeSpan step)
    {
        var subs = step > SubStep ? (int)Math.Ceiling(step / SubStep) : 1;
        var sub = step / subs;
        var rows = new List<WeatherSample>(subs);
        for (var k = 0; k < subs; k++)
        {
            rows.Add(new WeatherSample(weather.StartUtc + sub * k + sub / 2, weather.GhiWm2, weather.DniWm2, weather.DhiWm2, weather.TempAirC, weather.WindSpeedMs));
        }
        var series = new WeatherSeries(new WeatherMetadata("agent", WeatherFormat.PlainCsv, _bundle.Site.LatitudeDeg, _bundle.Site.LongitudeDeg, _bundle.Site.AltitudeM, TimeSpan.Zero), rows);
        var set = ChainFeatureSpecification.Build(_bundle.Site, series);
        Span<float> poa = stackalloc float[subs];
        Span<float> dc = stackalloc float[subs];
        Span<float> ac = stackalloc float[subs];
        double sum = 0;
        lock (_gate)
        {
            _primary.Predict(set.X.Data, poa, dc, ac);
            for (var k = 0; k < subs; k++)
            {
                sum += set.IsDaylight(k) && float.IsFinite(ac[k]) ? Math.Clamp(ac[k], 0, AcRatingW) : 0;
            }
            if (_shadow is not null)
            {
                Span<float> sAc = stackalloc float[subs];
                Span<float> sPoa = stackalloc float[subs];
                Span<float> sDc = stackalloc float[subs];
                _shadow.Predict(set.X.Data, sPoa, sDc, sAc);
                for (var k = 0; k < subs; k++)
                {
                    if (set.IsDaylight(k) && float.IsFinite(sAc[k]) && float.IsFinite(ac[k]))
                    {
                        _shadowAbsSumW += Math.Abs(sAc[k] - ac[k]);
                        _shadowRows++;
                    }
                }
            }
        }
        return sum / subs;
    }

    public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => _physics.ExpectedAcFromPoaW(poaWm2, moduleTempC);
}
