using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Settings of <see cref="FactorDistiller"/>.</summary>
/// <param name="SecondsPerFactor">search budget per factor</param>
/// <param name="Samples">points sampled per factor</param>
/// <param name="KeepR2">a formula is kept when its R² against the net reaches this</param>
public sealed record DistillOptions(double SecondsPerFactor = 30, int Samples = 2000, int Seed = 1, int Threads = 2, double KeepR2 = 0.995);

/// <summary>One factor's sample: inputs (one array per input, physical units), the net's output and the truth (or null).</summary>
public sealed record FactorSample(ChainFactor Factor, double[][] Inputs, double[] Net, double[]? Truth)
{
    public int Rows => Net.Length;
}

/// <summary>The outcome for one factor.</summary>
public sealed record FactorDistillation(ChainFactor Factor, FactorFormula Formula, SrResult Search);

/// <summary>Physics read back from the module and inverter formulas (and nets) against the site's true values.</summary>
/// <param name="GammaTrue">the site file's temperature coefficient (DC-weighted over planes), 1/°C</param>
/// <param name="GammaFormula">γ read from the module formula: (∂P/∂T)/P at 25 °C cell temperature, mean over 400–1000 W/m²</param>
/// <param name="GammaNet">the same read from the module net</param>
/// <param name="InverterMaxErrorFormula">max |η_formula/η_true − 1| over 5–100 % of the inverter's DC rating</param>
/// <param name="InverterMaxErrorNet">the same for the inverter net</param>
public sealed record PhysicsCheck(double GammaTrue, double? GammaFormula, double GammaNet, double? InverterMaxErrorFormula, double InverterMaxErrorNet)
{
    public double? GammaErrorFormula => GammaFormula is { } g ? Math.Abs(g / GammaTrue - 1) : null;

    public double GammaErrorNet => Math.Abs(GammaNet / GammaTrue - 1);
}

/// <summary>Distils each factor net of a one-site chain into a formula with <see cref="SymbolicRegression"/>: samples the net over
/// the domain it was trained on (the factor inputs of a history's daylight rows, or the feature specification's physical
/// ranges), searches, keeps the formula when R² against the net ≥ <see cref="DistillOptions.KeepR2"/>, and scores it against
/// the truth when the site file's physics is the truth (a simulated site): PVWatts DC with the site's γ, cell temperature model
/// and losses for the module, the PVWatts inverter with the site's η for the inverter; the shading truth is unknown.</summary>
public sealed class FactorDistiller(ChainModel model, Site site, DistillOptions options)
{
    private const double MinLoad = 0.02;

    /// <summary>Samples of every factor (inputs drawn from <paramref name="features"/>' daylight rows when given).</summary>
    public IReadOnlyList<FactorSample> Sample(ChainFeatureSet? features)
    {
        var rng = new Random(options.Seed);
        var n = options.Samples;
        double[][] sun, weather, load;
        if (features is not null && Daylight(features).Count >= 50)
        {
            var rows = Daylight(features);
            var pick = Enumerable.Range(0, n).Select(_ => rows[rng.Next(rows.Count)]).ToArray();
            var poa = new float[features.Rows];
            var dc = new float[features.Rows];
            var ac = new float[features.Rows];
            model.Predict(features.X, ac, dc, poa, default);
            sun = [Col(pick, r => features.X[r, ChainColumns.SinAzimuth]), Col(pick, r => features.X[r, ChainColumns.CosAzimuth]),
                   Col(pick, r => features.X[r, ChainColumns.Elevation] * 90.0)];
            weather = [Col(pick, r => poa[r] * 1000.0), Col(pick, r => 20 + (20.0 * features.X[r, ChainColumns.TempAir])), Col(pick, r => 10.0 * features.X[r, ChainColumns.Wind])];
            var maxLoad = pick.Max(r => dc[r] * features.X[r, ChainColumns.DcAcRatio]);
            load = [Uniform(rng, n, MinLoad, Math.Max(maxLoad, 0.5))];
        }
        else
        {
            var az = Uniform(rng, n, 0, 2 * Math.PI);
            sun = [[.. az.Select(Math.Sin)], [.. az.Select(Math.Cos)], Uniform(rng, n, 0, 90)];
            weather = [Uniform(rng, n, 0, 1200), Uniform(rng, n, -10, 45), Uniform(rng, n, 0, 10)];
            load = [Uniform(rng, n, MinLoad, 1.3 * site.DcCapacityW / site.Inverter.AcCapacityW)];
        }
        return
        [
            new FactorSample(ChainFactors.Shading, sun, NetShading(sun), null),
            new FactorSample(ChainFactors.Module, weather, NetModule(weather), TruthModule(weather)),
            new FactorSample(ChainFactors.Inverter, load, NetInverter(load[0]), TruthInverter(load[0])),
        ];
    }

