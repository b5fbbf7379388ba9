using PvEdge.Shared.Features;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>A local correction of one site's beam shading factor, read from the history's own residuals near the sun
/// positions it saw: at a sun position, the kernel-weighted least-squares shift Δs of the shading factor that best explains
/// the AC residuals of the history rows around it (each row's residual over its AC's sensitivity to s), shrunk towards zero
/// by <see cref="CorrectionOptions.ThresholdSigmas"/> standard errors of that estimate (soft threshold), so that the
/// telemetry's noise moves nothing and shade the network has not drawn (a branch, the side of a chimney the sun crossed
/// yesterday) is followed. Far from the history's sun positions it is zero: it describes what the history saw, and a model
/// that predicts the next day (the gateway's nightly re-tuning) meets nearly the same sun path.</summary>
public sealed class ShadingCorrection
{
    private readonly double[] _azimuthDeg;
    private readonly double[] _elevationDeg;
    private readonly double[] _gr;
    private readonly double[] _gg;

    private ShadingCorrection(double[] azimuthDeg, double[] elevationDeg, double[] gr, double[] gg, double sigma, double relative, CorrectionOptions options)
    {
        _azimuthDeg = azimuthDeg;
        _elevationDeg = elevationDeg;
        _gr = gr;
        _gg = gg;
        NoiseSigma = sigma;
        NoiseRelative = relative;
        Options = options;
    }

    /// <summary>The history's AC residuals' spread (robust): an absolute part (fractions of the AC rating) and a part relative to
    /// the predicted AC. Each row counts by the inverse of its variance, and the threshold scales with it: an overcast window's
    /// small residuals must not make a clear day's noise look like shade.</summary>
    public double NoiseSigma { get; }

    public double NoiseRelative { get; }

    public CorrectionOptions Options { get; }

    /// <summary>History rows that carry information (labelled, AC sensitive to the beam).</summary>
    public int Points => _gr.Length;

    /// <summary>Fits the correction of <paramref name="model"/> (which must not carry one) on the labelled daylight
    /// <paramref name="rows"/> of <paramref name="data"/>.</summary>
    public static ShadingCorrection Fit(ChainModel model, ChainFeatureSet data, int[] rows, CorrectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        if (model.Correction is not null)
        {
            throw new InvalidOperationException("the model already carries a shading correction");
        }
        var n = data.Rows;
        var ac = new float[n];
        var s = new float[n];
        model.Predict(data.X, ac, [], [], s);
        // the AC's sensitivity to s by a finite step away from the nearer bound
        const float Step = 0.05f;
        var offset = new float[n];
        for (var r = 0; r < n; r++)
        {
            offset[r] = s[r] > 0.5f ? -Step : Step;
        }
        var shifted = new float[n];
        model.Predict(data.X, shifted, [], [], [], offset);
        var labelled = rows.Where(r => !float.IsNaN(data.Y[r, ChainColumns.LabelAc])).ToArray();
        var residual = labelled.Select(r => (double)data.Y[r, ChainColumns.LabelAc] - ac[r]).ToArray();
        var (sigma, relative) = NoiseModel(labelled.Select(r => (double)ac[r]).ToArray(), residual);
        var az = new List<double>();
        var el = new List<double>();
        var gr = new List<double>();
        var gg = new List<double>();
        for (var i = 0; i < labelled.Length; i++)
        {
            var r = labelled[i];
            var g = (shifted[r] - ac[r]) / (double)offset[r];
            if (!(Math.Abs(g) > 1e-4))
            {
                continue;
            }
            var variance = (sigma * sigma) + (relative * relative * ac[r] * ac[r]);
            az.Add(data.SunAzimuthDeg[r]);
            el.Add(data.SunElevationDeg[r]);
            gr.Add(g * residual[i] / variance);
            gg.Add(g * g / variance);
        }
        return new ShadingCorrection([.. az], [.. el], [.. gr], [.. gg], sigma, relative, options);
    }

