using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;

namespace PvEdge.ModelExport.Simulation;

/// <summary>
/// Weather as a gateway without its own sensors gets it: GHI from a satellite service, off by a multiplicative error that
/// persists for hours, and no DNI or DHI (the chain then splits GHI with Erbs). The error is AR(1) from one clock hour to
/// the next with correlation <see cref="HourlyCorrelation"/> and standard deviation σ, constant within an hour.
/// </summary>
public static class SatelliteWeather
{
    public const double HourlyCorrelation = 0.7;

    /// <summary>A copy of <paramref name="history"/> with its GHI degraded by a σ = <paramref name="sigma"/> error
    /// (a fraction, e.g. 0.15) drawn from <paramref name="seed"/>, and its DNI and DHI columns removed.</summary>
    public static History Degrade(History history, double sigma, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentOutOfRangeException.ThrowIfNegative(sigma);
        var ghi = history.Column("ghi_wm2") ?? throw new InputException($"{history.Source}: no ghi_wm2 column to degrade");
        var rng = new SeededRandom(seed);
        var degraded = new double[ghi.Length];
        var innovation = Math.Sqrt(1 - (HourlyCorrelation * HourlyCorrelation)) * sigma;
        var error = sigma * rng.NextGaussian();
        var hour = history.Rows > 0 ? HourOf(history.Times[0]) : 0;
        for (var i = 0; i < ghi.Length; i++)
        {
            for (var h = HourOf(history.Times[i]); hour < h; hour++)
            {
                error = (HourlyCorrelation * error) + (innovation * rng.NextGaussian());
            }
            degraded[i] = double.IsNaN(ghi[i]) ? double.NaN : Math.Max(0, ghi[i] * (1 + error));
        }
        var columns = history.Columns.Where(kv => kv.Key is not ("dni_wm2" or "dhi_wm2")).ToDictionary(kv => kv.Key, kv => kv.Value);
        columns["ghi_wm2"] = degraded;
        return new History([.. history.Times], columns, history.Source);
    }

    private static long HourOf(DateTimeOffset time) => time.ToUnixTimeSeconds() / 3600;
}
