using System.Runtime.CompilerServices;

namespace PvEdge.Shared.Physics;

/// <summary>Sky diffuse model used to transpose horizontal irradiance onto a tilted plane.</summary>
public enum TranspositionModel
{
    /// <summary>Perez et al. (1990), all-sites composite coefficients.</summary>
    Perez,

    /// <summary>Hay &amp; Davies (1980).</summary>
    HayDavies,

    /// <summary>Isotropic sky (Liu &amp; Jordan).</summary>
    Isotropic,
}

/// <summary>Irradiance on the plane of array, W/m². Diffuse = sky + ground; global = direct + diffuse.</summary>
public readonly record struct PoaIrradiance(double DirectWm2, double SkyDiffuseWm2, double GroundDiffuseWm2)
{
    /// <summary>Sky plus ground-reflected diffuse.</summary>
    public double DiffuseWm2 => SkyDiffuseWm2 + GroundDiffuseWm2;

    /// <summary>Beam plus diffuse.</summary>
    public double GlobalWm2 => DirectWm2 + SkyDiffuseWm2 + GroundDiffuseWm2;
}

/// <summary>Angle of incidence and transposition models, matching pvlib's <c>irradiance</c> module.</summary>
public static class Transposition
{
    private const double Deg = Math.PI / 180.0;

    private static readonly double[] PerezEpsilonBins = [1.065, 1.23, 1.5, 1.95, 2.8, 4.5, 6.2];

    // allsitescomposite1990: f11 f12 f13 f21 f22 f23 per clearness bin.
    private static readonly double[] PerezCoefficients =
    [
        -0.0080, 0.5880, -0.0620, -0.0600, 0.0720, -0.0220,
        0.1300, 0.6830, -0.1510, -0.0190, 0.0660, -0.0290,
        0.3300, 0.4870, -0.2210, 0.0550, -0.0640, -0.0260,
        0.5680, 0.1870, -0.2950, 0.1090, -0.1520, -0.0140,
        0.8730, -0.3920, -0.3620, 0.2260, -0.4620, 0.0010,
        1.1320, -1.2370, -0.4120, 0.2880, -0.8230, 0.0560,
        1.0600, -1.6000, -0.3590, 0.2640, -1.1270, 0.1310,
        0.6780, -0.3270, -0.2500, 0.1560, -1.3770, 0.2510,
    ];

    /// <summary>Cosine of the angle of incidence (dot product of the sun vector and the plane normal), clipped to [−1, 1].</summary>
    public static double AoiProjection(double surfaceTiltDeg, double surfaceAzimuthDeg, double solarZenithDeg, double solarAzimuthDeg)
    {
        var p = Math.Cos(surfaceTiltDeg * Deg) * Math.Cos(solarZenithDeg * Deg)
                + Math.Sin(surfaceTiltDeg * Deg) * Math.Sin(solarZenithDeg * Deg) * Math.Cos((solarAzimuthDeg - surfaceAzimuthDeg) * Deg);
        return Math.Clamp(p, -1.0, 1.0);
    }

    /// <summary>Angle of incidence of the beam on the plane, degrees (0..180).</summary>
    public static double AoiDeg(double surfaceTiltDeg, double surfaceAzimuthDeg, double solarZenithDeg, double solarAzimuthDeg) =>
        Math.Acos(AoiProjection(surfaceTiltDeg, surfaceAzimuthDeg, solarZenithDeg, solarAzimuthDeg)) / Deg;

    /// <summary>Ground-reflected irradiance on the plane for a uniform albedo, W/m².</summary>
    public static double GroundDiffuseWm2(double surfaceTiltDeg, double ghiWm2, double albedo) => ghiWm2 * albedo * (1 - Math.Cos(surfaceTiltDeg * Deg)) * 0.5;

    /// <summary>Isotropic sky diffuse on the plane, W/m².</summary>
    public static double IsotropicSkyWm2(double surfaceTiltDeg, double dhiWm2) => dhiWm2 * (1 + Math.Cos(surfaceTiltDeg * Deg)) * 0.5;

