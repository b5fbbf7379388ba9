namespace PvEdge.Shared.Learning.Chain;

/// <summary>Column layout of the chain's normalised input rows, as produced by
/// <see cref="Features.ChainFeatureSpecification"/>. Every index here is one place.</summary>
public static class ChainColumns
{
    public const int SinAzimuth = 0;
    public const int CosAzimuth = 1;
    public const int Elevation = 2;
    public const int Beam = 3;
    public const int SkyDiffuse = 4;
    public const int Ground = 5;
    public const int TempAir = 6;
    public const int Wind = 7;
    public const int DcAcRatio = 8;
    public const int Site = 9;
    public const int Count = 10;

    /// <summary>Label columns: AC per kW of AC rating, DC per kWp, POA in kW/m² (NaN where not measured).</summary>
    public const int LabelAc = 0;
    public const int LabelDc = 1;
    public const int LabelPoa = 2;
    public const int LabelCount = 3;

    /// <summary>The sun position of a normalised input row (azimuth in [0, 360) and elevation, degrees): the inverse of the
    /// feature specification's encoding.</summary>
    public static (double AzimuthDeg, double ElevationDeg) SunPositionDeg(Tensor x, int row)
    {
        ArgumentNullException.ThrowIfNull(x);
        var azimuthDeg = Math.Atan2(x[row, SinAzimuth], x[row, CosAzimuth]) * 180 / Math.PI;
        return (azimuthDeg < 0 ? azimuthDeg + 360 : azimuthDeg, x[row, Elevation] * 90.0);
    }
}

/// <summary>Sizes of the chain's networks. <paramref name="InverterCurve"/> selects N3's form: true (current) is an efficiency
/// curve AC = η₀·load + η₁·load² − p₀ (the PVWatts inverter is exactly this below clipping) plus a small learned residual;
/// false is the earlier form AC = (0.85 + 0.15·sigmoid(net(load)))·load, kept so bundles written with it still load.</summary>
public sealed record ChainConfig(int LatentSize = 6, int ShadingHidden = 32, int ModuleHidden = 16, int InverterHidden = 8, bool InverterCurve = true)
{
    public static ChainConfig Default { get; } = new();
}

/// <summary>The networks shared by every site: N1's beam shading field s(sun azimuth, elevation, site code) ∈ [0,1],
/// N2's module correction and N3's inverter efficiency.</summary>
public sealed class ChainNets
{
    public ChainNets(ChainConfig config, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(config);
        Config = config;
        Shading = new Mlp([3 + config.LatentSize, config.ShadingHidden, config.ShadingHidden, 1], Activation.Tanh, Activation.Sigmoid, rng, "n1.shading");
        Module = new Mlp([3, config.ModuleHidden, config.ModuleHidden, 1], Activation.Tanh, Activation.Identity, rng, "n2.module");
        Inverter = new Mlp([1, config.InverterHidden, 1], Activation.Tanh, Activation.Identity, rng, "n3.inverter");
        // start the shading field open (s ≈ 0.95) rather than half shaded
        Shading.Layers[^1].Bias.Data[0] = 3f;
        if (config.InverterCurve)
        {
            // a generic prior, not the simulator's curve: 97 % flat with a no-load loss of 0.5 % of the rating; residual zero
            InverterCurve = new Linear(2, 1, rng, Activation.Identity, "n3.curve");
            InverterCurve.Weight.Data[0] = 0.97f;
            InverterCurve.Weight.Data[1] = 0f;
            InverterCurve.Bias.Data[0] = -0.005f;
            Array.Clear(Inverter.Layers[^1].Weight.Data);
        }
        else
        {
            // start the inverter near 96 % efficiency
            Inverter.Layers[^1].Bias.Data[0] = 1.5f;
        }
    }

    /// <summary>Scale of N3's residual efficiency x·scale·tanh(net(x)) in the curve form (±1 % of efficiency at most).</summary>
    public const float InverterResidualScale = 0.01f;

