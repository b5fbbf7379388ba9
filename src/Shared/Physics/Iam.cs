using System.Runtime.CompilerServices;

namespace PvEdge.Shared.Physics;

/// <summary>Incidence angle modifier applied to the beam component.</summary>
public enum IamModel
{
    /// <summary>Fresnel reflection and glass absorption (De Soto 2006), pvlib <c>iam.physical</c>.</summary>
    Physical,

    /// <summary>ASHRAE (Souka &amp; Safwat 1966), pvlib <c>iam.ashrae</c>.</summary>
    Ashrae,

    /// <summary>No reflection loss (IAM = 1 in front of the plane).</summary>
    None,
}

/// <summary>Incidence angle modifiers. Every model returns 0 for light from behind the plane (AOI ≥ 90°).</summary>
public static class Iam
{
    /// <summary>Default refractive index of the glass.</summary>
    public const double DefaultRefractiveIndex = 1.526;

    /// <summary>Default glazing extinction coefficient, 1/m.</summary>
    public const double DefaultExtinctionPerM = 4.0;

    /// <summary>Default glazing thickness, m.</summary>
    public const double DefaultThicknessM = 0.002;

    /// <summary>Default ASHRAE b0.</summary>
    public const double DefaultAshraeB0 = 0.05;

    /// <summary>Physical IAM: transmission through an air-glass interface (s and p polarisation) and absorption in the glass,
    /// normalised to normal incidence.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Physical(double aoiDeg, double n = DefaultRefractiveIndex, double k = DefaultExtinctionPerM, double l = DefaultThicknessM)
    {
        var cos1 = Math.Max(0.0, Math.Cos(aoiDeg * Math.PI / 180.0));
        var sin1 = Math.Sqrt(1 - cos1 * cos1);
        var sin2 = sin1 / n;
        var cos2 = Math.Sqrt(1 - sin2 * sin2);
        var rhoS = Square((cos1 - n * cos2) / (cos1 + n * cos2));
        var rhoP = Square((cos2 - n * cos1) / (cos2 + n * cos1));
        var rho0 = Square((1 - n) / (1 + n));
        var absorption = Math.Exp(-k * l / cos2);
        var tauS = (1 - rhoS) * absorption;
        var tauP = (1 - rhoP) * absorption;
        var tau0 = (1 - rho0) * Math.Exp(-k * l);
        return (tauS + tauP) / 2 / tau0;
    }

    /// <summary>ASHRAE IAM: 1 − b0·(1/cos AOI − 1), clipped at 0.</summary>
    public static double Ashrae(double aoiDeg, double b0 = DefaultAshraeB0)
    {
        if (Math.Abs(aoiDeg) >= 90.0)
        {
            return 0.0;
        }
        return Math.Max(0.0, 1 - b0 * (1 / Math.Cos(aoiDeg * Math.PI / 180.0) - 1));
    }

    /// <summary>The modifier of a model with its default parameters.</summary>
    public static double Modifier(IamModel model, double aoiDeg) => model switch
    {
        IamModel.Physical => Physical(aoiDeg),
        IamModel.Ashrae => Ashrae(aoiDeg),
        _ => Math.Abs(aoiDeg) >= 90.0 ? 0.0 : 1.0,
    };

    private static double Square(double x) => x * x;
}
