namespace PvEdge.Shared.Physics;

/// <summary>One point of a far-horizon profile.</summary>
public readonly record struct HorizonPoint(double AzimuthDeg, double ElevationDeg);

/// <summary>A far-horizon profile: elevation over azimuth, linearly interpolated with wrap-around at 360°.
/// While the sun's apparent elevation is below it, the beam on the plane is zero.</summary>
public sealed class HorizonProfile
{
    private readonly double[] _azimuthDeg;
    private readonly double[] _elevationDeg;

    /// <summary>Builds a profile; points need not be sorted. An empty profile is a flat horizon.</summary>
    public HorizonProfile(IEnumerable<HorizonPoint> points)
    {
        var sorted = points.Select(p => p with { AzimuthDeg = ((p.AzimuthDeg % 360) + 360) % 360 }).OrderBy(p => p.AzimuthDeg).ToArray();
        _azimuthDeg = sorted.Select(p => p.AzimuthDeg).ToArray();
        _elevationDeg = sorted.Select(p => p.ElevationDeg).ToArray();
    }

    /// <summary>A flat horizon (elevation 0 everywhere).</summary>
    public static HorizonProfile Flat { get; } = new([]);

    /// <summary>The points of the profile, sorted by azimuth in [0, 360).</summary>
    public IReadOnlyList<HorizonPoint> Points => _azimuthDeg.Select((a, i) => new HorizonPoint(a, _elevationDeg[i])).ToArray();

    /// <summary>True when the profile has no point above 0°.</summary>
    public bool IsFlat => _elevationDeg.All(e => e <= 0);

    /// <summary>Horizon elevation at an azimuth, degrees.</summary>
    public double ElevationDeg(double azimuthDeg)
    {
        var n = _azimuthDeg.Length;
        if (n == 0)
        {
            return 0.0;
        }
        if (n == 1)
        {
            return _elevationDeg[0];
        }
        var az = ((azimuthDeg % 360) + 360) % 360;
        var hi = Array.BinarySearch(_azimuthDeg, az);
        if (hi >= 0)
        {
            return _elevationDeg[hi];
        }
        hi = ~hi;
        var lo = hi - 1;
        double a0, a1;
        if (hi == n || lo < 0)
        {
            // wrap between the last point and the first point + 360
            lo = n - 1;
            hi = 0;
            a0 = _azimuthDeg[lo];
            a1 = _azimuthDeg[hi] + 360;
            if (az < a0)
            {
                az += 360;
            }
        }
        else
        {
            a0 = _azimuthDeg[lo];
            a1 = _azimuthDeg[hi];
        }
        var t = a1 > a0 ? (az - a0) / (a1 - a0) : 0.0;
        return _elevationDeg[lo] + t * (_elevationDeg[hi] - _elevationDeg[lo]);
    }

    /// <summary>True when the sun at this azimuth and apparent elevation is hidden behind the horizon.</summary>
    public bool BlocksBeam(double solarAzimuthDeg, double apparentElevationDeg) => _azimuthDeg.Length > 0 && apparentElevationDeg < ElevationDeg(solarAzimuthDeg);
}
