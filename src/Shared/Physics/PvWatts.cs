namespace PvEdge.Shared.Physics;

/// <summary>AC output of the PVWatts inverter model and what clipping removed, W.</summary>
/// <param name="AcPowerW">AC power after clipping at the rating (never negative).</param>
/// <param name="ClippedPowerW">AC power the inverter would have delivered above its rating.</param>
public readonly record struct InverterOutput(double AcPowerW, double ClippedPowerW);

/// <summary>PVWatts DC, system losses and inverter models (Dobos 2014), as in pvlib.</summary>
public static class PvWatts
{
    /// <summary>Reference efficiency of the PVWatts inverter curve.</summary>
    public const double ReferenceInverterEfficiency = 0.9637;

    /// <summary>Default nominal inverter efficiency.</summary>
    public const double DefaultNominalInverterEfficiency = 0.96;

    /// <summary>pvlib's default total loss (soiling 2, shading 3, mismatch 2, wiring 2, connections 0.5, LID 1.5,
    /// nameplate 1, availability 3 %), ≈ 14.0757 %.</summary>
    public static double DefaultLossesPct { get; } = Losses();

    /// <summary>DC power: pdc0 · E/1000 · (1 + γ·(T_cell − 25)), W.</summary>
    public static double DcPowerW(double effectiveIrradianceWm2, double cellTemperatureC, double pdc0W, double gammaPdcPerC, double referenceTemperatureC = 25.0) =>
        effectiveIrradianceWm2 * 0.001 * pdc0W * (1 + gammaPdcPerC * (cellTemperatureC - referenceTemperatureC));

    /// <summary>Total PVWatts system loss in percent: 100·(1 − Π(1 − lossᵢ/100)).</summary>
    public static double Losses(double soiling = 2, double shading = 3, double snow = 0, double mismatch = 2, double wiring = 2, double connections = 0.5,
        double lid = 1.5, double nameplateRating = 1, double age = 0, double availability = 3)
    {
        var p = 1.0;
        foreach (var l in (ReadOnlySpan<double>)[soiling, shading, snow, mismatch, wiring, connections, lid, nameplateRating, age, availability])
        {
            p *= 1 - l / 100;
        }
        return 100 * (1 - p);
    }

    /// <summary>PVWatts inverter: η = η_nom/η_ref·(−0.0162ζ − 0.0059/ζ + 0.9858), ζ = Pdc/Pdc0, AC = min(η·Pdc, η_nom·Pdc0), never negative.</summary>
    /// <param name="dcPowerW">DC input power.</param>
    /// <param name="pdc0W">DC input limit of the inverter (AC rating / nominal efficiency).</param>
    /// <param name="etaNominal">Nominal efficiency.</param>
    /// <param name="etaReference">Reference efficiency of the curve.</param>
    public static InverterOutput Inverter(double dcPowerW, double pdc0W, double etaNominal = DefaultNominalInverterEfficiency, double etaReference = ReferenceInverterEfficiency)
    {
        var pac0 = etaNominal * pdc0W;
        var zeta = dcPowerW / pdc0W;
        var eta = zeta != 0 ? etaNominal / etaReference * (-0.0162 * zeta - 0.0059 / zeta + 0.9858) : 0.0;
        var unclipped = eta * dcPowerW;
        var ac = Math.Max(0.0, Math.Min(pac0, unclipped));
        return new InverterOutput(ac, Math.Max(0.0, unclipped - pac0));
    }

    /// <summary>AC power of the PVWatts inverter, W.</summary>
    public static double AcPowerW(double dcPowerW, double pdc0W, double etaNominal = DefaultNominalInverterEfficiency) => Inverter(dcPowerW, pdc0W, etaNominal).AcPowerW;
}