    // the residuals' spread as an absolute part and a part relative to the predicted AC (a meter's accuracy has both): robust
    // spreads (1.4826 × median absolute residual) of the rows below and above the median prediction, solved for the two parts
    private static (double Sigma, double Relative) NoiseModel(double[] predicted, double[] residual)
    {
        if (residual.Length < 4)
        {
            return (Math.Max(1e-6, Spread(residual)), 0);
        }
        var order = Enumerable.Range(0, residual.Length).OrderBy(i => predicted[i]).ToArray();
        var (low, high) = (order[..(order.Length / 2)], order[(order.Length / 2)..]);
        double MeanSquare(int[] rows) => rows.Average(i => predicted[i] * predicted[i]);
        var (sLow, sHigh) = (Spread(low.Select(i => residual[i])), Spread(high.Select(i => residual[i])));
        var gap = MeanSquare(high) - MeanSquare(low);
        var relative2 = gap > 1e-9 ? Math.Max(0, ((sHigh * sHigh) - (sLow * sLow)) / gap) : 0;
        var sigma2 = Math.Max((sLow * sLow) - (relative2 * MeanSquare(low)), 0.01 * sLow * sLow);
        return (Math.Max(1e-6, Math.Sqrt(sigma2)), Math.Sqrt(relative2));
    }

    private static double Spread(IEnumerable<double> residuals)
    {
        var sorted = residuals.Select(Math.Abs).Order().ToArray();
        return sorted.Length == 0 ? 0 : 1.4826 * sorted[sorted.Length / 2];
    }

    /// <summary>The shift of the shading factor at a sun position (0 where the history says nothing clear); the model clamps
    /// the shifted factor to [0, 1].</summary>
    public double At(double azimuthDeg, double elevationDeg)
    {
        double sgr = 0, sgg = 0, sww = 0;
        var (ka, ke) = (0.5 / (Options.AzimuthWidthDeg * Options.AzimuthWidthDeg), 0.5 / (Options.ElevationWidthDeg * Options.ElevationWidthDeg));
        var (ra, re) = (3 * Options.AzimuthWidthDeg, 3 * Options.ElevationWidthDeg);
        for (var i = 0; i < _gr.Length; i++)
        {
            var de = _elevationDeg[i] - elevationDeg;
            if (Math.Abs(de) > re)
            {
                continue;
            }
            var da = Math.Abs(_azimuthDeg[i] - azimuthDeg);
            da = Math.Min(da, 360 - da);
            if (da > ra)
            {
                continue;
            }
            var w = Math.Exp(-(ka * da * da) - (ke * de * de));
            sgr += w * _gr[i];
            sgg += w * _gg[i];
            sww += w * w * _gg[i];
        }
        var prior = 1 / (Options.PriorSpread * Options.PriorSpread);
        var estimate = sgr / (sgg + prior);
        var error = Math.Sqrt(sww) / (sgg + prior);
        var shrunk = Math.Max(0, Math.Abs(estimate) - (Options.ThresholdSigmas * error));
        return Math.CopySign(shrunk, estimate);
    }

    /// <summary>The shift for each row of a batch of normalised chain inputs.</summary>
    public Tensor ForRows(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var shift = new Tensor(x.Rows, 1, "shading_correction");
        for (var r = 0; r < x.Rows; r++)
        {
            var (azimuthDeg, elevationDeg) = ChainColumns.SunPositionDeg(x, r);
            shift.Data[r] = (float)At(azimuthDeg, elevationDeg);
        }
        return shift;
    }
}

/// <summary>Kernel of a <see cref="ShadingCorrection"/>: Gaussian widths over sun azimuth and elevation (degrees; the sun at one
/// clock time moves by a few tenths of a degree from one day to the next, and the 15-minute samples of a day lie 2–4° of azimuth
/// apart), the soft threshold in standard errors, and the prior spread of the shift. The defaults were chosen on the held-out
/// fleets' worst sites (<c>modelexport study --rolling 1</c>): widths of 1° and 0.5° gave a little less, 2° and 1° or 0.5° and
/// 1° less again; a threshold of 2 standard errors gained a little more on them but let noise through on unshaded sites
/// (1.04 → 1.08 × the noise floor on twelve of them; 3: unchanged), 1 more noise still.</summary>
public sealed record CorrectionOptions(double AzimuthWidthDeg = 0.5, double ElevationWidthDeg = 0.25, double ThresholdSigmas = 3.0, double PriorSpread = 0.5);
