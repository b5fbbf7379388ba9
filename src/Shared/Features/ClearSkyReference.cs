using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.Shared.Features;

/// <summary>What the history checks hold a history's columns against, computed once for all of them: the site's clear sky (no shade;
/// GHI, the first plane's POA and AC) at the stamps' midpoints and at instants shifted from them, each instant simulated once, and
/// PVWatts over the history's own weather (<see cref="NameplateExpectation"/>), run once when first asked for.</summary>
public sealed class ClearSkyReference
{
    private readonly PvSystemModel _model;
    private readonly PlaneStep[] _planes;
    private readonly Dictionary<long, (double GhiWm2, double PoaWm2, double AcW)> _cache = [];
    private readonly Lazy<NameplateExpectation?> _nameplate;

    public ClearSkyReference(Site site, History history)
    {
        ArgumentNullException.ThrowIfNull(site);
        ArgumentNullException.ThrowIfNull(history);
        Site = site;
        History = history;
        Half = history.Step / 2;
        _model = new PvSystemModel(ChainFeatureSpecification.Unshaded(site));
        _planes = new PlaneStep[site.Planes.Count];
        _nameplate = new(() => NameplateExpectation.Of(site, history));
    }

    public Site Site { get; }

    public History History { get; }

    /// <summary>Half the history's step: a row's stamp plus this is its interval's midpoint.</summary>
    public TimeSpan Half { get; }

    /// <summary>PVWatts over the history's own weather, or null when it has neither GHI nor POA.</summary>
    public NameplateExpectation? Nameplate => _nameplate.Value;

    /// <summary>The clear sky at an instant.</summary>
    public (double GhiWm2, double PoaWm2, double AcW) At(DateTimeOffset time)
    {
        if (!_cache.TryGetValue(time.UtcTicks, out var r))
        {
            var step = _model.Simulate(_model.ClearSkySample(time), _planes);
            r = (step.Sky.GhiWm2, _planes[0].Poa.GlobalWm2, step.AcPowerW);
            _cache[time.UtcTicks] = r;
        }
        return r;
    }

    /// <summary>The clear sky at a row's interval midpoint.</summary>
    public (double GhiWm2, double PoaWm2, double AcW) AtRow(int row) => At(History.Times[row] + Half);
}
