using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Sites;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Loads the site file (or the embedded demo site) and the power model: the bundle when one is configured and usable
/// (runners land with the learning/formulas work), else the site's physics chain.</summary>
public static class DefaultSiteModels
{
    /// <summary>The demo site embedded in the program (formats.md's example, shared with the inverter simulator), so the demo needs no file.</summary>
    public const string DemoSiteJson = InverterSimulator.Plant.PlantFactory.DemoSiteJson;

    public static Site LoadSite(string? siteFile) =>
        string.IsNullOrEmpty(siteFile) ? SiteLoader.Parse(DemoSiteJson, "embedded demo site") : SiteLoader.Load(siteFile);

    public static SiteModels Load(AgentSetup setup) => Load(setup.Gateway.SiteFile, setup.Model);

    /// <summary>The site and the model: the bundle when configured and valid, else the physics chain, with the reason as a note.</summary>
    public static SiteModels Load(string? siteFile, ModelOptions model)
    {
        if (string.IsNullOrEmpty(model.BundlePath) || model.Runner == "physics")
        {
            return ForSite(LoadSite(siteFile));
        }
        try
        {
            if (!Directory.Exists(model.BundlePath) && !File.Exists(model.BundlePath))
            {
                throw new InputException($"{model.BundlePath}: bundle not found");
            }
            var key = string.IsNullOrEmpty(model.PublicKeyFile) ? null : BundleKeys.LoadPublic(model.PublicKeyFile);
            var bundle = BundleLoader.Load(model.BundlePath, key);
            var physics = ForSite(string.IsNullOrEmpty(siteFile) ? bundle.Site : LoadSite(siteFile));
            return physics with { Model = BundlePowerModel.Create(bundle, model.Runner, model.Shadow) };
        }
        catch (Exception ex) when (ex is InputException or IOException or UnauthorizedAccessException or Microsoft.ML.OnnxRuntime.OnnxRuntimeException or System.Text.Json.JsonException)
        {
            return ForSite(LoadSite(siteFile)) with { Notes = [ex.Message] };
        }
    }

    /// <summary>Site models on the physics chain.</summary>
    public static SiteModels ForSite(Site site)
    {
        var tz = TimeZoneInfo.Utc;
        if (!string.IsNullOrEmpty(site.TimeZone))
        {
            try
            {
                tz = TimeZoneInfo.FindSystemTimeZoneById(site.TimeZone);
            }
            catch (TimeZoneNotFoundException)
            {
                throw new InputException($"site {site.Name}: timezone '{site.TimeZone}' is not known to this system (expected an IANA id such as Europe/Berlin)");
            }
        }
        var context = new SiteContext(site.Name, site.LatitudeDeg, site.LongitudeDeg, tz);
        return new SiteModels(context, new PhysicsClearSky(site), new PhysicsPowerModel(site));
    }
}
