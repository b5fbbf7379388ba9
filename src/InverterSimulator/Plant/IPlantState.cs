namespace PvEdge.InverterSimulator.Plant;

/// <summary>What the plant is doing at one instant: the values the simulated inverter and met station publish.
/// Arrays are per MPPT input (index 0 = MPPT 1).</summary>
public sealed record PlantSample(
    DateTimeOffset TimeUtc,
    double AcPowerW,
    IReadOnlyList<double> DcPowerW,
    IReadOnlyList<double> DcVoltageV,
    double GhiWm2,
    double DniWm2,
    double DhiWm2,
    double PoaWm2,
    double TempAirC,
    double TempModuleC,
    double WindSpeedMs)
{
    public double DcPowerTotalW => DcPowerW.Sum();
}

/// <summary>The physics behind the simulator: the plant's state at a (simulated) time. Implementations must be cheap enough
/// to call on every Modbus request and must not depend on wall-clock time.</summary>
public interface IPlantState
{
    /// <summary>The AC rating of the inverter in W (SunSpec model 120 WRtg).</summary>
    double AcRatingW { get; }

    /// <summary>A short description for the console: "site greensboro-demo, weather 723170TYA.CSV" or "clear sky".</summary>
    string Description { get; }

    PlantSample Sample(DateTimeOffset timeUtc);
}
