using System.Diagnostics;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>One formula of the result, scored on all rows of the dataset.</summary>
public sealed record SrCandidate(Expr Expression, int Complexity, double Mse, double Rmse, double R2, double Score);

/// <summary>The Pareto front (complexity ascending, loss strictly decreasing) and the chosen formula.</summary>
public sealed record SrResult(SrCandidate Best, IReadOnlyList<SrCandidate> Pareto, int Iterations, long Evaluations, TimeSpan Elapsed);

/// <summary>Symbolic regression in the manner of PySR: several populations evolve in parallel (one task per population
/// on all cores) by tournament selection, mutation and crossover with age-regularised replacement; every iteration the
/// members are simplified, a fraction get their constants optimised (Levenberg-Marquardt), the hall of fame collects the
/// best formula per complexity and migration copies hall-of-fame and other populations' members into each population.
/// Selection uses the normalised loss plus parsimony, scaled by PySR's adaptive parsimony. The result is the
/// complexity/loss Pareto front, polished, and the best formula by the score −Δlog(loss)/Δcomplexity among those within
/// <see cref="SrOptions.BestLossFactor"/> of the lowest loss.
/// <code>
/// var result = SymbolicRegression.Fit(dataset, new SrOptions { TimeBudget = TimeSpan.FromSeconds(30), Seed = 1 });
/// Console.WriteLine(result.Best.Expression);
/// </code></summary>
public static class SymbolicRegression
{
    public static SrResult Fit(SrDataset data, SrOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (data.Rows < 2)
        {
            throw new ArgumentException("at least two rows are needed", nameof(data));
        }
        time ??= TimeProvider.System;
        var started = time.GetTimestamp();
        var master = new Random(options.Seed);
        var evolution = data.Rows > options.MaxEvolutionRows
            ? data.Subset(Enumerable.Range(0, data.Rows).OrderBy(_ => master.Next()).Take(options.MaxEvolutionRows).ToList())
            : data;
        var random = new RandomExpressions(data.Variables, options.UnaryOperators, options.BinaryOperators);
        var populations = Enumerable.Range(0, options.Populations)
            .Select(i => new Population(evolution, options, random, unchecked((options.Seed * 1_000_003) + (i * 7_919) + 0x5eed)))
            .ToArray();
        var hof = new HallOfFame(options.MaxComplexity);
        bool TimeUp() => cancellationToken.IsCancellationRequested ||
                         (options.TimeBudget is { } b && time.GetElapsedTime(started) >= b);
        var iterations = 0;
        var simplestExact = int.MaxValue;
        var stale = 0;
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Threads) };
        while (iterations < options.MaxIterations && !TimeUp())
        {
            var histogram = new double[options.MaxComplexity + 1];
            foreach (var p in populations)
            {
                p.CountComplexities(histogram);
            }
            Parallel.For(0, populations.Length, parallel, i => populations[i].Evolve(histogram, TimeUp));
            iterations++;
            foreach (var p in populations)
            {
                hof.Merge(p.Best);
            }
            if (hof.BestLoss <= options.EarlyStopLoss)
            {
                // Exact: keep going a few iterations while parsimony finds a simpler exact formula.
                var simplest = hof.Front(options.LossFloor).First(f => f.Loss <= options.EarlyStopLoss).Tree.Complexity;
                stale = simplest < simplestExact ? 0 : stale + 1;
                simplestExact = Math.Min(simplestExact, simplest);
                if (stale >= options.EarlyStopPatience)
                {
                    break;
                }
            }
            Migrate(populations, hof, options, master);
        }
        cancellationToken.ThrowIfCancellationRequested();

        // Polish the front's constants on the evolution rows, then score on every row.
        var polished = new HallOfFame(options.MaxComplexity);
        foreach (var (t, l) in hof.Front(options.LossFloor))
        {
            var (pt, pl) = populations[0].Polish(t, l, 50);
            polished.Update(t, l);
            polished.Update(pt, pl);
            var (st, sl) = Snap(pt, pl, populations[0], options.LossFloor);
            polished.Update(st, sl);
        }
        var front = polished.Front(options.LossFloor);
        var candidates = Score(front, data, options);
        var best = ChooseBest(candidates, options);
        return new SrResult(best, candidates, iterations, populations.Sum(p => p.Evaluations), time.GetElapsedTime(started));
    }

    /// <summary>Tries to replace each constant by a nearby simple value (integer, half-integer, or 0) and keeps the change
    /// when the loss stays the same (within 1e-6 relative, or under the floor); then simplifies. Turns
    /// "1.0000000000002 * x + 3.1e-16" into "x".</summary>
    private static (Expr Tree, double Loss) Snap(Expr tree, double loss, Population scorer, double floor)
    {
        var constants = tree.Constants();
        for (var i = 0; i < constants.Length; i++)
        {
            var c = constants[i];
            foreach (var candidate in new[] { 0, Math.Round(c), Math.Round(c * 2) / 2 })
            {
                if (candidate == c)
                {
                    continue;
                }
                var trial = (double[])constants.Clone();
                trial[i] = candidate;
                var l = scorer.Loss(tree.WithConstants(trial));
                if (l <= Math.Max(loss * (1 + 1e-6), floor))
                {
                    constants = trial;
                    loss = Math.Min(Math.Max(l, 0), Math.Max(loss, l));
                    break;
                }
            }
        }
        var snapped = Simplifier.Simplify(tree.WithConstants(constants));
        return (snapped, scorer.Loss(snapped));
    }

    private static void Migrate(Population[] populations, HallOfFame hof, SrOptions options, Random rng)
    {
        var fromHof = hof.Front(options.LossFloor);
        var tops = populations.Select(p => p.Members.OrderBy(m => m.Loss).Take(3).Select(m => (m.Tree, m.Loss)).ToList()).ToArray();
        for (var i = 0; i < populations.Length; i++)
        {
            populations[i].Receive(fromHof, options.MigrationFromHallOfFame, rng);
            var others = tops.Where((_, j) => j != i).SelectMany(t => t).ToList();
            populations[i].Receive(others, options.MigrationFromPopulations, rng);
        }
    }

    private static List<SrCandidate> Score(List<(Expr Tree, double Loss)> front, SrDataset data, SrOptions options)
    {
        var output = new double[data.Rows];
        var list = new List<SrCandidate>();
        var variance = data.Variance > 0 ? data.Variance : 1;
        double? previousLog = null;
        var previousComplexity = 0;
        foreach (var (tree, _) in front)
        {
            FormulaProgram.Compile(tree, data.Variables).Evaluate<double>(data.Columns, data.Rows, output);
            var sse = 0.0;
            for (var i = 0; i < data.Rows; i++)
            {
                var d = output[i] - data.Target[i];
                sse += d * d;
            }
            var mse = double.IsFinite(sse) ? sse / data.Rows : double.PositiveInfinity;
            var logLoss = Math.Log(Math.Max(mse / variance, options.LossFloor));
            var score = previousLog is { } pl ? -(logLoss - pl) / (tree.Complexity - previousComplexity) : 0;
            list.Add(new SrCandidate(tree, tree.Complexity, mse, Math.Sqrt(mse), data.Variance > 0 ? 1 - (mse / data.Variance) : double.NaN, score));
            previousLog = logLoss;
            previousComplexity = tree.Complexity;
        }
        return list;
    }

    /// <summary>PySR's "best": the highest score −Δlog(loss)/Δcomplexity among candidates whose loss is within
    /// <see cref="SrOptions.BestLossFactor"/> of the lowest (losses below the floor count as the floor).</summary>
    internal static SrCandidate ChooseBest(IReadOnlyList<SrCandidate> candidates, SrOptions options)
    {
        Debug.Assert(candidates.Count > 0);
        var lowest = candidates.Min(c => Math.Max(c.Mse, 0));
        var floorMse = candidates.Count > 0 ? lowest : 0;
        var eligible = candidates.Where(c => c.Mse <= (options.BestLossFactor * floorMse) + 1e-300 ||
                                             (c.R2 >= 1 - options.LossFloor)).ToList();
        if (eligible.Count == 0)
        {
            eligible = [.. candidates];
        }
        return eligible.OrderByDescending(c => c.Score).ThenBy(c => c.Complexity).First();
    }
}
