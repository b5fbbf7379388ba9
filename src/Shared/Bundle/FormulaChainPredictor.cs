using PvEdge.Shared.Formulas;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Bundle;

/// <summary>The chain with every factor net replaced by its distilled formula, compiled to delegates
/// (<see cref="FormulaCompiler.CompileRow"/>): s = shading(sun), POA = s·beam + sky-view·sky + ground,
/// DC = module(POA, air temperature, wind), AC = inverter(DC / AC rating), each held to the nets' priors
/// (s ∈ [0, 1], DC ≥ 0, AC ≤ rating; NaN → 0). Allocation-free per call.</summary>
public sealed class FormulaChainPredictor : IChainPredictor
{
    private readonly Func<double[], double> _shading;
    private readonly Func<double[], double> _module;
    private readonly Func<double[], double> _inverter;
    private readonly double[] _sun = new double[3];
    private readonly double[] _weather = new double[3];
    private readonly double[] _load = new double[1];
    private readonly double _skyView;
    private readonly double _dcW;
    private readonly double _acW;

    public FormulaChainPredictor(Expr shading, Expr module, Expr inverter, double skyView, double dcCapacityW, double acRatingW)
    {
        _shading = FormulaCompiler.CompileRow(shading, ChainFactors.Shading.VariableNames);
        _module = FormulaCompiler.CompileRow(module, ChainFactors.Module.VariableNames);
        _inverter = FormulaCompiler.CompileRow(inverter, ChainFactors.Inverter.VariableNames);
        _skyView = skyView;
        _dcW = dcCapacityW;
        _acW = acRatingW;
    }

    public string Runner => "formulas";

    /// <summary>The formula runner of a bundle; throws when a factor has no kept formula (check <see cref="LoadedBundle.HasAllFormulas"/>).</summary>
    public static FormulaChainPredictor Create(LoadedBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);
        Expr Need(ChainFactor f) => bundle.Formula(f.Name)
            ?? throw new Cli.InputException($"{Path.Combine(bundle.Source, BundleFormat.Formulas)}: factor '{f.Name}' has no kept formula (run modelexport distill, or use the onnx runner)");
        return new FormulaChainPredictor(Need(ChainFactors.Shading), Need(ChainFactors.Module), Need(ChainFactors.Inverter),
            bundle.Manifest.Chain.SkyView, bundle.Site.DcCapacityW, bundle.Site.Inverter.AcCapacityW);
    }

    public void Predict(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW)
    {
        var rows = ChainPrediction.Rows(features, poaWm2, dcPowerW, acPowerW);
        var sunIn = ChainFactors.Shading.Inputs;
        var modIn = ChainFactors.Module.Inputs;
        for (var r = 0; r < rows; r++)
        {
            var f = features.Slice(r * ChainColumns.Count, ChainColumns.Count);
            _sun[0] = Physical(f[ChainColumns.SinAzimuth], sunIn[0]);
            _sun[1] = Physical(f[ChainColumns.CosAzimuth], sunIn[1]);
            _sun[2] = Physical(f[ChainColumns.Elevation], sunIn[2]);
            var s = Prior(_shading(_sun), 1);
            var poaKwm2 = (s * f[ChainColumns.Beam]) + (_skyView * f[ChainColumns.SkyDiffuse]) + f[ChainColumns.Ground];
            _weather[0] = poaKwm2 * modIn[0].Scale;
            _weather[1] = Physical(f[ChainColumns.TempAir], modIn[1]);
            _weather[2] = Physical(f[ChainColumns.Wind], modIn[2]);
            var dc = Prior(_module(_weather), double.PositiveInfinity);
            _load[0] = dc * f[ChainColumns.DcAcRatio];
            var ac = Prior(_inverter(_load), 1);
            poaWm2[r] = (float)(poaKwm2 * modIn[0].Scale);
            dcPowerW[r] = (float)(dc * _dcW);
            acPowerW[r] = (float)(ac * _acW);
        }
    }

    // the nets' priors hold for their formulas too: s ∈ [0, 1], DC ≥ 0, 0 ≤ AC ≤ rating; a formula that leaves its
    // sampled domain and yields NaN or ±∞ contributes nothing rather than poisoning the forecast
    private static double Prior(double value, double max) => double.IsNaN(value) ? 0 : Math.Clamp(value, 0, max);

    private static double Physical(float normalised, FactorInput input) => (normalised * input.Scale) + input.Offset;
}
