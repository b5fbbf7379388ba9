using System.Globalization;
using PvEdge.ModelExport.Export;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport export --bundle B --out Z [--sign KEY] [--history H]</c>: writes the bundle folder Z (or Z.zip).</summary>
public sealed class ExportCommand : ICliCommand
{
    public string Name => "export";

    public string Usage => "export --bundle B --out Z [--sign K.key] [--history H]  writes the model bundle (chain.onnx, factors/, formulas.json, report/, signed manifest); Z.zip for a zip; H gives the p10/p90 residuals";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var bundle = args.Required("bundle");
        var output = args.Required("out");
        var key = args.Optional("sign");
        var history = args.Optional("history");
        args.RejectUnknown();
        var result = BundleExporter.Export(bundle, output, key, history, context.Time.GetUtcNow());
        var m = result.Manifest;
        var formulas = m.Factors.Count(f => f.Formula is not null);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: model {m.ModelId}, {m.Files.Count} files ({result.TotalBytes / 1024.0:F0} KiB), {formulas}/{m.Factors.Count} factors with a formula, " +
            $"{(result.Signed ? "signed (manifest.sig)" : "unsigned")}{(m.ResidualQuantiles is { } q ? $", residual p10 {q.P10:F3} p90 {q.P90:F3} of AC rating" : "")}"));
        return Task.FromResult(0);
    }
}
