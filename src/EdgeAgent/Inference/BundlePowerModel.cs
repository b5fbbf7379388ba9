using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>A model bundle as an <see cref="IPowerModel"/>: features through the shared <see cref="ChainFeatureSpecification"/> only,
/// the configured runner (onnx, formulas or engine) for the answer and another one in shadow, whose mean absolute disagreement is
/// reported on the model topic. POA-based expectations (sites with sensors) come from the physics chain of the bundle's site.</summary>
public sealed class BundlePowerModel : IPowerModel, IDisposable
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly LoadedBundle _bundle;
    private readonly Site _site;
    private readonly IChainPredictor _primary;
    private readonly IChainPredictor? _shadow;
    private readonly PhysicsPowerModel _physics;
    private readonly Lock _gate = new();
    private double _shadowAbsSumW;
    private long _shadowRows;
    private long _nonFiniteRows;
    private BundlePowerModel? _delivered;

    /// <param name="site">the site the runners were built for: the bundle's, or the bundle's held at an export limit (<see cref="Retuned"/>)</param>
    /// <param name="acLimitW">an export limit the answers are held at (the one found in the site's history, for a bundle not yet
    /// re-tuned with it), or null</param>
    public BundlePowerModel(LoadedBundle bundle, IChainPredictor primary, IChainPredictor? shadow, string? id = null, Site? site = null, double? acLimitW = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        _bundle = bundle;
        _site = site ?? bundle.Site;
        AcLimitW = Math.Min(_site.Inverter.AcCapacityW, acLimitW ?? double.PositiveInfinity);
        Id = id ?? bundle.ModelId;
        _primary = primary;
        _shadow = shadow;
        _physics = new PhysicsPowerModel(_site);
        var q = bundle.Manifest.ResidualQuantiles;
        ResidualQuantiles = q is null ? _physics.ResidualQuantiles : (Math.Min(0, q.P10), Math.Max(0, q.P90));
    }

    /// <summary>Loads the runners of a bundle: <paramref name="runner"/> ("onnx", "formulas" or "engine") first (formulas fall back to
    /// ONNX Runtime when the bundle lacks one), and in shadow <paramref name="shadow"/>: "auto" = ONNX Runtime, or the formulas (else our
    /// engine) when ONNX is the primary; "onnx", "formulas", "engine"; or "none". ONNX Runtime is loaded only when one of the two needs it
    /// (formulas with engine in shadow keep its ~27 MiB out of a small gateway's memory).
    /// With <paramref name="acLimitW"/> (an export limit the model in use was re-tuned with) the answers are held there until the bundle
    /// is re-tuned in its turn.</summary>
    public static BundlePowerModel Create(LoadedBundle bundle, string runner, string shadow = "auto", double? acLimitW = null)
    {
        // each runner is built only when chosen: compiling the formulas or opening an ONNX Runtime session is the costly part
        string Resolve(string name) => name == "formulas" && !bundle.HasAllFormulas ? "onnx" : name;
        IChainPredictor Make(string name) => name switch
        {
            "formulas" => FormulaChainPredictor.Create(bundle),
            "engine" => new EngineChainPredictor(bundle),
            _ => new OnnxChainPredictor(bundle.ChainOnnx),
        };
        var primary = Make(Resolve(runner));
        var shadowName = Resolve(shadow != "auto" ? shadow : primary.Runner != "onnx" ? "onnx" : bundle.HasAllFormulas ? "formulas" : "engine");
        // the same runner twice would only compare it with itself (and load a second ONNX Runtime session)
        var second = shadowName == "none" || shadowName == primary.Runner ? null : Make(shadowName);
        return new BundlePowerModel(bundle, primary, second, acLimitW: acLimitW);
    }

    /// <summary>The bundle's chain fine-tuned again on the site's own recent history (<see cref="Models.RetuneService"/>): our engine's
    /// forward pass answers (the bundle's ONNX graph and formulas describe the chain before), with no shadow. With <paramref name="acLimit"/>
    /// (an export limit the history showed) the model was fine-tuned with it as the inverter's AC rating, and runs so: its AC, the physics
    /// expectation from measured POA and the forecast stop there (<see cref="AcLimitW"/>); <see cref="AcRatingW"/> stays the site file's.</summary>
    public static BundlePowerModel Retuned(LoadedBundle bundle, Shared.Learning.Chain.ChainModel model, string id, AcLimitFinding? acLimit = null)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        var site = acLimit?.Apply(bundle.Site) ?? bundle.Site;
        return new BundlePowerModel(bundle, new EngineChainPredictor(model, site.DcCapacityW, site.Inverter.AcCapacityW), null, id, site) { IsRetuned = true };
    }

    /// <summary>True for a model the gateway re-tuned (<see cref="Retuned"/>).</summary>
    public bool IsRetuned { get; private init; }

    /// <summary>For a re-tuned model, the bundle it came from as delivered (our engine, held at the same AC limit; made at first use,
    /// disposed with this one); null otherwise.</summary>
    public IPowerModel? Delivered
    {
        get
        {
            if (!IsRetuned)
            {
                return null;
            }
            lock (_gate)
            {
                return _delivered ??= new BundlePowerModel(_bundle, new EngineChainPredictor(_bundle), null, acLimitW: this.ExportLimitW());
            }
        }
    }

    /// <summary>The bundle's model id, or a re-tuned model's (<see cref="Retuned"/>).</summary>
    public string Id { get; }

    public string Runner => _primary.Runner;

    public string? ShadowRunner => _shadow?.Runner;

    public LoadedBundle Bundle => _bundle;

    public double AcRatingW => _bundle.Site.Inverter.AcCapacityW;

    public double AcLimitW { get; }

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

    /// <summary>Daylight rows so far where the runner answered NaN or infinity to finite weather (counted as 0 W in the answer); the model
    /// store rolls a freshly swapped bundle back when this grows.</summary>
    public long NonFiniteOutputs => Interlocked.Read(ref _nonFiniteRows);

    /// <summary>The runner's raw AC outputs (W, neither clamped nor cleaned) for weather samples at interval midpoints, with the
    /// daylight flag of each row: what the model store checks for NaN, negative and above-rating answers before it trusts a bundle.</summary>
    public (float[] AcW, bool[] Daylight) RawAcW(IReadOnlyList<WeatherSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
        {
            return ([], []);
        }
        var (set, ac, _) = Run(samples, withShadow: false);
        var daylight = new bool[ac.Length];
        for (var k = 0; k < daylight.Length; k++)
        {
            daylight[k] = set.IsDaylight(k);
        }
        return (ac, daylight);
    }

    // the rows' features through the shared specification, and the runner's AC for them (and its shadow's when asked)
    private (ChainFeatureSet Set, float[] AcW, float[]? ShadowAcW) Run(IReadOnlyList<WeatherSample> rows, bool withShadow)
    {
        var series = new WeatherSeries(new WeatherMetadata("agent", WeatherFormat.PlainCsv, _site.LatitudeDeg, _site.LongitudeDeg,
            _site.AltitudeM, TimeSpan.Zero), rows);
        var set = ChainFeatureSpecification.Build(_site, series);
        var n = rows.Count;
        var poa = new float[n];
        var dc = new float[n];
        var ac = new float[n];
        var shadowAc = withShadow && _shadow is not null ? new float[n] : null;
        lock (_gate)
        {
            _primary.Predict(set.X.Data, poa, dc, ac);
            if (shadowAc is not null)
            {
                _shadow!.Predict(set.X.Data, poa, dc, shadowAc);
            }
        }
        return (set, ac, shadowAc);
    }

    public double ExpectedAcW(in WeatherPoint weather, TimeSpan step)
    {
        Span<double> one = stackalloc double[1];
        ExpectedAcW(new ReadOnlySpan<WeatherPoint>(in weather), step, one);
        return one[0];
    }

    /// <summary>All intervals at once: one feature set and one run of the runner (and of its shadow) for every 15-minute sub-row,
    /// instead of one per interval (a 48 h forecast is a few hundred rows).</summary>
    public void ExpectedAcW(ReadOnlySpan<WeatherPoint> weather, TimeSpan step, Span<double> acW)
    {
        if (weather.Length == 0)
        {
            return;
        }
        var subs = step > SubStep ? (int)Math.Ceiling(step / SubStep) : 1;
        var sub = step / subs;
        var n = weather.Length * subs;
        var rows = new List<WeatherSample>(n);
        foreach (ref readonly var w in weather)
        {
            for (var k = 0; k < subs; k++)
            {
                rows.Add(new WeatherSample(w.StartUtc + sub * k + sub / 2, w.GhiWm2, w.DniWm2, w.DhiWm2, w.TempAirC, w.WindSpeedMs));
            }
        }
        var (set, ac, shadowAc) = Run(rows, withShadow: true);
        lock (_gate)
        {
            for (var i = 0; i < weather.Length; i++)
            {
                ref readonly var w = ref weather[i];
                var finiteWeather = double.IsFinite(w.GhiWm2) && double.IsFinite(w.DniWm2) && double.IsFinite(w.DhiWm2) &&
                    double.IsFinite(w.TempAirC) && double.IsFinite(w.WindSpeedMs);
                double sum = 0;
                for (var r = i * subs; r < (i + 1) * subs; r++)
                {
                    if (!set.IsDaylight(r))
                    {
                        continue;
                    }
                    if (float.IsFinite(ac[r]))
                    {
                        sum += Math.Clamp(ac[r], 0, AcLimitW);
                        if (shadowAc is not null && float.IsFinite(shadowAc[r]))
                        {
                            _shadowAbsSumW += Math.Abs(shadowAc[r] - ac[r]);
                            _shadowRows++;
                        }
                    }
                    else if (finiteWeather)
                    {
                        _nonFiniteRows++;
                    }
                }
                acW[i] = sum / subs;
            }
        }
    }

    public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC) => _physics.ExpectedAcFromPoaW(poaWm2, moduleTempC) is { } w ? Math.Min(w, AcLimitW) : null;

    public void Dispose()
    {
        (_primary as IDisposable)?.Dispose();
        (_shadow as IDisposable)?.Dispose();
        _delivered?.Dispose();
    }
}
