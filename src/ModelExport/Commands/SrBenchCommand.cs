using System.Globalization;
using System.Text.Json;
using PvEdge.ModelExport.Distillation;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport sr-bench</c>: exact-recovery rate of the symbolic regression on a set of equations
/// (AI Feynman), one search per equation with the given budget, noise 0.</summary>
public sealed class SrBenchCommand : ICliCommand
{
    public string Name => "sr-bench";

    public string Usage =>
        "sr-bench --equations F [--seconds 60] [--rows 500] [--ids I.12.1,II.3.24] [--first N] [--out report.json] [sr options]  recovery rate of sr on known equations";

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var path = args.Required("equations");
        var rows = args.Int("rows", 500, 10, 1_000_000);
        var ids = args.Optional("ids")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var first = args.Int("first", int.MaxValue, 1);
        var output = args.Optional("out");
        var options = SrCommand.ReadOptions(args);
        args.RejectUnknown();
        var equations = FeynmanSuite.Load(path).Where(e => ids is null || ids.Contains(e.Id)).Take(first).ToList();
        if (equations.Count == 0)
        {
            throw new InputException($"{path}: no equation matches --ids");
        }
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sr-bench: {equations.Count} equations, {rows} rows, noise 0, budget {options.TimeBudget?.TotalSeconds ?? 0:F0} s / {(options.MaxIterations == int.MaxValue ? "∞" : options.MaxIterations.ToString(CultureInfo.InvariantCulture))} iterations, {options.Threads} threads, seed {options.Seed}; recovered = R² > 1-1e-10 and max relative error <= 1e-6 on {FeynmanSuite.FreshRows} fresh samples"));
        var outcomes = new List<BenchOutcome>();
        foreach (var eq in equations)
        {
            var o = await Task.Run(() => FeynmanSuite.Run(eq, options, rows, context.Time, cancellationToken), cancellationToken).ConfigureAwait(false);
            outcomes.Add(o);
            context.Out.WriteLine(FeynmanSuite.Format(o));
        }
        var recovered = outcomes.Count(o => o.Recovered);
        var within = outcomes.Count(o => o.FreshMaxRelativeError <= 1e-3);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"recovered {recovered}/{outcomes.Count} = {100.0 * recovered / outcomes.Count:F1} % (max relative error <= 1e-3 on fresh samples: {within}/{outcomes.Count})"));
        if (output is not null)
        {
            await using var stream = File.Create(output);
            await JsonSerializer.SerializeAsync(stream, new
            {
                equations = path,
                rows,
                seconds = options.TimeBudget?.TotalSeconds,
                threads = options.Threads,
                seed = options.Seed,
                criterion = "R2 > 1-1e-10 and max relative error <= 1e-6 on 10000 fresh samples",
                recovered,
                total = outcomes.Count,
                outcomes,
            }, new JsonSerializerOptions { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals }, cancellationToken).ConfigureAwait(false);
        }
        return 0;
    }
}
