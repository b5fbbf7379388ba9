using System.Globalization;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Simulation;

/// <summary>Energy totals of a simulation over the whole weather file (one year for a TMY).</summary>
/// <param name="Days">Length of the simulated period, days.</param>
/// <param name="PoaKwhPerM2">Plane-of-array global insolation of each plane, kWh/m².</param>
/// <param name="DcKwh">DC energy after losses, kWh.</param>
/// <param name="AcKwh">AC energy, kWh.</param>
/// <param name="SpecificYieldKwhPerKwp">AC energy per kWp of DC capacity.</param>
/// <param name="PeakAcW">Highest AC power, W.</param>
/// <param name="ClippedKwh">AC energy lost to clipping at the inverter rating, kWh.</param>
public sealed record SimulationSummary(double Days, IReadOnlyList<double> PoaKwhPerM2, double DcKwh, double AcKwh, double SpecificYieldKwhPerKwp, double PeakAcW,
    double ClippedKwh)
{
    /// <summary>Sums a chain result; each row stands for one interval of <paramref name="step"/>. Missing values count as zero.</summary>
    public static SimulationSummary From(Site site, ChainResult result, TimeSpan step)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(result);
        var hours = step.TotalHours;
        var poa = new double[result.PlaneCount];
        double dc = 0, ac = 0, clipped = 0, peak = 0;
        for (var i = 0; i < result.Steps.Length; i++)
        {
            ref readonly var s = ref result.Steps[i];
            for (var p = 0; p < poa.Length; p++)
            {
                poa[p] += Finite(result.Plane(i, p).Poa.GlobalWm2) * hours / 1000;
            }
            dc += Finite(s.DcPowerW) * hours / 1000;
            ac += Finite(s.AcPowerW) * hours / 1000;
            clipped += Finite(s.ClippedPowerW) * hours / 1000;
            peak = Math.Max(peak, Finite(s.AcPowerW));
        }
        return new SimulationSummary(result.Steps.Length * hours / 24, poa, dc, ac, ac / (site.DcCapacityW / 1000), peak, clipped);
    }

    /// <summary>Human-readable lines, one figure per line.</summary>
    public IEnumerable<string> Lines(Site site)
    {
        ArgumentNullException.ThrowIfNull(site);
        var ci = CultureInfo.InvariantCulture;
        yield return string.Create(ci, $"period_days: {Days:F2}");
        for (var p = 0; p < PoaKwhPerM2.Count; p++)
        {
            var suffix = PoaKwhPerM2.Count == 1 ? "" : $"__{site.Planes[p].Name}";
            yield return string.Create(ci, $"poa_kwh_m2{suffix}: {PoaKwhPerM2[p]:F1}");
        }
        yield return string.Create(ci, $"dc_kwh: {DcKwh:F1}");
        yield return string.Create(ci, $"ac_kwh: {AcKwh:F1}");
        yield return string.Create(ci, $"specific_yield_kwh_kwp: {SpecificYieldKwhPerKwp:F1}");
        yield return string.Create(ci, $"peak_ac_w: {PeakAcW:F1}");
        yield return string.Create(ci, $"clipped_kwh: {ClippedKwh:F2}");
    }

    private static double Finite(double v) => double.IsFinite(v) ? v : 0.0;
}
