namespace PvEdge.Shared.Physics;

/// <summary>Cell temperature model kind.</summary>
public enum CellTemperatureKind
{
    /// <summary>Sandia Array Performance Model (King et al. 2004).</summary>
    Sapm,

    /// <summary>Faiman (2008).</summary>
    Faiman,
}

/// <summary>A cell temperature model with its parameters. For <see cref="CellTemperatureKind.Sapm"/>: A, B (s/m) and
/// DeltaT (°C); for <see cref="CellTemperatureKind.Faiman"/>: U0 (W/m²K) and U1 (W s/m³K).</summary>
public sealed record CellTemperatureModel(CellTemperatureKind Kind, double A, double B, double DeltaTC, double U0, double U1)
{
    /// <summary>SAPM open rack, glass/polymer: a −3.56, b −0.075, ΔT 3 °C (pvlib's default for PVWatts chains).</summary>
    public static CellTemperatureModel SapmOpenRackGlassPolymer { get; } = Sapm(-3.56, -0.075, 3.0);

    /// <summary>Faiman with pvlib's defaults u0 25, u1 6.84.</summary>
    public static CellTemperatureModel FaimanDefault { get; } = Faiman(25.0, 6.84);

    /// <summary>A SAPM model.</summary>
    public static CellTemperatureModel Sapm(double a, double b, double deltaTC) => new(CellTemperatureKind.Sapm, a, b, deltaTC, double.NaN, double.NaN);

    /// <summary>A Faiman model.</summary>
    public static CellTemperatureModel Faiman(double u0, double u1) => new(CellTemperatureKind.Faiman, double.NaN, double.NaN, double.NaN, u0, u1);

    /// <summary>Cell temperature for a POA global irradiance, air temperature and wind speed, °C.</summary>
    public double CellC(double poaGlobalWm2, double tempAirC, double windSpeedMs) => Kind == CellTemperatureKind.Sapm
        ? CellTemperature.SapmC(poaGlobalWm2, tempAirC, windSpeedMs, A, B, DeltaTC)
        : CellTemperature.FaimanC(poaGlobalWm2, tempAirC, windSpeedMs, U0, U1);
}

/// <summary>Cell temperature models, as in pvlib's <c>temperature</c> module.</summary>
public static class CellTemperature
{
    /// <summary>SAPM cell temperature: T_module = E·exp(a + b·WS) + T_air, T_cell = T_module + E/1000·ΔT.</summary>
    public static double SapmC(double poaGlobalWm2, double tempAirC, double windSpeedMs, double a, double b, double deltaTC, double irradianceRefWm2 = 1000.0)
    {
        var module = poaGlobalWm2 * Math.Exp(a + b * windSpeedMs) + tempAirC;
        return module + poaGlobalWm2 / irradianceRefWm2 * deltaTC;
    }

    /// <summary>Faiman cell temperature: T_air + E / (u0 + u1·WS).</summary>
    public static double FaimanC(double poaGlobalWm2, double tempAirC, double windSpeedMs, double u0 = 25.0, double u1 = 6.84) =>
        tempAirC + poaGlobalWm2 / (u0 + u1 * windSpeedMs);
}