    /// <summary>Hay-Davies sky diffuse on the plane (pvlib <c>haydavies</c>), W/m².</summary>
    public static double HayDaviesSkyWm2(double surfaceTiltDeg, double surfaceAzimuthDeg, double dhiWm2, double dniWm2, double dniExtraWm2,
        double solarZenithDeg, double solarAzimuthDeg) =>
        HayDaviesCore(Math.Cos(surfaceTiltDeg * Deg), AoiProjection(surfaceTiltDeg, surfaceAzimuthDeg, solarZenithDeg, solarAzimuthDeg),
            Math.Cos(solarZenithDeg * Deg), dhiWm2, dniWm2, dniExtraWm2);

    /// <summary>Perez (1990, all-sites composite) sky diffuse on the plane, W/m². Zero when the relative air mass is NaN
    /// (sun down) as in pvlib. Where pvlib yields NaN because DHI is zero while the sun is up (clearness 0/0), this returns 0:
    /// with no diffuse light there is no sky diffuse on the plane.</summary>
    public static double PerezSkyWm2(double surfaceTiltDeg, double surfaceAzimuthDeg, double dhiWm2, double dniWm2, double dniExtraWm2,
        double solarZenithDeg, double solarAzimuthDeg, double relativeAirMass) =>
        PerezCore(Math.Cos(surfaceTiltDeg * Deg), Math.Sin(surfaceTiltDeg * Deg), AoiProjection(surfaceTiltDeg, surfaceAzimuthDeg, solarZenithDeg, solarAzimuthDeg),
            Math.Cos(solarZenithDeg * Deg), solarZenithDeg * Deg, dhiWm2, dniWm2, dniExtraWm2, relativeAirMass);

