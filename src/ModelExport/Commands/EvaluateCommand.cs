using System.Globalization;
using PvEdge.ModelExport.Evaluation;
using PvEdge.ModelExport.Simulation;
using PvEdge.ModelExport.Training;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Sites;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport evaluate --bundle B --history H [--out F]</c>: metrics against baselines, JSON and PNG plots.</summary>
public sealed class EvaluateCommand : ICliCommand
{
    public string Name => "evaluate";

    public string Usage => "evaluate --bundle B --history H [--out F] [--fleet D --fleet-site K]  metrics vs PVWatts nameplate and smart persistence, plots";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var bundle = args.Required("bundle");
        var historyPath = args.Required("history");
        var output = args.Optional("out") ?? Path.Combine(bundle, "report", "evaluation.json");
        var fleet = args.Optional("fleet");
        var fleetSite = args.Int("fleet-site", 0, 0);
        args.RejectUnknown();
        var (model, info) = ChainBundle.Load(bundle);
        var sitePath = Path.Combine(bundle, ChainBundle.SiteFile);
        if (info.Kind != "site" || !File.Exists(sitePath))
        {
            throw new InputException($"{bundle}: not a site bundle (expected model.json kind \"site\" and site.json, as finetune writes)");
        }
        var site = SiteLoader.Load(sitePath);
        var history = History.Read(historyPath);
        FinetuneCommand.CheckHistory(site, history, context.Error);
        var features = FinetuneCommand.LoadFeatures(site, history, info.PoaInput, minimumDays: 1);
        var series = ChainEvaluation.Run(model, site, features, history.Column("ac_power_w")!);
        ShadingScene? truth = null;
        if (fleet is not null)
        {
            var manifest = FleetGenerator.ReadManifest(fleet);
            truth = manifest.Sites.FirstOrDefault(s => s.Id == fleetSite)?.Scene
                ?? throw new InputException($"{fleet}/manifest.json: no site with id {fleetSite.ToString(CultureInfo.InvariantCulture)} (option --fleet-site)");
        }
        var mae = truth is null ? (double?)null : EvaluationReport.ComputeShadingMae(series, truth, site.LatitudeDeg);
        var report = EvaluationReport.From(series, mae);
        var dir = Path.GetDirectoryName(Path.GetFullPath(output))!;
        Directory.CreateDirectory(dir);
        File.WriteAllText(output, report.ToJson());
        EvaluationPlots.MeasuredVsPredicted(series, Path.Combine(dir, "measured_vs_predicted.png"));
        EvaluationPlots.TimeSeries(series, Path.Combine(dir, "timeseries.png"));
        EvaluationPlots.ShadingField(model, truth, 0.5, Path.Combine(dir, "shading_field.png"));
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"daylight nRMSE {report.Model.NrmsePct:F2} % (RMSE {report.Model.RmseW:F0} W) vs PVWatts nameplate {report.Baselines.PvWattsNameplate.NrmsePct:F2} %, " +
            $"smart persistence {report.Baselines.SmartPersistence.NrmsePct:F2} %; skill {report.SkillVsPvWatts:F2} / {report.SkillVsPersistence:F2}") +
            (mae is null ? "" : string.Create(CultureInfo.InvariantCulture, $"; shading MAE {mae:F3}")));
        context.Out.WriteLine($"wrote {output}, measured_vs_predicted.png, timeseries.png, shading_field.png in {dir}");
        return Task.FromResult(0);
    }
}
