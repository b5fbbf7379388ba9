namespace PvEdge.Shared.Physics;

/// <summary>Extraterrestrial irradiance, air mass and standard-atmosphere pressure.</summary>
public static class Atmosphere
{
    /// <summary>Solar constant used by pvlib's Spencer model, W/m².</summary>
    public const double SolarConstantWm2 = 1366.1;

    /// <summary>Sea-level standard pressure, Pa.</summary>
    public const double StandardPressurePa = 101325.0;

    /// <summary>Extraterrestrial normal irradiance by Spencer (1971) for a day of the year (1 = 1 January), W/m².</summary>
    public static double ExtraterrestrialSpencerWm2(int dayOfYear, double solarConstantWm2 = SolarConstantWm2)
    {
        var b = 2.0 * Math.PI / 365.0 * (dayOfYear - 1);
        var rOverR0Squared = 1.00011 + 0.034221 * Math.Cos(b) + 0.00128 * Math.Sin(b) + 0.000719 * Math.Cos(2 * b) + 0.000077 * Math.Sin(2 * b);
        return solarConstantWm2 * rOverR0Squared;
    }

    /// <summary>Day of year (1..366) of an instant in UTC: the day pvlib's reference chain feeds to Spencer.</summary>
    public static int DayOfYearUtc(DateTimeOffset time) => time.UtcDateTime.DayOfYear;

    /// <summary>Extraterrestrial normal irradiance by Spencer (1971) at an instant (day of year in UTC), W/m².</summary>
    public static double ExtraterrestrialSpencerWm2(DateTimeOffset time) => ExtraterrestrialSpencerWm2(DayOfYearUtc(time));

    /// <summary>Relative air mass by Kasten &amp; Young (1989) on the apparent zenith; NaN when the sun is below the horizon (zenith &gt; 90°).</summary>
    public static double RelativeAirMassKastenYoung(double apparentZenithDeg)
    {
        if (!(apparentZenithDeg <= 90.0))
        {
            return double.NaN;
        }
        return 1.0 / (Math.Cos(apparentZenithDeg * Math.PI / 180.0) + 0.50572 * Math.Pow(6.07995 + (90.0 - apparentZenithDeg), -1.6364));
    }

    /// <summary>Absolute (pressure-corrected) air mass.</summary>
    public static double AbsoluteAirMass(double relativeAirMass, double pressurePa) => relativeAirMass * pressurePa / StandardPressurePa;

    /// <summary>Pressure of the standard atmosphere at an altitude (pvlib <c>alt2pres</c>), Pa.</summary>
    public static double PressureFromAltitudePa(double altitudeM) => 100.0 * Math.Pow((44331.514 - altitudeM) / 11880.516, 1.0 / 0.1902632);
}

/// <summary>Global, direct-normal and diffuse-horizontal irradiance, W/m².</summary>
public readonly record struct HorizontalIrradiance(double GhiWm2, double DniWm2, double DhiWm2);

/// <summary>Clear-sky models.</summary>
public static class ClearSky
{
    /// <summary>Ineichen-Perez clear sky (Ineichen &amp; Perez 2002) as pvlib computes it, without the Perez enhancement.</summary>
    /// <param name="apparentZenithDeg">Apparent solar zenith.</param>
    /// <param name="absoluteAirMass">Pressure-corrected air mass (NaN at night gives zeros).</param>
    /// <param name="linkeTurbidity">Linke turbidity factor.</param>
    /// <param name="altitudeM">Site altitude.</param>
    /// <param name="dniExtraWm2">Extraterrestrial normal irradiance.</param>
    public static HorizontalIrradiance Ineichen(double apparentZenithDeg, double absoluteAirMass, double linkeTurbidity, double altitudeM, double dniExtraWm2)
    {
        var am = absoluteAirMass;
        if (double.IsNaN(am))
        {
            return default;
        }
        var tl = linkeTurbidity;
        var cosZ = Math.Max(Math.Cos(apparentZenithDeg * Math.PI / 180.0), 0.0);
        var fh1 = Math.Exp(-altitudeM / 8000.0);
        var fh2 = Math.Exp(-altitudeM / 1250.0);
        var cg1 = 5.09e-05 * altitudeM + 0.868;
        var cg2 = 3.92e-05 * altitudeM + 0.0387;
        var ghi = cg1 * dniExtraWm2 * cosZ * Math.Max(Math.Exp(-cg2 * am * (fh1 + fh2 * (tl - 1))), 0.0);
        var b = 0.664 + 0.163 / fh1;
        var bnci = dniExtraWm2 * Math.Max(b * Math.Exp(-0.09 * am * (tl - 1)), 0.0);
        var bnci2 = ghi * Math.Min(Math.Max((1 - (0.1 - 0.2 * Math.Exp(-tl)) / (0.1 + 0.882 / fh1)) / cosZ, 0.0), 1e20);
        var dni = Math.Min(bnci, bnci2);
        var dhi = ghi - dni * cosZ;
        return new HorizontalIrradiance(Fill(ghi), Fill(dni), Fill(dhi));
    }

    /// <summary>Haurwitz (1945) clear-sky global horizontal irradiance on the apparent zenith, W/m².</summary>
    public static double HaurwitzGhiWm2(double apparentZenithDeg)
    {
        var cosZ = Math.Cos(apparentZenithDeg * Math.PI / 180.0);
        return cosZ > 0 ? 1098.0 * cosZ * Math.Exp(-0.059 / cosZ) : 0.0;
    }

    private static double Fill(double v) => double.IsNaN(v) ? 0.0 : v;
}

/// <summary>Splitting global horizontal irradiance into direct and diffuse parts.</summary>
public static class Decomposition
{
    /// <summary>Clearness index kt = GHI / (E0 · max(cos z, min)), clipped to [0, max] (pvlib <c>clearness_index</c>).</summary>
    public static double ClearnessIndex(double ghiWm2, double zenithDeg, double dniExtraWm2, double minCosZenith = 0.065, double maxClearnessIndex = 2.0)
    {
        var i0h = dniExtraWm2 * Math.Max(Math.Cos(zenithDeg * Math.PI / 180.0), minCosZenith);
        return Math.Min(Math.Max(ghiWm2 / i0h, 0.0), maxClearnessIndex);
    }

    /// <summary>Erbs, Klein &amp; Duffie (1982) as in pvlib: diffuse fraction from the clearness index; DNI is zero beyond
    /// <paramref name="maxZenithDeg"/> or for negative values, and then DHI = GHI.</summary>
    public static HorizontalIrradiance Erbs(double ghiWm2, double zenithDeg, double dniExtraWm2, double minCosZenith = 0.065, double maxZenithDeg = 87.0)
    {
        var kt = ClearnessIndex(ghiWm2, zenithDeg, dniExtraWm2, minCosZenith, 1.0);
        double df;
        if (kt <= 0.22)
        {
            df = 1 - 0.09 * kt;
        }
        else if (kt <= 0.8)
        {
            df = 0.9511 - 0.1604 * kt + 4.388 * kt * kt - 16.638 * kt * kt * kt + 12.336 * kt * kt * kt * kt;
        }
        else
        {
            df = 0.165;
        }
        var dhi = df * ghiWm2;
        var dni = (ghiWm2 - dhi) / Math.Cos(zenithDeg * Math.PI / 180.0);
        if (zenithDeg > maxZenithDeg || ghiWm2 < 0 || dni < 0)
        {
            dni = 0;
            dhi = ghiWm2;
        }
        return new HorizontalIrradiance(ghiWm2, dni, dhi);
    }
}