    /// <summary>Searches a formula for one factor. The inverter is searched as an efficiency curve η(load) below clipping and
    /// kept as <c>min(dc_load·η(dc_load), 1)</c>.</summary>
    public FactorDistillation Distill(FactorSample sample, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sample);
        var f = sample.Factor;
        var vars = f.VariableNames;
        var srOptions = new SrOptions
        {
            TimeBudget = TimeSpan.FromSeconds(options.SecondsPerFactor),
            Seed = options.Seed,
            Threads = options.Threads,
            Populations = Math.Max(4, 2 * options.Threads),
            MaxComplexity = 25,
            BinaryOperators = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div],
            UnaryOperators = f.Name == "inverter" ? [] : [UnaryOp.Exp],
        };
        SrResult search;
        Expr expr;
        if (f.Name == "inverter")
        {
            var keep = Enumerable.Range(0, sample.Rows).Where(i => sample.Net[i] < 0.999).ToList();
            var x = keep.Select(i => sample.Inputs[0][i]).ToArray();
            var eta = keep.Select(i => sample.Net[i] / sample.Inputs[0][i]).ToArray();
            search = SymbolicRegression.Fit(SrDataset.FromColumns(vars, [x], eta), srOptions, time, cancellationToken);
            expr = new Binary(BinaryOp.Min, Expr.Var(vars[0]) * search.Best.Expression, Expr.Const(1));
        }
        else
        {
            search = SymbolicRegression.Fit(SrDataset.FromColumns(vars, sample.Inputs, sample.Net), srOptions, time, cancellationToken);
            expr = search.Best.Expression;
        }
        var values = Evaluate(expr, vars, sample.Inputs);
        var r2Net = R2(sample.Net, values);
        double? r2Truth = sample.Truth is null ? null : R2(sample.Truth, values);
        var formula = new FactorFormula(f.Name, vars, f.Output.Name, ExprJson.ToNode(expr), expr.ToString(), expr.Complexity, r2Net, r2Truth, r2Net >= options.KeepR2);
        return new FactorDistillation(f, formula, search);
    }

    /// <summary>γ and the inverter efficiency read back from the formulas (when kept) and the nets, against the site file.</summary>
    public PhysicsCheck Check(Expr? module, Expr? inverter)
    {
        var gammaTrue = site.Planes.Sum(p => p.GammaPdcPerC * p.DcCapacityW) / site.DcCapacityW;
        double? gammaFormula = module is null ? null : Gamma(w => Evaluate(module, ChainFactors.Module.VariableNames, w));
        var gammaNet = Gamma(NetModule);
        var zeta = Enumerable.Range(0, 96).Select(i => 0.05 + (0.95 * i / 95.0)).ToArray();
        var loads = zeta.Select(z => z * site.Inverter.Pdc0W / site.Inverter.AcCapacityW).ToArray();
        var truth = TruthInverter(loads);
        double MaxError(double[] ac) => Enumerable.Range(0, loads.Length).Max(i => Math.Abs((ac[i] / loads[i]) / (truth[i] / loads[i]) - 1));
        double? invFormula = inverter is null ? null : MaxError(Evaluate(inverter, ChainFactors.Inverter.VariableNames, [loads]));
        return new PhysicsCheck(gammaTrue, gammaFormula, gammaNet, invFormula, MaxError(NetInverter(loads)));
    }

    // γ = s / (P − s·(Tc − 25)) with s = ∂P/∂T_air (central difference, ±1 °C) at T_air 25 °C, wind 1 m/s: P is linear in the
    // cell temperature, so P − s·(Tc − 25) is the power at 25 °C cells and s/that is γ.
    private double Gamma(Func<double[][], double[]> f)
    {
        double[] g = [400, 600, 800, 1000];
        double[] Repeat(double v) => [.. g.Select(_ => v)];
        var p = f([g, Repeat(25), Repeat(1)]);
        var hi = f([g, Repeat(26), Repeat(1)]);
        var lo = f([g, Repeat(24), Repeat(1)]);
        return g.Select((gi, i) =>
        {
            var s = (hi[i] - lo[i]) / 2;
            var tc = site.CellTemperature.CellC(gi, 25, 1);
            return s / (p[i] - (s * (tc - 25)));
        }).Average();
    }

    private double[] NetShading(double[][] sun) => RunChain(sun[0].Length, (row, i) =>
    {
        row[ChainColumns.SinAzimuth] = (float)sun[0][i];
        row[ChainColumns.CosAzimuth] = (float)sun[1][i];
        row[ChainColumns.Elevation] = (float)(sun[2][i] / 90);
    }, Output.Shading);

    // the chain with ground = POA (beam and sky 0) gives POA exactly to the module
    private double[] NetModule(double[][] w) => RunChain(w[0].Length, (row, i) =>
    {
        row[ChainColumns.Ground] = (float)(w[0][i] / 1000);
        row[ChainColumns.TempAir] = (float)((w[1][i] - 20) / 20);
        row[ChainColumns.Wind] = (float)(w[2][i] / 10);
        row[ChainColumns.DcAcRatio] = 1;
    }, Output.Dc);

    // a reference module output dc0, then the DC/AC ratio load/dc0 gives the inverter its load
    private double[] NetInverter(double[] load)
    {
        var dc0 = NetModule([[1000], [25], [1]])[0];
        return RunChain(load.Length, (row, i) =>
        {
            row[ChainColumns.Ground] = 1;
            row[ChainColumns.TempAir] = (25f - 20f) / 20f;
            row[ChainColumns.Wind] = 0.1f;
            row[ChainColumns.DcAcRatio] = (float)(load[i] / dc0);
        }, Output.Ac);
    }

    /// <summary>The inverter net's efficiency AC/DC at loads (DC per W of AC rating).</summary>
    public double[] NetEfficiency(double[] load)
    {
        ArgumentNullException.ThrowIfNull(load);
        var ac = NetInverter(load);
        return [.. ac.Select((v, i) => v / load[i])];
    }

    private enum Output
    {
        Shading,
        Dc,
        Ac,
    }

    private double[] RunChain(int n, Action<Span<float>, int> fill, Output output)
    {
        var x = new Tensor(n, ChainColumns.Count, "features");
        for (var i = 0; i < n; i++)
        {
            fill(x.Row(i), i);
        }
        var values = new float[n];
        model.Predict(x, output == Output.Ac ? values : default, output == Output.Dc ? values : default, default, output == Output.Shading ? values : default);
        return [.. values.Select(v => (double)v)];
    }

    private double[]? TruthModule(double[][] w)
    {
        var loss = 1 - (site.LossesPct / 100);
        var gamma = site.Planes.Sum(p => p.GammaPdcPerC * p.DcCapacityW) / site.DcCapacityW;
        return [.. Enumerable.Range(0, w[0].Length).Select(i =>
            PvWatts.DcPowerW(w[0][i], site.CellTemperature.CellC(w[0][i], w[1][i], w[2][i]), 1, gamma) * loss)];
    }

    private double[] TruthInverter(double[] load) =>
        [.. load.Select(l => PvWatts.Inverter(l * site.Inverter.AcCapacityW, site.Inverter.Pdc0W, site.Inverter.EtaNominal).AcPowerW / site.Inverter.AcCapacityW)];

    /// <summary>A formula over columns (one array per variable).</summary>
    public static double[] Evaluate(Expr expr, IReadOnlyList<string> variables, double[][] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        var output = new double[columns[0].Length];
        FormulaProgram.Compile(expr, variables).Evaluate<double>(columns, output);
        return output;
    }

    /// <summary>1 − SSE/SST of <paramref name="predicted"/> against <paramref name="reference"/>.</summary>
    public static double R2(double[] reference, double[] predicted)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(predicted);
        var mean = reference.Average();
        double sse = 0, sst = 0;
        for (var i = 0; i < reference.Length; i++)
        {
            sse += (predicted[i] - reference[i]) * (predicted[i] - reference[i]);
            sst += (reference[i] - mean) * (reference[i] - mean);
        }
        return double.IsFinite(sse) && sst > 0 ? 1 - (sse / sst) : double.NaN;
    }

    private static List<int> Daylight(ChainFeatureSet f) =>
        [.. Enumerable.Range(0, f.Rows).Where(i => f.IsDaylight(i) && f.X[i, ChainColumns.Beam] + f.X[i, ChainColumns.SkyDiffuse] > 0.01)];

    private static double[] Col(int[] rows, Func<int, double> value) => [.. rows.Select(value)];

    private static double[] Uniform(Random rng, int n, double lo, double hi) => [.. Enumerable.Range(0, n).Select(_ => lo + ((hi - lo) * rng.NextDouble()))];
}
