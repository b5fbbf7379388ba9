using PvEdge.Shared.Cli;

namespace PvEdge.InverterSimulator.Plant;

/// <summary>Builds the plant behind the simulator from the command line's --site and --weather.</summary>
public static class PlantFactory
{
    public static IPlantState Create(string? sitePath, string? weatherPath)
    {
        if (sitePath is not null || weatherPath is not null)
        {
            throw new InputException("options --site/--weather: the physics model chain is not available in this build; run without them for the placeholder plant");
        }
        return new PlaceholderBellCurvePlant(dcKwp: 5.0, acRatingW: 4166.7, longitudeDeg: 0);
    }
}
