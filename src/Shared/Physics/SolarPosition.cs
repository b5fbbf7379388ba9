using System.Runtime.CompilerServices;

namespace PvEdge.Shared.Physics;

/// <summary>Sun position seen from a site at one instant. Angles in degrees; azimuth clockwise from north (180 = south).
/// The apparent values include atmospheric refraction; transposition and angle of incidence use the apparent zenith.</summary>
/// <param name="ZenithDeg">Topocentric zenith without refraction.</param>
/// <param name="ApparentZenithDeg">Topocentric zenith with refraction from the row's pressure and temperature.</param>
/// <param name="AzimuthDeg">Topocentric azimuth, clockwise from north.</param>
/// <param name="EquationOfTimeMin">Equation of time in minutes.</param>
public readonly record struct SolarPosition(double ZenithDeg, double ApparentZenithDeg, double AzimuthDeg, double EquationOfTimeMin)
{
    /// <summary>Elevation above the horizon without refraction.</summary>
    public double ElevationDeg => 90.0 - ZenithDeg;

    /// <summary>Elevation above the horizon with refraction.</summary>
    public double ApparentElevationDeg => 90.0 - ApparentZenithDeg;

    /// <summary>True while the refracted sun is above the astronomical horizon.</summary>
    public bool IsUp => ApparentZenithDeg < 90.0;
}

/// <summary>Where the observer stands: the inputs of the NREL SPA that do not change with time.</summary>
/// <param name="LatitudeDeg">Geodetic latitude, north positive.</param>
/// <param name="LongitudeDeg">Longitude, east positive.</param>
/// <param name="AltitudeM">Height above sea level.</param>
/// <param name="DeltaTSeconds">TT − UT1; pvlib's default is 67 s.</param>
/// <param name="AtmosphericRefractionDeg">Refraction at sunrise and sunset (SPA default 0.5667°).</param>
public readonly record struct Observer(double LatitudeDeg, double LongitudeDeg, double AltitudeM, double DeltaTSeconds = Spa.DefaultDeltaTSeconds,
    double AtmosphericRefractionDeg = Spa.DefaultAtmosphericRefractionDeg);

/// <summary>NREL Solar Position Algorithm (Reda &amp; Andreas 2004, uncertainty ±0.0003°), computed as pvlib's
/// <c>spa_python</c> does: Julian day from Unix seconds, ΔT given, refraction from local pressure and temperature.</summary>
public static class Spa
{
    /// <summary>ΔT used by pvlib when none is given.</summary>
    public const double DefaultDeltaTSeconds = 67.0;

    /// <summary>Apparent refraction at sunrise/sunset used by the SPA.</summary>
    public const double DefaultAtmosphericRefractionDeg = 0.5667;

    private const double Deg = Math.PI / 180.0;

    /// <summary>Sun position at one instant.</summary>
    /// <param name="time">The instant (any offset; converted to UTC).</param>
    /// <param name="observer">Site location.</param>
    /// <param name="pressurePa">Local air pressure in Pa (used for refraction).</param>
    /// <param name="temperatureC">Local air temperature in °C (used for refraction).</param>
    public static SolarPosition Compute(DateTimeOffset time, in Observer observer, double pressurePa, double temperatureC) =>
        Compute(UnixSeconds(time), observer, pressurePa, temperatureC);

    /// <summary>Seconds since 1970-01-01T00:00Z, the time axis used by the span APIs.</summary>
    public static double UnixSeconds(DateTimeOffset time) => (time.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks) / (double)TimeSpan.TicksPerSecond;

