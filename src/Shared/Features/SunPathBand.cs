namespace PvEdge.Shared.Features;

/// <summary>The band of sky a history's sun swept: per azimuth bin, the lowest and highest elevation of the sun's paths over the
/// rows chosen (consecutive chosen rows joined by straight segments, and optionally each row's own position). NaN where the sun
/// never was.</summary>
public sealed class SunPathBand
{
    private readonly double[] _low;
    private readonly double[] _high;

    private SunPathBand(double binDeg, double[] low, double[] high) => (BinDeg, _low, _high) = (binDeg, low, high);

    public double BinDeg { get; }

    public int Bins => _low.Length;

    /// <summary>The band of the rows of <paramref name="data"/> for which <paramref name="use"/> holds, in bins of
    /// <paramref name="binDeg"/> degrees of azimuth; a segment marks the bins whose centre it crosses, and with
    /// <paramref name="rowBins"/> each row also marks the bin of its rounded azimuth (a row at a path's end, or alone).</summary>
    public static SunPathBand Sweep(ChainFeatureSet data, Func<int, bool> use, double binDeg, bool rowBins = true)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(use);
        var bins = (int)Math.Round(360 / binDeg);
        var low = new double[bins];
        var high = new double[bins];
        Array.Fill(low, double.NaN);
        Array.Fill(high, double.NaN);
        void Mark(int bin, double elevationDeg)
        {
            var b = ((bin % bins) + bins) % bins;
            low[b] = double.IsNaN(low[b]) ? elevationDeg : Math.Min(low[b], elevationDeg);
            high[b] = double.IsNaN(high[b]) ? elevationDeg : Math.Max(high[b], elevationDeg);
        }
        var step = data.Rows > 1 ? data.Times[1] - data.Times[0] : TimeSpan.Zero;
        var previous = false;
        for (var r = 0; r < data.Rows; r++)
        {
            var current = use(r);
            if (current && rowBins)
            {
                Mark((int)Math.Round(data.SunAzimuthDeg[r] / binDeg), data.SunElevationDeg[r]);
            }
            if (current && previous && data.Times[r] - data.Times[r - 1] == step)
            {
                double a0 = data.SunAzimuthDeg[r - 1], a1 = data.SunAzimuthDeg[r], e0 = data.SunElevationDeg[r - 1], e1 = data.SunElevationDeg[r];
                if (Math.Abs(a1 - a0) <= 90)
                {
                    // (across north the segment would wrap: skipped)
                    for (var b = (int)Math.Ceiling(Math.Min(a0, a1) / binDeg); b * binDeg <= Math.Max(a0, a1); b++)
                    {
                        Mark(b, a1 == a0 ? e0 : e0 + ((e1 - e0) * ((b * binDeg) - a0) / (a1 - a0)));
                    }
                }
            }
            previous = current;
        }
        return new SunPathBand(binDeg, low, high);
    }

    /// <summary>The bin of an azimuth.</summary>
    public int Bin(double azimuthDeg) => (((int)Math.Round(azimuthDeg / BinDeg) % Bins) + Bins) % Bins;

    /// <summary>The lowest and highest elevation the sun swept in an azimuth's bin (NaN, NaN where it never was).</summary>
    public (double Low, double High) At(double azimuthDeg)
    {
        var b = Bin(azimuthDeg);
        return (_low[b], _high[b]);
    }

    /// <summary>The same by bin number.</summary>
    public (double Low, double High) InBin(int bin) => (_low[bin], _high[bin]);
}
