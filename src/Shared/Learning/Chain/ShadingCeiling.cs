using PvEdge.Shared.Features;

namespace PvEdge.Shared.Learning.Chain;

/// <summary>A bound on one site's beam shading factor below the sky its history's sun paths swept, from the fact that what shades
/// an array stands on the ground (a tree, a chimney, the next roof, a hill), so that at one sun azimuth the beam can only be more
/// shaded lower down: below the lowest elevation the history's sun reached at an azimuth, the factor is at most the model's own
/// value there. A lowering sun (autumn, early winter) meets the obstacle it passed through the days before, not the open sky the
/// field's extrapolation may draw. Inside the band it sets nothing: the history speaks there.
/// The mirror bound (above the band, at least the value at its top) is left out: over a spring test the fine-tuned-once model
/// lost by it (an experiment build on the headline set: 1.62 → 1.63 × the noise floor; a tree's shade deepens as its
/// leaves come out while the sun climbs). An overhang (eaves, a balcony above a façade array) breaks the assumption; the next night's
/// re-tuning has seen the new sky and moves the bound.</summary>
public sealed class ShadingCeiling
{
    /// <summary>Width of an azimuth bin (degrees): the sun's path crosses one in a few minutes, and an obstacle's side edge is
    /// vertical.</summary>
    public const double BinDeg = 0.5;

    /// <summary>Beam on the plane (kW/m²) above which a row tells the fit about the shading factor at its sun position: overcast
    /// rows, and the sun behind the plane, say nothing of it.</summary>
    public const float MinBeamKwm2 = 0.05f;

    /// <summary>How far below the band's edge the bound starts (degrees): the band's own rows, read back from the model's float
    /// inputs, must not fall under it.</summary>
    public const double MarginDeg = 0.01;

    private readonly SunPathBand _band;
    private readonly float[] _atLow;

    private ShadingCeiling(SunPathBand band, float[] atLow) => (_band, _atLow) = (band, atLow);

    /// <summary>Azimuth bins the history's sun crossed.</summary>
    public int SeenBins => Enumerable.Range(0, _band.Bins).Count(b => !double.IsNaN(_band.InBin(b).Low));

    /// <summary>The lowest elevation per azimuth bin swept by <paramref name="rows"/> with beam on the plane
    /// (<see cref="SunPathBand"/>), and <paramref name="model"/>'s shading factor (with its correction, without a
    /// ceiling) there.</summary>
    public static ShadingCeiling Fit(ChainModel model, ChainFeatureSet data, int[] rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rows);
        if (model.Ceiling is not null)
        {
            throw new InvalidOperationException("the model already carries a shading ceiling");
        }
        var lit = new bool[data.Rows];
        foreach (var r in rows)
        {
            lit[r] = data.X[r, ChainColumns.Beam] > MinBeamKwm2;
        }
        var band = SunPathBand.Sweep(data, r => lit[r], BinDeg);
        var atLow = new float[band.Bins];
        for (var b = 0; b < band.Bins; b++)
        {
            var low = band.InBin(b).Low;
            atLow[b] = double.IsNaN(low) ? 1f : model.ShadingAt(0, b * BinDeg, low);
        }
        return new ShadingCeiling(band, atLow);
    }

    /// <summary>The most the shading factor can be at a sun position (1 inside and above the band, and where the history saw no
    /// sun at that azimuth).</summary>
    public float At(double azimuthDeg, double elevationDeg)
    {
        var b = _band.Bin(azimuthDeg);
        return elevationDeg < _band.InBin(b).Low - MarginDeg ? _atLow[b] : 1f;
    }

    /// <summary>The bound for each row of a batch of normalised chain inputs.</summary>
    public Tensor ForRows(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var upper = new Tensor(x.Rows, 1, "shading_ceiling");
        for (var r = 0; r < x.Rows; r++)
        {
            var (azimuthDeg, elevationDeg) = ChainColumns.SunPositionDeg(x, r);
            upper.Data[r] = At(azimuthDeg, elevationDeg);
        }
        return upper;
    }
}