    public ChainConfig Config { get; }

    public Mlp Shading { get; }

    public Mlp Module { get; }

    public Mlp Inverter { get; }

    /// <summary>N3's efficiency curve [load, load²] → AC per kW AC before the residual (null in the earlier sigmoid form).</summary>
    public Linear? InverterCurve { get; }

    /// <summary>Every N3 parameter (the curve, when present, and the residual net).</summary>
    public IEnumerable<Tensor> InverterParameters => InverterCurve is null ? Inverter.Parameters : InverterCurve.Parameters.Concat(Inverter.Parameters);

    public IEnumerable<Tensor> Parameters => Shading.Parameters.Concat(Module.Parameters).Concat(InverterParameters);

    /// <summary>A copy whose shading field has <paramref name="extra"/> more units in each hidden layer that change nothing yet:
    /// the new first-layer units take <paramref name="initFirst"/>'s weights (column j of the first layer, inputs then bias),
    /// the new second-layer units see only the new first-layer units (weights from <paramref name="rng"/>), and their output
    /// weights are zero, so the field is the same function until training moves them.</summary>
    public ChainNets WithWiderShading(int extra, Action<int, Span<float>> initFirst, SeededRandom rng)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(extra);
        ArgumentNullException.ThrowIfNull(initFirst);
        ArgumentNullException.ThrowIfNull(rng);
        var h = Config.ShadingHidden;
        var wide = new ChainNets(Config with { ShadingHidden = h + extra }, new SeededRandom(0));
        foreach (var (src, dst) in Module.Parameters.Concat(InverterParameters).Zip(wide.Module.Parameters.Concat(wide.InverterParameters)))
        {
            src.Data.CopyTo(dst.Data, 0);
        }
        var (l0, l1, l2) = (Shading.Layers[0], Shading.Layers[1], Shading.Layers[2]);
        var (w0, w1, w2) = (wide.Shading.Layers[0], wide.Shading.Layers[1], wide.Shading.Layers[2]);
        Array.Clear(w0.Weight.Data);
        Array.Clear(w1.Weight.Data);
        Array.Clear(w0.Bias.Data);
        Array.Clear(w1.Bias.Data);
        var column = new float[l0.Inputs + 1];
        for (var j = 0; j < h + extra; j++)
        {
            if (j >= h)
            {
                Array.Clear(column);
                initFirst(j - h, column);
            }
            for (var i = 0; i < l0.Inputs; i++)
            {
                w0.Weight[i, j] = j < h ? l0.Weight[i, j] : column[i];
            }
            w0.Bias.Data[j] = j < h ? l0.Bias.Data[j] : column[^1];
        }
        for (var i = 0; i < h + extra; i++)
        {
            for (var j = 0; j < h + extra; j++)
            {
                w1.Weight[i, j] = i < h && j < h ? l1.Weight[i, j] : i >= h && j >= h ? (float)rng.Uniform(-1, 1) : 0f;
            }
            w1.Bias.Data[i] = i < h ? l1.Bias.Data[i] : 0f;
            w2.Weight[i, 0] = i < h ? l2.Weight[i, 0] : 0f;
        }
        w2.Bias.Data[0] = l2.Bias.Data[0];
        return wide;
    }

    /// <summary>A deep copy (same config, same values).</summary>
    public ChainNets Clone()
    {
        var copy = new ChainNets(Config, new SeededRandom(0));
        foreach (var (src, dst) in Parameters.Zip(copy.Parameters))
        {
            src.Data.CopyTo(dst.Data, 0);
        }
        return copy;
    }
}

/// <summary>Per-site parameters: the shading code z (input of the shading field), the diffuse sky-view factor
/// (sigmoid of a logit), the DC gain (nameplate error × soiling × losses) and the scale of the thermal correction.</summary>
public sealed class SiteParameters
{
    public const float DefaultGain = 0.86f;

