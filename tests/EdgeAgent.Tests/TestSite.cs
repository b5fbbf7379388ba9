using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests;

/// <summary>The embedded demo site on the physics chain (5 kWp south, 4.17 kW AC, Greensboro).</summary>
internal static class TestSite
{
    public static SiteModels Models { get; } = DefaultSiteModels.ForSite(DefaultSiteModels.LoadSite(null));

    /// <summary>Local solar noon at the demo site in June is about 17:20 UTC.</summary>
    public static readonly DateTimeOffset JuneNoonUtc = new(2026, 6, 21, 17, 0, 0, TimeSpan.Zero);
}
