using System.Globalization;
using PvEdge.ModelExport.Distillation;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport sr</c>: symbolic regression of one CSV column on the others; writes the JSON of formats.md.</summary>
public sealed class SrCommand : ICliCommand
{
    public string Name => "sr";

    public string Usage =>
        "sr --csv F --target y --out G [--seconds S] [--seed K] [--operators +,-,*,/,sqrt,exp,log,sin,cos] [--iterations N] [--threads T] [--max-complexity C]  symbolic regression (PySR-style) to a formula";

    public async Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var csv = args.Required("csv");
        var target = args.Required("target");
        var output = args.Required("out");
        var options = ReadOptions(args);
        args.RejectUnknown();
        var data = SrTable.Read(csv, target);
        var result = await Task.Run(() => SymbolicRegression.Fit(data, options, context.Time, cancellationToken), cancellationToken).ConfigureAwait(false);
        var dir = Path.GetDirectoryName(Path.GetFullPath(output));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }
        await using (var stream = File.Create(output))
        {
            SrJson.Write(stream, target, result);
        }
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{target} = {result.Best.Expression}  (complexity {result.Best.Complexity}, R² {result.Best.R2:G6}, RMSE {result.Best.Rmse:G4}; {result.Iterations} iterations, {result.Evaluations} evaluations in {result.Elapsed.TotalSeconds:F1} s) → {output}"));
        return 0;
    }

    /// <summary>Search options from the command line, shared by <c>sr</c> and <c>sr-bench</c>.</summary>
    internal static SrOptions ReadOptions(CliArguments args)
    {
        var seconds = args.Double("seconds", 60, 0.1, 86_400);
        var iterations = args.Int("iterations", int.MaxValue, 1);
        var options = new SrOptions
        {
            TimeBudget = TimeSpan.FromSeconds(seconds),
            MaxIterations = iterations,
            Seed = args.Int("seed", 0),
            Threads = args.Int("threads", Environment.ProcessorCount, 1, 1024),
            MaxComplexity = args.Int("max-complexity", 30, 3, 200),
            Populations = args.Int("populations", 15, 1, 1000),
        };
        var ops = args.Optional("operators");
        if (ops is null)
        {
            return options;
        }
        var unary = new List<UnaryOp>();
        var binary = new List<BinaryOp>();
        foreach (var name in ops.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var (u, b) = ScalarMath.ParseName(name);
            if (u is { } uo)
            {
                unary.Add(uo);
            }
            else if (b is { } bo)
            {
                binary.Add(bo);
            }
            else
            {
                throw new InputException($"option --operators: unknown operator '{name}' (expected + - * / ^ min max exp log sqrt abs sin cos tan tanh neg)");
            }
        }
        if (binary.Count == 0)
        {
            throw new InputException("option --operators: at least one binary operator (+ - * / ^ min max) is needed");
        }
        return options with { UnaryOperators = unary, BinaryOperators = binary };
    }
}