    public SiteParameters(int sites, int latentSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sites);
        Latent = new Tensor(sites, latentSize, "site.latent");
        SkyViewLogit = new Tensor(sites, 1, "site.sky_view_logit");
        Gain = new Tensor(sites, 1, "site.gain");
        Thermal = new Tensor(sites, 1, "site.thermal");
        Array.Fill(SkyViewLogit.Data, 2.5f);
        Array.Fill(Gain.Data, DefaultGain);
        Array.Fill(Thermal.Data, 1f);
    }

    public int Sites => Gain.Rows;

    public Tensor Latent { get; }

    public Tensor SkyViewLogit { get; }

    public Tensor Gain { get; }

    public Tensor Thermal { get; }

    public IEnumerable<Tensor> Parameters => [Latent, SkyViewLogit, Gain, Thermal];

    /// <summary>One site whose values are the mean over these sites (the prior a new site starts from).</summary>
    public SiteParameters Mean()
    {
        var m = new SiteParameters(1, Latent.Cols);
        foreach (var (src, dst) in Parameters.Zip(m.Parameters))
        {
            for (var c = 0; c < src.Cols; c++)
            {
                var s = 0.0;
                for (var r = 0; r < src.Rows; r++)
                {
                    s += src[r, c];
                }
                dst[0, c] = (float)(s / src.Rows);
            }
        }
        return m;
    }
}

/// <summary>Target values of the beam shading field at fixed sun positions (<see cref="ChainModel.ShadingTeacher"/>).</summary>
public sealed record ShadingTeacher(Tensor SunInputs, Tensor Targets, float Weight);

/// <summary>The outputs of the chain for a batch, each n×1 in physical (normalised) units.</summary>
public readonly record struct ChainOutputs(Var Shading, Var SkyView, Var PoaKwm2, Var DcPerKwp, Var AcPerKwac);

/// <summary>The chain: N1 = exact transposition (inputs) × learned beam shading field + learned sky-view factor →
/// effective POA; N2 = module → DC per kWp; N3 = inverter → AC per kW AC, clipped at the rating.
/// Priors: outputs are non-negative by construction, AC ≤ rating by a hard minimum, and a penalty keeps DC monotone in irradiance.</summary>
public sealed class ChainModel
{
    private readonly Tensor _one = new(1, 1, [1f]);

    public ChainModel(ChainNets nets, SiteParameters sites)
    {
        Nets = nets ?? throw new ArgumentNullException(nameof(nets));
        Sites = sites ?? throw new ArgumentNullException(nameof(sites));
    }

    public ChainNets Nets { get; }

    public SiteParameters Sites { get; }

    public IEnumerable<Tensor> Parameters => Nets.Parameters.Concat(Sites.Parameters);

    /// <summary>A one-site model with a copy of these networks and the mean of these sites: where a new site starts from
    /// (fine-tuning, zero-shot), and the foundation a bundle carries.</summary>
    public ChainModel AtFleetMean() => new(Nets.Clone(), Sites.Mean());

    /// <summary>Weight of the monotonicity penalty (DC at 1.05·E must not be below DC at E).</summary>
    public float MonotonePenalty { get; set; } = 10f;

    /// <summary>0: squared error on the labels; above 0, the Huber loss with this δ (fractions of the rating): measured
    /// telemetry has snow, outages and curtailment that the weather does not explain, and they should not pull the fit.</summary>
    public float HuberDelta { get; set; }

    /// <summary>Weight of N3's second AC loss on rows that measure DC: the inverter fed the measured DC (teacher forcing), which
    /// ties the efficiency curve to measured AC/DC pairs instead of leaving it to trade with the module net's errors.</summary>
    public float MeasuredDcInverterWeight { get; set; } = 1f;

    /// <summary>Weight of the L2 prior on the site codes (keeps fine-tuned codes in the pretrained distribution).</summary>
    public float LatentPenalty { get; set; } = 1e-3f;

