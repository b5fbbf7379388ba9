using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>The site's physics model chain (SPA, transposition, IAM, cell temperature, PVWatts DC and inverter) as an <see cref="IPowerModel"/>:
/// the model when no bundle is loaded. Intervals longer than 15 minutes are averaged over 15-minute sub-steps.</summary>
public sealed class PhysicsPowerModel : IPowerModel
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly PvSystemModel _chain;
    private readonly double _lossFactor;

    public PhysicsPowerModel(Site site)
    {
        _chain = new PvSystemModel(site);
        _lossFactor = 1 - site.LossesPct / 100.0;
        Id = $"physics-pvwatts-{site.Name}";
    }

    public string Id { get; }

    public string Runner => "physics";

    public Site Site => _chain.Site;

    public double AcRatingW => _chain.Site.Inverter.AcCapacityW;

    public double DcRatingW => _chain.Site.DcCapacityW;

    /// <summary>Without a bundle there are no learned residuals: a band of −25 % / +10 % of the clear-sky power, wide on purpose.</summary>
    public (double P10, double P90) ResidualQuantiles => (-0.25, 0.10);

    public double ExpectedAcW(in WeatherPoint weather, TimeSpan step)
    {
        var subs = step > SubStep ? (int)Math.Ceiling(step / SubStep) : 1;
        var sub = step / subs;
        Span<PlaneStep> planes = stackalloc PlaneStep[_chain.PlaneCount];
        var sum = 0.0;
        for (var k = 0; k < subs; k++)
        {
            var mid = weather.StartUtc + sub * k + sub / 2;
            var sample = new Shared.Weather.WeatherSample(mid, weather.GhiWm2, weather.DniWm2, weather.DhiWm2, weather.TempAirC, weather.WindSpeedMs);
            var r = _chain.Simulate(sample, planes);
            sum += double.IsFinite(r.AcPowerW) ? Math.Max(0, r.AcPowerW) : 0;
        }
        return sum / subs;
    }

    public double? ExpectedAcFromPoaW(double poaWm2, double moduleTempC)
    {
        if (!double.IsFinite(poaWm2) || !double.IsFinite(moduleTempC))
        {
            return null;
        }
        var dc = 0.0;
        foreach (var p in _chain.Site.Planes)
        {
            dc += PvWatts.DcPowerW(Math.Max(0, poaWm2), moduleTempC, p.DcCapacityW, p.GammaPdcPerC) * _lossFactor;
        }
        return Math.Max(0, PvWatts.AcPowerW(dc, _chain.Site.Inverter.Pdc0W, _chain.Site.Inverter.EtaNominal));
    }
}

/// <summary>Clear sky (Ineichen-Perez, Linke turbidity 3) and sun elevation at the site, from the physics library.</summary>
public sealed class PhysicsClearSky : IClearSkyModel
{
    private static readonly TimeSpan SubStep = TimeSpan.FromMinutes(15);
    private readonly PvSystemModel _chain;

    public PhysicsClearSky(Site site)
    {
        _chain = new PvSystemModel(site);
    }

    public ClearSkyPoint At(DateTimeOffset startUtc, TimeSpan step)
    {
        var subs = step > SubStep ? (int)Math.Ceiling(step / SubStep) : 1;
        var sub = step / subs;
        double ghi = 0, dni = 0, dhi = 0, elev = 0;
        for (var k = 0; k < subs; k++)
        {
            var mid = startUtc + sub * k + sub / 2;
            var s = _chain.ClearSkySample(mid);
            var sun = Spa.Compute(mid, _chain.Observer, _chain.Site.DefaultPressurePa, 20.0);
            ghi += Finite(s.GhiWm2);
            dni += Finite(s.DniWm2);
            dhi += Finite(s.DhiWm2);
            elev += sun.ApparentElevationDeg;
        }
        return new ClearSkyPoint(ghi / subs, dni / subs, dhi / subs, elev / subs);
    }

    private static double Finite(double v) => double.IsFinite(v) ? Math.Max(0, v) : 0;
}