    private static double HayDaviesCore(double cosTilt, double projection, double cosZenith, double dhiWm2, double dniWm2, double dniExtraWm2)
    {
        var rb = Math.Max(projection, 0.0) / Math.Max(cosZenith, 0.01745);
        var ai = dniWm2 / dniExtraWm2;
        var isotropic = Math.Max(dhiWm2 * (1 - ai) * 0.5 * (1 + cosTilt), 0.0);
        var circumsolar = Math.Max(dhiWm2 * ai * rb, 0.0);
        return isotropic + circumsolar;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static double PerezCore(double cosTilt, double sinTilt, double projection, double cosZenith, double zenithRad, double dhiWm2, double dniWm2,
        double dniExtraWm2, double relativeAirMass)
    {
        if (double.IsNaN(relativeAirMass) || !(dhiWm2 > 0))
        {
            return 0.0;
        }
        const double kappa = 1.041;
        var z = zenithRad;
        var delta = dhiWm2 * relativeAirMass / dniExtraWm2;
        var z3 = kappa * z * z * z;
        var eps = ((dhiWm2 + dniWm2) / dhiWm2 + z3) / (1 + z3);
        if (double.IsNaN(eps) || eps < 0)
        {
            return 0.0;
        }
        var bin = 0;
        while (bin < PerezEpsilonBins.Length && eps >= PerezEpsilonBins[bin])
        {
            bin++;
        }
        var c = PerezCoefficients.AsSpan(bin * 6, 6);
        var f1 = Math.Max(c[0] + c[1] * delta + c[2] * z, 0.0);
        var f2 = c[3] + c[4] * delta + c[5] * z;
        var a = Math.Max(projection, 0.0);
        var b = Math.Max(cosZenith, Cos85);
        var term1 = 0.5 * (1 - f1) * (1 + cosTilt);
        var term2 = f1 * a / b;
        var term3 = f2 * sinTilt;
        return Math.Max(dhiWm2 * (term1 + term2 + term3), 0.0);
    }

    private static readonly double Cos85 = Math.Cos(85.0 * Deg);

    /// <summary>Sky diffuse on the plane by the chosen model, W/m².</summary>
    public static double SkyDiffuseWm2(TranspositionModel model, double surfaceTiltDeg, double surfaceAzimuthDeg, double dhiWm2, double dniWm2,
        double dniExtraWm2, double solarZenithDeg, double solarAzimuthDeg, double relativeAirMass) => model switch
        {
            TranspositionModel.Perez => PerezSkyWm2(surfaceTiltDeg, surfaceAzimuthDeg, dhiWm2, dniWm2, dniExtraWm2, solarZenithDeg, solarAzimuthDeg, relativeAirMass),
            TranspositionModel.HayDavies => HayDaviesSkyWm2(surfaceTiltDeg, surfaceAzimuthDeg, dhiWm2, dniWm2, dniExtraWm2, solarZenithDeg, solarAzimuthDeg),
            _ => IsotropicSkyWm2(surfaceTiltDeg, dhiWm2),
        };

    /// <summary>Plane-of-array irradiance (pvlib <c>get_total_irradiance</c>): beam = max(DNI·cos AOI, 0), sky diffuse by the model,
    /// ground diffuse from GHI and albedo.</summary>
    /// <param name="model">Sky diffuse model.</param>
    /// <param name="surfaceTiltDeg">Plane tilt from horizontal.</param>
    /// <param name="surfaceAzimuthDeg">Plane azimuth, clockwise from north.</param>
    /// <param name="apparentZenithDeg">Solar apparent zenith.</param>
    /// <param name="solarAzimuthDeg">Solar azimuth.</param>
    /// <param name="sky">GHI, DNI, DHI.</param>
    /// <param name="dniExtraWm2">Extraterrestrial normal irradiance.</param>
    /// <param name="relativeAirMass">Relative air mass (Perez only; NaN at night).</param>
    /// <param name="albedo">Ground reflectance.</param>
    public static PoaIrradiance Poa(TranspositionModel model, double surfaceTiltDeg, double surfaceAzimuthDeg, double apparentZenithDeg, double solarAzimuthDeg,
        in HorizontalIrradiance sky, double dniExtraWm2, double relativeAirMass, double albedo)
    {
        var (sinTilt, cosTilt) = Math.SinCos(surfaceTiltDeg * Deg);
        var zenithRad = apparentZenithDeg * Deg;
        var (sinZ, cosZ) = Math.SinCos(zenithRad);
        var projection = Math.Clamp(cosTilt * cosZ + sinTilt * sinZ * Math.Cos((solarAzimuthDeg - surfaceAzimuthDeg) * Deg), -1.0, 1.0);
        return Poa(model, cosTilt, sinTilt, projection, cosZ, zenithRad, sky, dniExtraWm2, relativeAirMass, albedo);
    }

    /// <summary>Plane-of-array irradiance from precomputed trigonometry (the chain's hot path): cos/sin of the tilt, the AOI
    /// projection (cos AOI, clipped to [−1, 1]) and cos/radians of the apparent zenith.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static PoaIrradiance Poa(TranspositionModel model, double cosTilt, double sinTilt, double projection, double cosZenith, double zenithRad,
        in HorizontalIrradiance sky, double dniExtraWm2, double relativeAirMass, double albedo)
    {
        var direct = Math.Max(sky.DniWm2 * projection, 0.0);
        var skyDiffuse = model switch
        {
            TranspositionModel.Perez => PerezCore(cosTilt, sinTilt, projection, cosZenith, zenithRad, sky.DhiWm2, sky.DniWm2, dniExtraWm2, relativeAirMass),
            TranspositionModel.HayDavies => HayDaviesCore(cosTilt, projection, cosZenith, sky.DhiWm2, sky.DniWm2, dniExtraWm2),
            _ => sky.DhiWm2 * (1 + cosTilt) * 0.5,
        };
        return new PoaIrradiance(direct, skyDiffuse, sky.GhiWm2 * albedo * (1 - cosTilt) * 0.5);
    }
}