    /// <summary>Sun position for every instant of a span; no allocation.
    /// <para>For dense series (more than a few instants per day, e.g. a year hourly) the periodic terms of the SPA — heliocentric
    /// longitude, latitude, radius and the nutation, all smooth functions of time whose shortest period is about 9 days — are
    /// evaluated exactly at whole ephemeris days and interpolated with a 4-point cubic (error below 1e-7°); the topocentric part
    /// is computed exactly for each instant. Sparse spans are computed exactly instant by instant. Either way the result matches
    /// <see cref="Compute(double, in Observer, double, double)"/> to better than 1e-6°.</para></summary>
    /// <param name="unixSeconds">Instants as Unix seconds (see <see cref="UnixSeconds"/>).</param>
    /// <param name="observer">Site location.</param>
    /// <param name="pressurePa">Pressure per instant, Pa.</param>
    /// <param name="temperatureC">Air temperature per instant, °C.</param>
    /// <param name="result">Receives one position per instant.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Compute(ReadOnlySpan<double> unixSeconds, in Observer observer, ReadOnlySpan<double> pressurePa, ReadOnlySpan<double> temperatureC,
        Span<SolarPosition> result)
    {
        if (pressurePa.Length < unixSeconds.Length || temperatureC.Length < unixSeconds.Length || result.Length < unixSeconds.Length)
        {
            throw new ArgumentException("pressure, temperature and result spans must be at least as long as the time span");
        }
        var terms = ObserverTerms.Of(observer);
        if (!IsDense(unixSeconds))
        {
            for (var i = 0; i < unixSeconds.Length; i++)
            {
                result[i] = Compute(unixSeconds[i], observer, pressurePa[i], temperatureC[i]);
            }
            return;
        }
        Span<SeriesNode> cache = stackalloc SeriesNode[NodeCacheSize];
        cache.Fill(new SeriesNode(long.MinValue, 0, 0, 0, 0, 0));
        for (var i = 0; i < unixSeconds.Length; i++)
        {
            var t = unixSeconds[i];
            var jde = t / 86400.0 + 2440587.5 + observer.DeltaTSeconds / 86400.0;
            var day = (long)Math.Floor(jde);
            var f = jde - day;
            // 4-point Lagrange weights for nodes at day-1, day, day+1, day+2.
            var wm = -f * (f - 1) * (f - 2) / 6;
            var w0 = (f + 1) * (f - 1) * (f - 2) / 2;
            var w1 = -(f + 1) * f * (f - 2) / 2;
            var w2 = (f + 1) * f * (f - 1) / 6;
            ref readonly var nm = ref Node(cache, day - 1);
            ref readonly var n0 = ref Node(cache, day);
            ref readonly var n1 = ref Node(cache, day + 1);
            ref readonly var n2 = ref Node(cache, day + 2);
            result[i] = Topocentric(t, terms,
                (wm * nm.L + w0 * n0.L + w1 * n1.L + w2 * n2.L) / 1e8,
                (wm * nm.B + w0 * n0.B + w1 * n1.B + w2 * n2.B) / 1e8,
                (wm * nm.R + w0 * n0.R + w1 * n1.R + w2 * n2.R) / 1e8,
                wm * nm.Psi + w0 * n0.Psi + w1 * n1.Psi + w2 * n2.Psi,
                wm * nm.Eps + w0 * n0.Eps + w1 * n1.Eps + w2 * n2.Eps,
                pressurePa[i], temperatureC[i]);
        }
    }

    private const int NodeCacheSize = 8;

    /// <summary>Periodic series at a whole ephemeris day: L, B, R in 1e-8 rad/AU and nutation Δψ, Δε in degrees.</summary>
    private readonly record struct SeriesNode(long Day, double L, double B, double R, double Psi, double Eps);

    private static ref readonly SeriesNode Node(Span<SeriesNode> cache, long day)
    {
        ref var slot = ref cache[(int)(((day % NodeCacheSize) + NodeCacheSize) % NodeCacheSize)];
        if (slot.Day != day)
        {
            var jce = (day - 2451545.0) / 36525.0;
            var jme = jce / 10.0;
            Nutation(jce, out var psi, out var eps);
            slot = new SeriesNode(day, SumSeries(SpaTables.L, jme), SumSeries(SpaTables.B, jme), SumSeries(SpaTables.R, jme), psi, eps);
        }
        return ref slot;
    }

    /// <summary>True when interpolating pays: on average more than two instants per day spanned.</summary>
    private static bool IsDense(ReadOnlySpan<double> unixSeconds)
    {
        if (unixSeconds.Length < 16)
        {
            return false;
        }
        double min = double.MaxValue, max = double.MinValue;
        foreach (var t in unixSeconds)
        {
            if (!double.IsFinite(t))
            {
                return false;
            }
            min = Math.Min(min, t);
            max = Math.Max(max, t);
        }
        return unixSeconds.Length > 2 * ((max - min) / 86400.0 + 4);
    }

    /// <summary>Sun position at one instant given as Unix seconds.</summary>
    public static SolarPosition Compute(double unixSeconds, in Observer observer, double pressurePa, double temperatureC)
    {
        var jde = unixSeconds / 86400.0 + 2440587.5 + observer.DeltaTSeconds / 86400.0;
        var jce = (jde - 2451545.0) / 36525.0;
        var jme = jce / 10.0;
        Nutation(jce, out var deltaPsi, out var deltaEps);
        return Topocentric(unixSeconds, ObserverTerms.Of(observer), SumSeries(SpaTables.L, jme) / 1e8, SumSeries(SpaTables.B, jme) / 1e8, SumSeries(SpaTables.R, jme) / 1e8,
            deltaPsi, deltaEps, pressurePa, temperatureC);
    }

    /// <summary>Observer-only terms of the parallax correction, computed once per call.</summary>
    private readonly record struct ObserverTerms(double SinLat, double CosLat, double X, double Y, double LongitudeDeg, double DeltaTSeconds, double RefractionDeg)
    {
        public static ObserverTerms Of(in Observer o)
        {
            var latRad = o.LatitudeDeg * Deg;
            var (sinLat, cosLat) = Math.SinCos(latRad);
            var u = Math.Atan(0.99664719 * Math.Tan(latRad));
            var (sinU, cosU) = Math.SinCos(u);
            return new ObserverTerms(sinLat, cosLat, cosU + o.AltitudeM / 6378140.0 * cosLat, 0.99664719 * sinU + o.AltitudeM / 6378140.0 * sinLat,
                o.LongitudeDeg, o.DeltaTSeconds, o.AtmosphericRefractionDeg);
        }
    }

    /// <summary>Everything after the periodic series: from heliocentric L, B (radians), R (AU) and nutation to the topocentric position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static SolarPosition Topocentric(double unixSeconds, in ObserverTerms o, double lRad, double bRad, double radius, double deltaPsi, double deltaEps,
        double pressurePa, double temperatureC)
    {
        var jd = unixSeconds / 86400.0 + 2440587.5;
        var jde = jd + o.DeltaTSeconds / 86400.0;
        var jc = (jd - 2451545.0) / 36525.0;
        var jme = (jde - 2451545.0) / 36525.0 / 10.0;

        var theta = Mod360(Mod360(lRad / Deg) + 180.0);
        var beta = -bRad / Deg;

        var u = jme / 10.0;
        var eps0 = 84381.448 + u * (-4680.93 + u * (-1.55 + u * (1999.25 + u * (-51.38 + u * (-249.67 + u * (-39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))));
        var eps = eps0 / 3600.0 + deltaEps;
        var aberration = -20.4898 / (3600.0 * radius);
        var lambda = theta + deltaPsi + aberration;

        var v0 = Mod360(280.46061837 + 360.98564736629 * (jd - 2451545.0) + 0.000387933 * jc * jc - jc * jc * jc / 38710000.0);
        var (sinEps, cosEps) = Math.SinCos(eps * Deg);
        var v = v0 + deltaPsi * cosEps;

        var (sinLambda, cosLambda) = Math.SinCos(lambda * Deg);
        var (sinBeta, cosBeta) = Math.SinCos(beta * Deg);
        var alpha = Mod360(Math.Atan2(sinLambda * cosEps - sinBeta / cosBeta * sinEps, cosLambda) / Deg);
        var delta = Math.Asin(sinBeta * cosEps + cosBeta * sinEps * sinLambda) / Deg;

        var h = Mod360(v + o.LongitudeDeg - alpha);
        var xi = 8.794 / (3600.0 * radius);
        var sinXi = Math.Sin(xi * Deg);
        var (sinH, cosH) = Math.SinCos(h * Deg);
        var (sinDelta, cosDelta) = Math.SinCos(delta * Deg);
        var denom = cosDelta - o.X * sinXi * cosH;
        var deltaAlpha = Math.Atan2(-o.X * sinXi * sinH, denom) / Deg;
        var deltaPrime = Math.Atan2((sinDelta - o.Y * sinXi) * Math.Cos(deltaAlpha * Deg), denom) / Deg;
        var hPrime = h - deltaAlpha;

        var (sinHp, cosHp) = Math.SinCos(hPrime * Deg);
        var (sinDp, cosDp) = Math.SinCos(deltaPrime * Deg);
        var e0 = Math.Asin(o.SinLat * sinDp + o.CosLat * cosDp * cosHp) / Deg;
        var e = e0 + RefractionDeg(e0, pressurePa / 100.0, temperatureC, o.RefractionDeg);

        var gamma = Mod360(Math.Atan2(sinHp, cosHp * o.SinLat - sinDp / cosDp * o.CosLat) / Deg);
        var azimuth = Mod360(gamma + 180.0);

        var m = 280.4664567 + jme * (360007.6982779 + jme * (0.03032028 + jme * (1.0 / 49931.0 + jme * (-1.0 / 15300.0 - jme / 2000000.0))));
        var eot = Mod360(m - 0.0057183 - alpha + deltaPsi * cosEps) * 4.0;
        eot = eot > 20.0 ? eot - 1440.0 : eot < -20.0 ? eot + 1440.0 : eot;

        return new SolarPosition(90.0 - e0, 90.0 - e, azimuth, eot);
    }

    /// <summary>SPA refraction correction (degrees) for a true elevation <paramref name="elevationDeg"/>; zero once the sun is
    /// more than the sun radius plus <paramref name="atmosphericRefractionDeg"/> below the horizon.</summary>
    public static double RefractionDeg(double elevationDeg, double pressureMbar, double temperatureC, double atmosphericRefractionDeg = DefaultAtmosphericRefractionDeg)
    {
        if (elevationDeg < -(0.26667 + atmosphericRefractionDeg))
        {
            return 0.0;
        }
        return pressureMbar / 1010.0 * (283.0 / (273.0 + temperatureC)) * 1.02
               / (60.0 * Math.Tan((elevationDeg + 10.3 / (elevationDeg + 5.11)) * Deg));
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double SumSeries(double[][] table, double jme)
    {
        var total = 0.0;
        var power = 1.0;
        for (var k = 0; k < table.Length; k++)
        {
            var row = table[k];
            var sum = 0.0;
            for (var j = 0; j < row.Length; j += 3)
            {
                sum += row[j] * Math.Cos(row[j + 1] + row[j + 2] * jme);
            }
            total += sum * power;
            power *= jme;
        }
        return total;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Nutation(double jce, out double deltaPsi, out double deltaEps)
    {
        var x0 = 297.85036 + jce * (445267.111480 + jce * (-0.0019142 + jce / 189474.0));
        var x1 = 357.52772 + jce * (35999.050340 + jce * (-0.0001603 - jce / 300000.0));
        var x2 = 134.96298 + jce * (477198.867398 + jce * (0.0086972 + jce / 56250.0));
        var x3 = 93.27191 + jce * (483202.017538 + jce * (-0.0036825 + jce / 327270.0));
        var x4 = 125.04452 + jce * (-1934.136261 + jce * (0.0020708 + jce / 450000.0));
        var t = SpaTables.Nutation;
        double psi = 0, eps = 0;
        for (var r = 0; r < t.Length; r += 9)
        {
            var arg = (t[r] * x0 + t[r + 1] * x1 + t[r + 2] * x2 + t[r + 3] * x3 + t[r + 4] * x4) * Deg;
            var (s, c) = Math.SinCos(arg);
            psi += (t[r + 5] + t[r + 6] * jce) * s;
            eps += (t[r + 7] + t[r + 8] * jce) * c;
        }
        deltaPsi = psi / 36000000.0;
        deltaEps = eps / 36000000.0;
    }

    private static double Mod360(double deg)
    {
        var r = deg % 360.0;
        return r < 0 ? r + 360.0 : r;
    }
}
