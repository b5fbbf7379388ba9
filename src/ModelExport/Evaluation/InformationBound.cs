using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Features;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.ModelExport.Evaluation;

/// <summary>
/// A lower bound on the test error any model fine-tuned on a window of history can reach on a simulated site: the
/// posterior-mean (minimum mean-squared-error) prediction of an oracle that knows everything about the site and its weather
/// (true parameters, far horizon, every obstacle's kind, azimuth, width and transmittance) except the top elevation of each
/// obstacle, of which it knows what the training window's sun positions revealed: the top lies above every position the
/// obstacle covered and below every position it did not (or is known exactly where a position fell on its softened edge).
/// Above that, the oracle only has the fleet's prior (<see cref="ShadingScene.TopElevationPriorDeg"/>).
/// </summary>
/// <remarks>
/// The oracle sees strictly more than the history shows (it ignores clouds, noise, gaps and other obstacles in front), so
/// no estimator working from the history can have a lower expected squared error than its posterior mean; the gap between
/// this bound and the noise floor is error no model can remove on that test window.
/// </remarks>
public static class InformationBound
{
    /// <summary>The interval [Lo, Hi] of top elevations consistent with the sun positions (azimuth, apparent elevation, in
    /// degrees) of the training window, within the prior; Lo = Hi when a position fell on the obstacle's softened top edge.
    /// <paramref name="reveals"/> (optional, per position) leaves out positions that tell nothing.</summary>
    public static (double Lo, double Hi) TopInterval(Obstacle obstacle, ReadOnlySpan<double> azimuthDeg, ReadOnlySpan<double> elevationDeg,
        Func<int, Obstacle, bool>? reveals = null)
    {
        ArgumentNullException.ThrowIfNull(obstacle);
        var (lo, hi) = ShadingScene.TopElevationPriorDeg(obstacle.Kind);
        var t = obstacle.TopElevationDeg;
        for (var i = 0; i < azimuthDeg.Length; i++)
        {
            var e = elevationDeg[i];
            var f = ShadingScene.TopFraction(obstacle, azimuthDeg[i]);
            if (e <= 0 || f <= 0 || (reveals is not null && !reveals(i, obstacle)))
            {
                continue;
            }
            if (Math.Abs(e - (t * f)) < ShadingScene.EdgeHalfWidthDeg)
            {
                return (t, t); // a partial beam on the edge gives the top away
            }
            // wholly covered (the top's edge clear above the sun by the softening) or wholly clear: any top beyond the same bound
            // gives the same beam here
            var h = ShadingScene.EdgeHalfWidthDeg;
            if (t * f > e)
            {
                lo = Math.Max(lo, (e + h) / f);
            }
            else
            {
                hi = Math.Min(hi, (e - h) / f);
            }
        }
        return lo <= hi ? (lo, hi) : (t, t);
    }

    /// <summary>The oracle's posterior-mean AC power (W) over the <paramref name="test"/> weather, from
    /// <paramref name="samples"/> stratified draws of the unrevealed obstacle tops. With <paramref name="noiseSigmas"/> = 0 every
    /// daylight position of the training window reveals the obstacle tops (a strict bound); above 0 only those where the obstacle
    /// would change the AC power by at least that many standard deviations of the telemetry noise (clouds, low sun and sun
    /// behind the plane hide obstacles): an estimate of what a history can tell, no longer a strict bound.</summary>
    public static double[] PosteriorMeanAcW(Site site, ShadingScene scene, double soilingFraction, WeatherSeries train, WeatherSeries test, int samples, ulong seed,
        double noiseSigmas = 0)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(scene);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        var physics = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));
        var seen = physics.Run(train);
        var az = new double[seen.Steps.Length];
        var el = new double[seen.Steps.Length];
        for (var i = 0; i < az.Length; i++)
        {
            az[i] = seen.Steps[i].Sun.AzimuthDeg;
            el[i] = seen.Steps[i].Sun.IsUp ? seen.Steps[i].Sun.ApparentElevationDeg : 0;
        }
        Func<int, Obstacle, bool>? reveals = null;
        if (noiseSigmas > 0)
        {
            // AC with the whole beam against none: an obstacle of transmittance t takes (1 − t) of the difference
            var open = FleetGenerator.TruePower(site, seen, train, soilingFraction, ShadingScene.Open).AcW;
            var closed = FleetGenerator.TruePower(site, seen, train, soilingFraction, ShadingScene.Open with { HorizonDeg = Enumerable.Repeat(90.0, 36).ToArray() }).AcW;
            var rating = site.Inverter.AcCapacityW;
            reveals = (i, o) =>
            {
                var sigma = Math.Sqrt(Math.Pow(FleetGenerator.NoiseRelative * open[i], 2) + Math.Pow(FleetGenerator.NoiseAbsoluteOfRating * rating, 2));
                var transmit = o.Transmittance(ShadingScene.LeafOn(seen.Steps[i].TimeMid.DayOfYear, site.LatitudeDeg));
                return (open[i] - closed[i]) * (1 - transmit) >= noiseSigmas * sigma;
            };
        }
        var intervals = scene.Obstacles.Select(o => TopInterval(o, az, el, reveals)).ToArray();
        var unshaded = physics.Run(test);
        var rng = new SeededRandom(seed);
        // stratified draws: each obstacle's K draws take one value from each of K equal slices of its interval, in its own order
        var order = intervals.Select(_ => Permutation(samples, rng)).ToArray();
        var mean = new double[test.Count];
        for (var k = 0; k < samples; k++)
        {
            var obstacles = scene.Obstacles.Select((o, j) =>
            {
                var (lo, hi) = intervals[j];
                return o with { TopElevationDeg = lo + ((hi - lo) * (order[j][k] + rng.NextDouble()) / samples) };
            }).ToArray();
            var ac = FleetGenerator.TruePower(site, unshaded, test, soilingFraction, scene with { Obstacles = obstacles }).AcW;
            for (var i = 0; i < mean.Length; i++)
            {
                mean[i] += ac[i] / samples;
            }
        }
        return mean;
    }

    private static int[] Permutation(int n, SeededRandom rng)
    {
        var p = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = rng.NextInt(i + 1);
            (p[i], p[j]) = (p[j], p[i]);
        }
        return p;
    }
}
