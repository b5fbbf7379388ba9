using PvEdge.Shared.Features;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Shared.Bundle;

/// <summary>One factor network of the chain as the bundle exposes it: named inputs in physical units (with the normalisation
/// the net applies), one output. Its ONNX file and its formula take the same inputs.</summary>
public sealed record ChainFactor(string Name, string Description, IReadOnlyList<FactorInput> Inputs, BundleOutput Output)
{
    public string OnnxFile => $"{BundleFormat.FactorsFolder}/{Name}.onnx";

    public IReadOnlyList<string> VariableNames => [.. Inputs.Select(i => i.Name)];
}

/// <summary>The three factors of <see cref="ChainModel"/>: N1's beam shading field, N2's module and N3's inverter.
/// Normalisations are those of <see cref="ChainFeatureSpecification"/>.</summary>
public static class ChainFactors
{
    private static FactorInput From(int column, string name, string unit)
    {
        var c = ChainFeatureSpecification.Columns[column];
        return new FactorInput(name, unit, c.Offset, c.Scale);
    }

    /// <summary>Beam shading fraction s ∈ [0, 1] at a sun position (the site's shading code is folded in).</summary>
    public static ChainFactor Shading { get; } = new("shading", "N1 beam shading field s(sun azimuth, sun elevation)",
        [From(ChainColumns.SinAzimuth, "sin_sun_azimuth", "1"), From(ChainColumns.CosAzimuth, "cos_sun_azimuth", "1"),
         From(ChainColumns.Elevation, "sun_elevation_deg", "deg")],
        new BundleOutput("beam_shading", "1"));

    /// <summary>DC power per W of DC capacity from effective POA irradiance, air temperature and wind (site gain included).</summary>
    public static ChainFactor Module { get; } = new("module", "N2 module: DC power per Wp",
        [From(ChainColumns.Beam, "poa_wm2", "W/m2"), From(ChainColumns.TempAir, "temp_air_c", "C"), From(ChainColumns.Wind, "wind_speed_ms", "m/s")],
        new BundleOutput("dc_per_wp", "W/Wp"));

    /// <summary>AC power per W of AC rating from DC power per W of AC rating (clipped at 1).</summary>
    public static ChainFactor Inverter { get; } = new("inverter", "N3 inverter: AC per W of AC rating, clipped at the rating",
        [new FactorInput("dc_load", "W/W", 0, 1)],
        new BundleOutput("ac_per_wac", "W/W"));

    public static IReadOnlyList<ChainFactor> All { get; } = [Shading, Module, Inverter];

    public static ChainFactor ByName(string name) =>
        All.FirstOrDefault(f => f.Name == name) ?? throw new ArgumentException($"no factor '{name}'", nameof(name));
}