    /// <summary>A one-site model's local correction of its shading field near the sun positions of the history it was fitted on
    /// (<see cref="ShadingCorrection"/>), added to the field and clamped to [0, 1]; null: none. Set after training, by the
    /// nightly fine-tuning (<see cref="AdaptationOptions.LocalCorrection"/>); not part of the bundle's ONNX graph.</summary>
    public ShadingCorrection? Correction { get; set; }

    /// <summary>A one-site model's bound on its shading factor below the sky its history saw (<see cref="ShadingCeiling"/>),
    /// applied after <see cref="Correction"/>; null: none. Set after training, by the nightly fine-tuning
    /// (<see cref="AdaptationOptions.Ceiling"/>); not part of the bundle's ONNX graph.</summary>
    public ShadingCeiling? Ceiling { get; set; }

    /// <summary>The chain on a batch; <paramref name="shadingOffset"/> (n×1), when given, shifts each row's shading factor instead
    /// of <see cref="Correction"/> (clamped to [0, 1]).</summary>
    public ChainOutputs Forward(Tape tape, Var x, Tensor? shadingOffset = null)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var site = tape.SliceCols(x, ChainColumns.Site, 1);
        var z = tape.Gather(tape.Param(Sites.Latent), site);
        var sunPos = tape.SliceCols(x, ChainColumns.SinAzimuth, 3);
        var s = Shading(tape, tape.ConcatCols(sunPos, z));
        if ((shadingOffset ?? Correction?.ForRows(tape.Value(x))) is { } shift)
        {
            s = tape.Clamp(tape.Add(s, tape.Input(shift)), 0f, 1f);
        }
        if (Ceiling?.ForRows(tape.Value(x)) is { } ceiling)
        {
            s = tape.Min(s, tape.Input(ceiling));
        }
        var svf = tape.Sigmoid(tape.Gather(tape.Param(Sites.SkyViewLogit), site));
        var beam = tape.SliceCols(x, ChainColumns.Beam, 1);
        var sky = tape.SliceCols(x, ChainColumns.SkyDiffuse, 1);
        var ground = tape.SliceCols(x, ChainColumns.Ground, 1);
        var poa = tape.Add(tape.Add(tape.Mul(s, beam), tape.Mul(svf, sky)), ground);
        var dc = Module(tape, x, site, poa);
        var ratio = tape.SliceCols(x, ChainColumns.DcAcRatio, 1);
        var ac = Inverter(tape, tape.Mul(dc, ratio));
        return new ChainOutputs(s, svf, poa, dc, ac);
    }

    /// <summary>Training only: a floor on the shading sigmoid's slope, ds/dlogit ≥ this. The value of s is unchanged (s = σ(l) +
    /// leak·(l − l), the second term a constant copy), but where the pretrained field is saturated (s = 1.0000 over open sky
    /// that is in fact shaded by a narrow chimney) the rows still pull the logit down instead of vanishing.</summary>
    public float ShadingGradientLeak { get; set; }

    private Var Shading(Tape tape, Var input)
    {
        if (ShadingGradientLeak <= 0)
        {
            return Nets.Shading.Forward(tape, input);
        }
        var logit = Nets.Shading.ForwardLogits(tape, input);
        var value = tape.Value(logit);
        var frozen = tape.Input(new Tensor(value.Rows, value.Cols, [.. value.Data]));
        return tape.Add(tape.Sigmoid(logit), tape.MulScalar(tape.Sub(logit, frozen), ShadingGradientLeak));
    }

    /// <summary>N3: AC per kW of AC rating from the load (DC per kW of AC rating), never negative, clipped at the rating.</summary>
    public Var Inverter(Tape tape, Var load)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (Nets.InverterCurve is not { } curve)
        {
            var eta = tape.AddScalar(tape.MulScalar(tape.Sigmoid(Nets.Inverter.Forward(tape, load)), 0.15f), 0.85f);
            return tape.Min(tape.Mul(eta, load), tape.Input(_one));
        }
        var core = curve.Forward(tape, tape.ConcatCols(load, tape.Square(load)));
        var residual = tape.Mul(tape.MulScalar(tape.Tanh(Nets.Inverter.Forward(tape, load)), ChainNets.InverterResidualScale), load);
        return tape.Min(tape.Relu(tape.Add(core, residual)), tape.Input(_one));
    }

    private Var Module(Tape tape, Var x, Var site, Var poa)
    {
        var weather = tape.SliceCols(x, ChainColumns.TempAir, 2);
        var c = tape.MulScalar(tape.Tanh(Nets.Module.Forward(tape, tape.ConcatCols(poa, weather))), 0.5f);
        var thermal = tape.Gather(tape.Param(Sites.Thermal), site);
        var gain = tape.Gather(tape.Param(Sites.Gain), site);
        var factor = tape.AddScalar(tape.Mul(c, thermal), 1f);
        return tape.Mul(tape.Mul(poa, factor), tape.Relu(gain));
    }

    /// <summary>The training loss of one shard: masked MSE on AC, DC and POA plus the priors.</summary>
    public Var Loss(Tape tape, ShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(tape);
        var x = tape.Input(batch.X);
        var o = Forward(tape, x);
        var pred = tape.ConcatCols(o.AcPerKwac, o.DcPerKwp, o.PoaKwm2);
        var loss = HuberDelta > 0 ? tape.HuberLoss(pred, batch.Y, HuberDelta, batch.LossScale) : tape.MseLoss(pred, batch.Y, batch.LossScale);
        if (MonotonePenalty > 0)
        {
            var site = tape.SliceCols(x, ChainColumns.Site, 1);
            var brighter = tape.AddScalar(tape.MulScalar(o.PoaKwm2, 1.05f), 0.01f);
            var dcBright = Module(tape, x, site, brighter);
            var violation = tape.Relu(tape.Sub(o.DcPerKwp, dcBright));
            loss = tape.Add(loss, tape.MulScalar(tape.Mean(violation), MonotonePenalty * batch.Fraction));
        }
        if (ShadingTeacher is { } teacher && teacher.Weight > 0)
        {
            var site0 = tape.Gather(tape.Param(Sites.Latent), tape.Input(new Tensor(teacher.SunInputs.Rows, 1)));
            var st = Shading(tape, tape.ConcatCols(tape.Input(teacher.SunInputs), site0));
            loss = tape.Add(loss, tape.MulScalar(tape.MseLoss(st, teacher.Targets), teacher.Weight * batch.Fraction));
        }
        if (MeasuredDcInverterWeight > 0 && MeasuredDcRows(batch) is var (load, target))
        {
            var acFromDc = Inverter(tape, tape.Input(load));
            loss = tape.Add(loss, tape.MulScalar(tape.MseLoss(acFromDc, target, batch.LossScale), MeasuredDcInverterWeight));
        }
        if (LatentPenalty > 0)
        {
            loss = tape.Add(loss, tape.MulScalar(tape.Mean(tape.Square(tape.Param(Sites.Latent))), LatentPenalty * batch.Fraction));
        }
        return loss;
    }

    /// <summary>Training only: an anchor of site 0's shading field at fixed sun positions to target values (squared error,
    /// weighted), which keeps a refinement from moving the field where the history says nothing.</summary>
    public ShadingTeacher? ShadingTeacher { get; set; }

    /// <summary>Measured loads below this (DC per W of AC rating) are left out of the inverter's measured-DC loss: near zero the
    /// telemetry is floored at 0, so its noise no longer averages out and would bias the no-load loss.</summary>
    public const float MinMeasuredLoad = 0.02f;

    /// <summary>N3's loss alone on the rows that measure DC (AC from the measured DC against measured AC), or a zero loss when
    /// the shard has none: the objective of <c>ChainTraining.PolishInverter</c>.</summary>
    public Var MeasuredDcInverterLoss(Tape tape, ShardBatch batch)
    {
        ArgumentNullException.ThrowIfNull(tape);
        if (MeasuredDcRows(batch) is not var (load, target))
        {
            return tape.MulScalar(tape.Sum(Inverter(tape, tape.Input(new Tensor(1, 1, [0f])))), 0f);
        }
        return tape.MseLoss(Inverter(tape, tape.Input(load)), target, batch.LossScale);
    }

    // the load of rows with a DC label (0 elsewhere) and their AC label (NaN where DC or AC is missing or the load is below
    // MinMeasuredLoad), or null when none qualifies
    private static (Tensor Load, Tensor Target)? MeasuredDcRows(ShardBatch batch)
    {
        var n = batch.X.Rows;
        Tensor? load = null, target = null;
        for (var r = 0; r < n; r++)
        {
            var dc = batch.Y[r, ChainColumns.LabelDc];
            var ac = batch.Y[r, ChainColumns.LabelAc];
            var measured = dc * batch.X[r, ChainColumns.DcAcRatio];
            if (float.IsNaN(dc) || float.IsNaN(ac) || !(measured >= MinMeasuredLoad))
            {
                continue;
            }
            if (load is null)
            {
                load = new Tensor(n, 1, "measured_load");
                target = new Tensor(n, 1, "measured_ac");
                Array.Fill(target.Data, float.NaN);
            }
            load.Data[r] = measured;
            target!.Data[r] = ac;
        }
        return load is null ? null : (load, target!);
    }

    /// <summary>Inference over many rows: fills AC, DC, POA and s per row (uses a private tape in chunks); a non-empty
    /// <paramref name="shadingOffset"/> shifts each row's shading factor (see <see cref="Forward"/>).</summary>
    public void Predict(Tensor x, Span<float> acPerKwac, Span<float> dcPerKwp, Span<float> poaKwm2, Span<float> shading,
        ReadOnlySpan<float> shadingOffset = default)
    {
        ArgumentNullException.ThrowIfNull(x);
        var tape = new Tape();
        const int Chunk = 1024;
        for (var start = 0; start < x.Rows; start += Chunk)
        {
            var rows = Math.Min(Chunk, x.Rows - start);
            var part = new Tensor(rows, x.Cols, x.Data[(start * x.Cols)..((start + rows) * x.Cols)]);
            tape.Reset();
            var o = Forward(tape, tape.Input(part), shadingOffset.IsEmpty ? null : new Tensor(rows, 1, shadingOffset.Slice(start, rows).ToArray()));
            for (var r = 0; r < rows; r++)
            {
                if (!acPerKwac.IsEmpty) { acPerKwac[start + r] = tape.Value(o.AcPerKwac).Data[r]; }
                if (!dcPerKwp.IsEmpty) { dcPerKwp[start + r] = tape.Value(o.DcPerKwp).Data[r]; }
                if (!poaKwm2.IsEmpty) { poaKwm2[start + r] = tape.Value(o.PoaKwm2).Data[r]; }
                if (!shading.IsEmpty) { shading[start + r] = tape.Value(o.Shading).Data[r]; }
            }
        }
    }

    /// <summary>The learned beam shading field of one site at a sun position (with <see cref="Correction"/> and
    /// <see cref="Ceiling"/> when set).</summary>
    public float ShadingAt(int site, double azimuthDeg, double elevationDeg)
    {
        var input = new float[3 + Sites.Latent.Cols];
        input[0] = (float)Math.Sin(azimuthDeg * Math.PI / 180);
        input[1] = (float)Math.Cos(azimuthDeg * Math.PI / 180);
        input[2] = (float)(elevationDeg / 90);
        Sites.Latent.Row(site).CopyTo(input.AsSpan(3));
        var w = Math.Max(input.Length, Nets.Config.ShadingHidden);
        var s = Nets.Shading.PredictScalar(input, new float[w], new float[w]);
        s = Correction is null ? s : (float)Math.Clamp(s + Correction.At(azimuthDeg, elevationDeg), 0, 1);
        return Ceiling is null ? s : Math.Min(s, Ceiling.At(azimuthDeg, elevationDeg));
    }
}
