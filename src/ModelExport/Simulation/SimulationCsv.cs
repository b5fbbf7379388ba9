using System.Globalization;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Simulation;

/// <summary>Writes the <c>modelexport simulate</c> CSV of formats.md: one row per weather row; NaN becomes an empty cell.</summary>
public static class SimulationCsv
{
    private static readonly string[] StepColumns =
        ["time", "zenith_deg", "apparent_zenith_deg", "azimuth_deg", "dni_extra_wm2", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "wind_speed_ms"];

    private static readonly string[] PlaneColumns =
        ["aoi_deg", "poa_global_wm2", "poa_direct_wm2", "poa_diffuse_wm2", "effective_irradiance_wm2", "cell_temperature_c", "dc_power_w"];

    /// <summary>The header for a site: per-plane columns carry <c>__name</c> when there are several planes, followed by a total <c>dc_power_w</c>.</summary>
    public static IReadOnlyList<string> Header(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var columns = new List<string>(StepColumns);
        if (site.Planes.Count == 1)
        {
            columns.AddRange(PlaneColumns);
        }
        else
        {
            foreach (var plane in site.Planes)
            {
                columns.AddRange(PlaneColumns.Select(c => $"{c}__{plane.Name}"));
            }
            columns.Add("dc_power_w");
        }
        columns.Add("ac_power_w");
        return columns;
    }

    /// <summary>Writes header and rows.</summary>
    public static void Write(TextWriter writer, Site site, ChainResult result)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(result);
        writer.Write(string.Join(',', Header(site)));
        writer.Write('\n');
        var planes = result.PlaneCount;
        Span<char> buffer = stackalloc char[64];
        for (var i = 0; i < result.Steps.Length; i++)
        {
            ref readonly var s = ref result.Steps[i];
            writer.Write(s.TimeMid.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            Cell(writer, s.Sun.ZenithDeg, buffer);
            Cell(writer, s.Sun.ApparentZenithDeg, buffer);
            Cell(writer, s.Sun.AzimuthDeg, buffer);
            Cell(writer, s.DniExtraWm2, buffer);
            Cell(writer, s.Sky.GhiWm2, buffer);
            Cell(writer, s.Sky.DniWm2, buffer);
            Cell(writer, s.Sky.DhiWm2, buffer);
            Cell(writer, s.TempAirC, buffer);
            Cell(writer, s.WindSpeedMs, buffer);
            for (var p = 0; p < planes; p++)
            {
                ref readonly var ps = ref result.Plane(i, p);
                Cell(writer, ps.AoiDeg, buffer);
                Cell(writer, ps.Poa.GlobalWm2, buffer);
                Cell(writer, ps.Poa.DirectWm2, buffer);
                Cell(writer, ps.Poa.DiffuseWm2, buffer);
                Cell(writer, ps.EffectiveIrradianceWm2, buffer);
                Cell(writer, ps.CellTemperatureC, buffer);
                Cell(writer, ps.DcPowerW, buffer);
            }
            if (planes > 1)
            {
                Cell(writer, s.DcPowerW, buffer);
            }
            Cell(writer, s.AcPowerW, buffer);
            writer.Write('\n');
        }
    }

    private static void Cell(TextWriter writer, double value, Span<char> buffer)
    {
        writer.Write(',');
        if (double.IsFinite(value) && value.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture))
        {
            writer.Write(buffer[..written]);
        }
    }
}
