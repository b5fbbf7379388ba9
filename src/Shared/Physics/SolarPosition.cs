using System.Numerics.Tensors;

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

    /// <summary>Sun position for every instant of a span; no allocation. The periodic series are evaluated for blocks of
    /// instants at once with vectorised cosines (System.Numerics.Tensors), so a year of hourly positions costs a few
    /// milliseconds; results equal <see cref="Compute(double, in Observer, double, double)"/> to ~1e-10°.</summary>
    /// <param name="unixSeconds">Instants as Unix seconds (see <see cref="UnixSeconds"/>).</param>
    /// <param name="observer">Site location.</param>
    /// <param name="pressurePa">Pressure per instant, Pa.</param>
    /// <param name="temperatureC">Air temperature per instant, °C.</param>
    /// <param name="result">Receives one position per instant.</param>
    public static void Compute(ReadOnlySpan<double> unixSeconds, in Observer observer, ReadOnlySpan<double> pressurePa, ReadOnlySpan<double> temperatureC,
        Span<SolarPosition> result)
    {
        if (pressurePa.Length < unixSeconds.Length || temperatureC.Length < unixSeconds.Length || result.Length < unixSeconds.Length)
        {
            throw new ArgumentException("pressure, temperature and result spans must be at least as long as the time span");
        }
        const int block = 128;
        Span<double> jme = stackalloc double[block];
        Span<double> jce = stackalloc double[block];
        Span<double> l = stackalloc double[block];
        Span<double> b = stackalloc double[block];
        Span<double> r = stackalloc double[block];
        Span<double> psi = stackalloc double[block];
        Span<double> eps = stackalloc double[block];
        Span<double> scratch = stackalloc double[block * 9];
        for (var start = 0; start < unixSeconds.Length; start += block)
        {
            var m = Math.Min(block, unixSeconds.Length - start);
            var times = unixSeconds.Slice(start, m);
            for (var i = 0; i < m; i++)
            {
                var jde = times[i] / 86400.0 + 2440587.5 + observer.DeltaTSeconds / 86400.0;
                jce[i] = (jde - 2451545.0) / 36525.0;
                jme[i] = jce[i] / 10.0;
            }
            SeriesBlock(SpaTables.L, jme[..m], l[..m], scratch);
            SeriesBlock(SpaTables.B, jme[..m], b[..m], scratch);
            SeriesBlock(SpaTables.R, jme[..m], r[..m], scratch);
            NutationBlock(jce[..m], psi[..m], eps[..m], scratch);
            for (var i = 0; i < m; i++)
            {
                var t = times[i];
                result[start + i] = Topocentric(t, observer, l[i] / 1e8, b[i] / 1e8, r[i] / 1e8, psi[i], eps[i], pressurePa[start + i], temperatureC[start + i]);
            }
        }
    }

    /// <summary>Sun position at one instant given as Unix seconds.</summary>
    public static SolarPosition Compute(double unixSeconds, in Observer observer, double pressurePa, double temperatureC)
    {
        var jde = unixSeconds / 86400.0 + 2440587.5 + observer.DeltaTSeconds / 86400.0;
        var jce = (jde - 2451545.0) / 36525.0;
        var jme = jce / 10.0;
        Nutation(jce, out var deltaPsi, out var deltaEps);
        return Topocentric(unixSeconds, observer, SumSeries(SpaTables.L, jme) / 1e8, SumSeries(SpaTables.B, jme) / 1e8, SumSeries(SpaTables.R, jme) / 1e8,
            deltaPsi, deltaEps, pressurePa, temperatureC);
    }

    /// <summary>Everything after the periodic series: from heliocentric L, B (radians), R (AU) and nutation to the topocentric position.</summary>
    private static SolarPosition Topocentric(double unixSeconds, in Observer observer, double lRad, double bRad, double radius, double deltaPsi, double deltaEps,
        double pressurePa, double temperatureC)
    {
        var jd = unixSeconds / 86400.0 + 2440587.5;
        var jde = jd + observer.DeltaTSeconds / 86400.0;
        var jc = (jd - 2451545.0) / 36525.0;
        var jme = (jde - 2451545.0) / 36525.0 / 10.0;

        var helioLon = Mod360(lRad / Deg);
        var helioLat = bRad / Deg;
        var theta = Mod360(helioLon + 180.0);
        var beta = -helioLat;

        var u = jme / 10.0;
        var eps0 = 84381.448 + u * (-4680.93 + u * (-1.55 + u * (1999.25 + u * (-51.38 + u * (-249.67 + u * (-39.05 + u * (7.12 + u * (27.87 + u * (5.79 + u * 2.45)))))))));
        var eps = eps0 / 3600.0 + deltaEps;
        var aberration = -20.4898 / (3600.0 * radius);
        var lambda = theta + deltaPsi + aberration;

        var v0 = Mod360(280.46061837 + 360.98564736629 * (jd - 2451545.0) + 0.000387933 * jc * jc - jc * jc * jc / 38710000.0);
        var cosEps = Math.Cos(eps * Deg);
        var sinEps = Math.Sin(eps * Deg);
        var v = v0 + deltaPsi * cosEps;

        var sinLambda = Math.Sin(lambda * Deg);
        var alpha = Mod360(Math.Atan2(sinLambda * cosEps - Math.Tan(beta * Deg) * sinEps, Math.Cos(lambda * Deg)) / Deg);
        var delta = Math.Asin(Math.Sin(beta * Deg) * cosEps + Math.Cos(beta * Deg) * sinEps * sinLambda) / Deg;

        var h = Mod360(v + observer.LongitudeDeg - alpha);
        var xi = 8.794 / (3600.0 * radius);
        var latRad = observer.LatitudeDeg * Deg;
        var uTerm = Math.Atan(0.99664719 * Math.Tan(latRad));
        var x = Math.Cos(uTerm) + observer.AltitudeM / 6378140.0 * Math.Cos(latRad);
        var y = 0.99664719 * Math.Sin(uTerm) + observer.AltitudeM / 6378140.0 * Math.Sin(latRad);

        var sinXi = Math.Sin(xi * Deg);
        var cosH = Math.Cos(h * Deg);
        var denom = Math.Cos(delta * Deg) - x * sinXi * cosH;
        var deltaAlpha = Math.Atan2(-x * sinXi * Math.Sin(h * Deg), denom) / Deg;
        var deltaPrime = Math.Atan2((Math.Sin(delta * Deg) - y * sinXi) * Math.Cos(deltaAlpha * Deg), denom) / Deg;
        var hPrime = h - deltaAlpha;

        var sinLat = Math.Sin(latRad);
        var cosLat = Math.Cos(latRad);
        var cosHp = Math.Cos(hPrime * Deg);
        var e0 = Math.Asin(sinLat * Math.Sin(deltaPrime * Deg) + cosLat * Math.Cos(deltaPrime * Deg) * cosHp) / Deg;
        var deltaE = RefractionDeg(e0, pressurePa / 100.0, temperatureC, observer.AtmosphericRefractionDeg);
        var e = e0 + deltaE;

        var gamma = Mod360(Math.Atan2(Math.Sin(hPrime * Deg), cosHp * sinLat - Math.Tan(deltaPrime * Deg) * cosLat) / Deg);
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

    /// <summary>Σₖ jmeᵏ·Σⱼ Aⱼ·cos(Bⱼ + Cⱼ·jme) for a block of instants, evaluated with vectorised cosines.</summary>
    private static void SeriesBlock(double[][] table, ReadOnlySpan<double> jme, Span<double> total, Span<double> scratch)
    {
        var n = jme.Length;
        var arg = scratch[..n];
        var cos = scratch.Slice(n, n);
        var sum = scratch.Slice(2 * n, n);
        total.Clear();
        for (var k = table.Length - 1; k >= 0; k--)
        {
            var row = table[k];
            sum.Clear();
            for (var j = 0; j < row.Length; j += 3)
            {
                if (row[j + 2] == 0.0)
                {
                    var constant = row[j] * Math.Cos(row[j + 1]);
                    TensorPrimitives.Add(sum, constant, sum);
                    continue;
                }
                TensorPrimitives.Multiply(jme, row[j + 2], arg);
                TensorPrimitives.Add(arg, row[j + 1], arg);
                TensorPrimitives.Cos(arg, cos);
                TensorPrimitives.MultiplyAdd(cos, row[j], sum, sum);
            }
            // Horner: total = total·jme + sum
            TensorPrimitives.MultiplyAdd(total, jme, sum, total);
        }
    }

    /// <summary>Nutation in longitude and obliquity (degrees) for a block of instants.</summary>
    private static void NutationBlock(ReadOnlySpan<double> jce, Span<double> deltaPsi, Span<double> deltaEps, Span<double> scratch)
    {
        var n = jce.Length;
        var x0 = scratch[..n];
        var x1 = scratch.Slice(n, n);
        var x2 = scratch.Slice(2 * n, n);
        var x3 = scratch.Slice(3 * n, n);
        var x4 = scratch.Slice(4 * n, n);
        var arg = scratch.Slice(5 * n, n);
        var sin = scratch.Slice(6 * n, n);
        var cos = scratch.Slice(7 * n, n);
        var coef = scratch.Slice(8 * n, n);
        for (var i = 0; i < n; i++)
        {
            var t = jce[i];
            x0[i] = (297.85036 + t * (445267.111480 + t * (-0.0019142 + t / 189474.0))) * Deg;
            x1[i] = (357.52772 + t * (35999.050340 + t * (-0.0001603 - t / 300000.0))) * Deg;
            x2[i] = (134.96298 + t * (477198.867398 + t * (0.0086972 + t / 56250.0))) * Deg;
            x3[i] = (93.27191 + t * (483202.017538 + t * (-0.0036825 + t / 327270.0))) * Deg;
            x4[i] = (125.04452 + t * (-1934.136261 + t * (0.0020708 + t / 450000.0))) * Deg;
        }
        deltaPsi.Clear();
        deltaEps.Clear();
        var table = SpaTables.Nutation;
        for (var r = 0; r < table.Length; r += 9)
        {
            arg.Clear();
            AddScaled(arg, x0, table[r]);
            AddScaled(arg, x1, table[r + 1]);
            AddScaled(arg, x2, table[r + 2]);
            AddScaled(arg, x3, table[r + 3]);
            AddScaled(arg, x4, table[r + 4]);
            TensorPrimitives.SinCos(arg, sin, cos);
            // (a + b·jce)·sin and (c + d·jce)·cos
            TensorPrimitives.Multiply(jce, table[r + 6], coef);
            TensorPrimitives.Add(coef, table[r + 5], coef);
            TensorPrimitives.MultiplyAdd(sin, coef, deltaPsi, deltaPsi);
            TensorPrimitives.Multiply(jce, table[r + 8], coef);
            TensorPrimitives.Add(coef, table[r + 7], coef);
            TensorPrimitives.MultiplyAdd(cos, coef, deltaEps, deltaEps);
        }
        TensorPrimitives.Divide(deltaPsi, 36000000.0, deltaPsi);
        TensorPrimitives.Divide(deltaEps, 36000000.0, deltaEps);
    }

    private static void AddScaled(Span<double> target, ReadOnlySpan<double> x, double factor)
    {
        if (factor != 0)
        {
            TensorPrimitives.MultiplyAdd(x, factor, target, target);
        }
    }

    private static double Mod360(double deg)
    {
        var r = deg % 360.0;
        return r < 0 ? r + 360.0 : r;
    }
}
