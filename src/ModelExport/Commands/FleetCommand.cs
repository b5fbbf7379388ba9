using PvEdge.ModelExport.Simulation;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport fleet --sites N --seed K --out D [--days 365]</c>: writes a simulated fleet.</summary>
public sealed class FleetCommand : ICliCommand
{
    public string Name => "fleet";

    public string Usage => "fleet --sites N --seed K --out D [--days 365]  simulated fleet: sites, shading scenes, weather, noisy telemetry with gaps and faults";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var sites = args.Int("sites", 100, 1, 100_000);
        var seed = args.Int("seed", 1, 0);
        var days = args.Int("days", 365, 1, 3660);
        var output = args.Required("out");
        args.RejectUnknown();
        FleetManifest manifest;
        using (var bar = new ProgressBar(context.Error, "fleet"))
        {
            manifest = new FleetGenerator(new FleetOptions(sites, (ulong)seed, days)).Write(output, bar, cancellationToken);
        }
        var shaded = manifest.Sites.Count(s => s.Shaded);
        context.Out.WriteLine($"wrote {manifest.Sites.Count} sites ({shaded} shaded, {days} days at 15 min) to {output}: manifest.json, sites/, history/, truth/");
        return Task.FromResult(0);
    }
}
