using PvEdge.Shared.Cli;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.InverterSimulator.Plant;

/// <summary>Builds the plant behind the simulator from --site and --weather. Without --site the simulator plays the demo site of
/// formats.md (Greensboro, 5 kWp south at 30°, 4.17 kW inverter); without --weather it runs under clear sky.</summary>
public static class PlantFactory
{
    /// <summary>The site file example of formats.md.</summary>
    public const string DemoSiteJson = """
        {
          "name": "greensboro-demo",
          "latitude": 36.1, "longitude": -79.95, "altitude_m": 273,
          "timezone": "America/New_York",
          "albedo": 0.2,
          "transposition": "perez",
          "iam": "physical",
          "cell_temperature": { "model": "sapm", "a": -3.56, "b": -0.075, "delta_t": 3.0 },
          "losses_pct": 14.08,
          "planes": [
            { "name": "south", "tilt_deg": 30, "azimuth_deg": 180, "dc_kwp": 5.0, "gamma_pdc_per_c": -0.0037 }
          ],
          "inverter": { "ac_kw": 4.1667, "eta_nominal": 0.96 }
        }
        """;

    public static Site DemoSite() => SiteLoader.Parse(DemoSiteJson, "demo-site");

    /// <summary>Loads the site and weather files (InputException with one line on bad input).</summary>
    public static IPlantState Create(string? sitePath, string? weatherPath)
    {
        var site = sitePath is null ? DemoSite() : SiteLoader.Load(sitePath);
        var weather = weatherPath is null ? null : WeatherReader.Load(weatherPath);
        if (weather is { Count: 0 })
        {
            throw InputException.InFile(weatherPath!, "no weather rows");
        }
        return new PhysicsPlant(site, weather);
    }
}
