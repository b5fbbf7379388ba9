using PvEdge.Shared.Physics;

namespace PvEdge.Shared.Sites;

/// <summary>A PV site as described by the site file (formats.md): location, sky and module models, planes and one inverter.
/// Load it with <see cref="SiteLoader"/>; every default is pvlib's (see <see cref="SiteDefaults"/>).</summary>
/// <param name="Name">Free-form name.</param>
/// <param name="LatitudeDeg">Latitude, north positive (−90..90).</param>
/// <param name="LongitudeDeg">Longitude, east positive (−180..180).</param>
/// <param name="AltitudeM">Height above sea level; gives the pressure when the weather has none.</param>
/// <param name="TimeZone">IANA time zone for display (physics runs on the weather's own offsets), or null.</param>
/// <param name="Albedo">Ground reflectance (0..1).</param>
/// <param name="Transposition">Sky diffuse model.</param>
/// <param name="Iam">Incidence angle modifier applied to the beam.</param>
/// <param name="CellTemperature">Cell temperature model, driven by POA global irradiance.</param>
/// <param name="LossesPct">PVWatts system losses applied to the DC power of every plane, percent.</param>
/// <param name="Planes">One or more planes feeding the inverter.</param>
/// <param name="Inverter">The PVWatts inverter.</param>
public sealed record Site(
    string Name,
    double LatitudeDeg,
    double LongitudeDeg,
    double AltitudeM,
    string? TimeZone,
    double Albedo,
    TranspositionModel Transposition,
    IamModel Iam,
    CellTemperatureModel CellTemperature,
    double LossesPct,
    IReadOnlyList<Plane> Planes,
    InverterSpec Inverter)
{
    /// <summary>Sum of the planes' DC ratings, W.</summary>
    public double DcCapacityW => Planes.Sum(p => p.DcCapacityW);

    /// <summary>The SPA observer for this site (ΔT 67 s).</summary>
    public Observer Observer => new(LatitudeDeg, LongitudeDeg, AltitudeM);

    /// <summary>Standard-atmosphere pressure at the site's altitude, Pa.</summary>
    public double DefaultPressurePa => Atmosphere.PressureFromAltitudePa(AltitudeM);
}

/// <summary>One plane of modules (one orientation, one DC rating).</summary>
/// <param name="Name">Name used as the column suffix in simulate output.</param>
/// <param name="TiltDeg">Tilt from horizontal (0..90).</param>
/// <param name="AzimuthDeg">Azimuth clockwise from north (180 = south).</param>
/// <param name="DcKwp">DC rating at STC, kW.</param>
/// <param name="GammaPdcPerC">Power temperature coefficient, 1/°C.</param>
/// <param name="Horizon">Far horizon seen from this plane.</param>
public sealed record Plane(string Name, double TiltDeg, double AzimuthDeg, double DcKwp, double GammaPdcPerC, HorizonProfile Horizon)
{
    /// <summary>DC rating, W.</summary>
    public double DcCapacityW => DcKwp * 1000.0;
}

/// <summary>PVWatts inverter: AC rating and nominal efficiency; its DC limit is <c>ac_kw / eta_nominal</c>.</summary>
public sealed record InverterSpec(double AcKw, double EtaNominal)
{
    /// <summary>AC rating, W.</summary>
    public double AcCapacityW => AcKw * 1000.0;

    /// <summary>PVWatts pdc0 of the inverter, W.</summary>
    public double Pdc0W => AcCapacityW / EtaNominal;
}

/// <summary>Defaults of the optional site keys (pvlib's, and PVWatts' where pvlib has none).</summary>
public static class SiteDefaults
{
    /// <summary>pvlib's default albedo when no surface type is given.</summary>
    public const double Albedo = 0.25;

    /// <summary>Altitude when none is given, m.</summary>
    public const double AltitudeM = 0.0;

    /// <summary>PVWatts "standard" module temperature coefficient, 1/°C.</summary>
    public const double GammaPdcPerC = -0.0037;

    /// <summary>PVWatts default DC/AC ratio, used when the inverter gives neither ac_kw nor dc_ac_ratio.</summary>
    public const double DcAcRatio = 1.2;

    /// <summary>pvlib's nominal inverter efficiency.</summary>
    public const double EtaNominal = PvWatts.DefaultNominalInverterEfficiency;

    /// <summary>Default transposition (formats.md).</summary>
    public const TranspositionModel Transposition = TranspositionModel.Perez;

    /// <summary>Default IAM model.</summary>
    public const IamModel Iam = IamModel.Physical;

    /// <summary>pvlib's default PVWatts losses, percent.</summary>
    public static double LossesPct => PvWatts.DefaultLossesPct;
}
