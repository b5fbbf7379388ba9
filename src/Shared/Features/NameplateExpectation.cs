using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>What PVWatts makes of a history's own weather with the site file's nameplate values and no shade: over its GHI (DNI and
/// DHI by Erbs where missing), else over its measured POA. The yardstick the history checks hold the measured AC against.</summary>
/// <param name="AcW">AC, clipped at the inverter's rating</param>
/// <param name="UncappedAcW">DC after losses × the inverter's nominal efficiency: AC without the rating's clipping</param>
/// <param name="From">what drove it, for messages ("the history's GHI" or "the history's POA")</param>
public sealed record NameplateExpectation(double[] AcW, double[] UncappedAcW, string From)
{
    /// <summary>The expectation, or null when the history has neither GHI nor POA.</summary>
    public static NameplateExpectation? Of(Site site, History history)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(history);
        var eta = site.Inverter.EtaNominal;
        if (history.Column("ghi_wm2") is { } ghi && ghi.Any(double.IsFinite))
        {
            var steps = new PvSystemModel(ChainFeatureSpecification.Unshaded(site)).Run(ChainFeatureSpecification.WeatherOf(history, site)).Steps;
            return new([.. steps.Select(s => s.AcPowerW)], [.. steps.Select(s => s.DcPowerW * eta)], "the history's GHI");
        }
        if (history.Column("poa_wm2") is { } poa && poa.Any(double.IsFinite))
        {
            var dc = poa.Select(p => p / 1000 * site.DcCapacityW * (1 - (site.LossesPct / 100))).ToArray();
            return new([.. dc.Select(d => PvWatts.Inverter(d, site.Inverter.Pdc0W, eta).AcPowerW)], [.. dc.Select(d => d * eta)], "the history's POA");
        }
        return null;
    }
}
