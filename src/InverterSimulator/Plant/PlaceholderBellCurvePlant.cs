namespace PvEdge.InverterSimulator.Plant;

/// <summary>PLACEHOLDER physics: a clear-sky bell curve in local solar time, used only where the physics model chain of
/// <c>src/Shared</c> is not available. Not a model of any real site: irradiance is 1000·sin(π(h−6)/12)^1.5 W/m² between 6 and 18 h
/// solar time, DC is PVWatts-like on it, MPPT 1 carries <see cref="Mppt1Share"/> of the array.</summary>
public sealed class PlaceholderBellCurvePlant(double dcKwp, double acRatingW, double longitudeDeg, double mppt1Share = 0.6) : IPlantState
{
    public double AcRatingW => acRatingW;

    public double Mppt1Share => mppt1Share;

    public string Description => $"placeholder clear-sky bell curve ({dcKwp:0.##} kWp, {acRatingW:0} W AC)";

    public PlantSample Sample(DateTimeOffset timeUtc)
    {
        var solarHours = (timeUtc.UtcDateTime.TimeOfDay.TotalHours + longitudeDeg / 15.0 + 48) % 24;
        var shape = solarHours is > 6 and < 18 ? Math.Pow(Math.Sin(Math.PI * (solarHours - 6) / 12), 1.5) : 0;
        var poa = 1000 * shape;
        var ghi = 900 * shape;
        var air = 15 + 8 * Math.Sin(Math.PI * (solarHours - 9) / 12);
        var module = air + poa * 0.03;
        var dc = dcKwp * 1000 * poa / 1000 * (1 - 0.0037 * (module - 25)) * 0.86;
        var ac = Math.Min(dc * 0.96, acRatingW);
        var voltage = poa > 0 ? 360 * (1 - 0.0035 * (module - 25)) : 0;
        return new PlantSample(timeUtc, ac, [dc * mppt1Share, dc * (1 - mppt1Share)], [voltage, voltage * 0.9],
            ghi, 800 * shape, 100 * shape, poa, air, module, 2.5);
    }
}
