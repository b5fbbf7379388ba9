using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent check-config [--config F]</c>: reads every configuration source, validates the options and the site/model, prints what the agent would use.</summary>
public sealed class CheckConfigCommand : ICliCommand
{
    public string Name => "check-config";

    public string Usage => "check-config [--config F]  validates the configuration (files, EDGEAGENT__ variables) and exits";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        var settings = new AgentHostSettings { ConfigFile = args.Optional("config"), AppFolder = AppContext.BaseDirectory };
        args.RejectUnknown();
        var files = AgentConfiguration.ExistingFiles(settings.ConfigFile, settings.AppFolder);
        var setup = AgentHost.Configure(settings);
        foreach (var w in setup.Warnings)
        {
            context.Error.WriteLine($"warning: {w}");
        }
        var models = DefaultSiteModels.Load(setup);
        foreach (var note in models.Notes ?? [])
        {
            context.Error.WriteLine($"warning: model bundle {setup.Model.BundlePath} not usable ({note}); the agent would use the physics model of the site");
        }
        context.Out.WriteLine($"sources: {(files.Count == 0 ? "none (demo defaults)" : string.Join(", ", files))}{(setup.Demo ? " [demo]" : "")}");
        context.Out.WriteLine($"gateway: {AgentHost.GatewayId(setup.Gateway)} (prefix {setup.Gateway.Prefix})");
        context.Out.WriteLine($"mqtt: {(setup.DemoOptions.EmbeddedBroker ? "the demo's embedded broker" : Publishing.MqttClientSettings.Describe(setup.Mqtt))}");
        context.Out.WriteLine($"site: {models.Site.Name} ({models.Site.Latitude:0.###}, {models.Site.Longitude:0.###}, {models.Site.TimeZone.Id})");
        context.Out.WriteLine($"model: {models.Model.Id} ({models.Model.Runner}), AC {models.Model.AcRatingW:0} W, DC {models.Model.DcRatingW:0} W");
        context.Out.WriteLine($"storage: {Storage.AgentDatabase.Describe(AgentHost.DatabasePath(setup))}");
        context.Out.WriteLine($"model store: {Models.ModelStore.Describe(setup)}");
        context.Out.WriteLine($"nightly fine-tuning: {Models.RetuneService.Describe(setup.Model, models.Model)}");
        foreach (var line in Acquisition.Devices.DeviceAgentWiring.Describe(setup.Configuration, setup.Devices))
        {
            context.Out.WriteLine(line);
        }
        context.Out.WriteLine($"sensors: {Acquisition.Sensors.SensorAgentWiring.Describe(setup.Configuration, setup.Sensors)}");
        context.Out.WriteLine(setup.Warnings.Count == 0 ? "configuration OK" : $"configuration usable with {setup.Warnings.Count} warning(s)");
        return Task.FromResult(0);
    }
}
