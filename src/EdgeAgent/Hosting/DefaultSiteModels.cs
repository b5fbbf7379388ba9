using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Loads the site file (or the embedded demo site) and the power model. Wired to the physics library once it is merged.</summary>
public static class DefaultSiteModels
{
    public static SiteModels Load(AgentSetup setup) =>
        throw new InputException("the physics library (site model, clear sky, PVWatts) is not merged into this build yet; no site model is available");
}
