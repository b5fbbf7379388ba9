namespace PvEdge.Shared.Learning;

/// <summary>A small deterministic generator (SplitMix64 seeding a xoshiro128**-like state): the same seed gives the
/// same numbers on every platform and .NET version, which <see cref="Random"/> does not promise.</summary>
public sealed class SeededRandom
{
    private ulong _s0;
    private ulong _s1;
    private double? _spare;

    public SeededRandom(ulong seed)
    {
        var x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        if (_s0 == 0 && _s1 == 0)
        {
            _s1 = 1;
        }
    }

    private static ulong SplitMix(ref ulong x)
    {
        var z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>xoroshiro128+ step.</summary>
    public ulong NextULong()
    {
        var s0 = _s0;
        var s1 = _s1;
        var result = s0 + s1;
        s1 ^= s0;
        _s0 = ulong.RotateLeft(s0, 24) ^ s1 ^ (s1 << 16);
        _s1 = ulong.RotateLeft(s1, 37);
        return result;
    }

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextULong() >> 11) * (1.0 / (1UL << 53));

    public double Uniform(double min, double max) => min + (max - min) * NextDouble();

    /// <summary>Uniform integer in [0, n).</summary>
    public int NextInt(int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(n);
        return (int)((NextULong() >> 33) % (ulong)n);
    }

    /// <summary>Standard normal (Marsaglia polar method).</summary>
    public double NextGaussian()
    {
        if (_spare is { } s)
        {
            _spare = null;
            return s;
        }
        double u, v, q;
        do
        {
            u = 2 * NextDouble() - 1;
            v = 2 * NextDouble() - 1;
            q = u * u + v * v;
        }
        while (q >= 1 || q == 0);
        var f = Math.Sqrt(-2 * Math.Log(q) / q);
        _spare = v * f;
        return u * f;
    }

    /// <summary>Fisher–Yates shuffle in place.</summary>
    public void Shuffle(Span<int> items)
    {
        for (var i = items.Length - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>An independent generator derived from this one (for a shard, a site, a layer).</summary>
    public SeededRandom Fork() => new(NextULong());
}
