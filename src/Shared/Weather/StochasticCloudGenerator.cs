namespace PvEdge.Shared.Weather;

/// <summary>A deterministic stochastic cloud process for demos and simulations: the clear-sky index k(t) (GHI / clear-sky GHI)
/// follows a per-day weather regime (clear, broken, overcast) and an autocorrelated AR(1) cloud field on a 5-minute lattice.
/// The same seed and instant always give the same value, so a forecast and the "measured" plant can share it.</summary>
public sealed class StochasticCloudGenerator
{
    private const int StepsPerDay = 288;
    private static readonly TimeSpan LatticeStep = TimeSpan.FromMinutes(5);
    private readonly int _seed;
    private readonly double _phi;
    private readonly Dictionary<long, float[]> _days = [];
    private readonly Lock _gate = new();

    /// <param name="seed">Seed of the process.</param>
    /// <param name="autocorrelation">AR(1) coefficient per 5-minute step (0.9 ≈ clouds lasting about an hour).</param>
    public StochasticCloudGenerator(int seed, double autocorrelation = 0.92)
    {
        if (autocorrelation is < 0 or >= 1)
        {
            throw new ArgumentOutOfRangeException(nameof(autocorrelation), "expected 0 ≤ autocorrelation < 1");
        }
        _seed = seed;
        _phi = autocorrelation;
    }

    /// <summary>Clear-sky index of GHI at an instant, in [0.05, 1.1], linearly interpolated between lattice points.</summary>
    public double ClearSkyIndex(DateTimeOffset t)
    {
        var ticks = t.UtcTicks;
        var step = LatticeStep.Ticks;
        var n = ticks / step;
        var frac = (double)(ticks - n * step) / step;
        var a = Lattice(n);
        var b = Lattice(n + 1);
        return a + (b - a) * frac;
    }

    /// <summary>Mean clear-sky index over [start, start + length), sampled each minute.</summary>
    public double MeanClearSkyIndex(DateTimeOffset startUtc, TimeSpan length)
    {
        var samples = Math.Max(1, (int)Math.Round(length.TotalMinutes));
        var sum = 0.0;
        for (var i = 0; i < samples; i++)
        {
            sum += ClearSkyIndex(startUtc + length * ((i + 0.5) / samples));
        }
        return sum / samples;
    }

    /// <summary>Share of the clear-sky beam (DNI) that passes for a GHI clear-sky index: none under thick cloud, all when clear.</summary>
    public static double BeamFraction(double clearSkyIndex) => Math.Pow(Math.Clamp((clearSkyIndex - 0.25) / 0.75, 0, 1), 1.3);

    private double Lattice(long n)
    {
        var day = Math.DivRem(n, StepsPerDay, out var i);
        if (i < 0)
        {
            day--;
            i += StepsPerDay;
        }
        return DaySeries(day)[i];
    }

    private float[] DaySeries(long day)
    {
        lock (_gate)
        {
            if (_days.TryGetValue(day, out var cached))
            {
                return cached;
            }
            if (_days.Count > 64)
            {
                _days.Clear();
            }
            var rng = new Random(DaySeed(_seed, day));
            // regime: mean cloud cover and its variability for the day
            var r = rng.NextDouble();
            var (mean, sigma) = r switch
            {
                < 0.40 => (0.05, 0.08),  // clear
                < 0.80 => (0.35, 0.30),  // broken clouds
                _ => (0.75, 0.15),       // overcast
            };
            var series = new float[StepsPerDay];
            var x = 0.0;
            var innovation = sigma * Math.Sqrt(1 - _phi * _phi);
            // burn-in so the day starts in the stationary state
            for (var k = -48; k < StepsPerDay; k++)
            {
                x = _phi * x + innovation * Gaussian(rng);
                if (k >= 0)
                {
                    var cover = Math.Clamp(mean + x, 0, 1);
                    series[k] = (float)Math.Clamp(1.05 - 0.95 * cover, 0.05, 1.1);
                }
            }
            _days[day] = series;
            return series;
        }
    }

    /// <summary>The random seed of one day: SplitMix64 of the process seed and the day number. Not <see cref="HashCode"/>, which is
    /// randomised per process: the same seed must give the same clouds in every process (the demo's plant and its forecast feed,
    /// a rerun of an evaluation, another machine).</summary>
    private static int DaySeed(int seed, long day)
    {
        unchecked
        {
            var z = ((ulong)(uint)seed << 32 ^ (ulong)day) + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            return (int)(z & 0x7FFFFFFF);
        }
    }

    private static double Gaussian(Random rng)
    {
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
