using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Settings of the symbolic regression search. Defaults follow PySR (populations 15 × 33, tournament 12 with
/// p = 0.86, mutation weights, crossover 0.066, constant optimisation probability 0.14, adaptive parsimony scaling 20).</summary>
public sealed record SrOptions
{
    public IReadOnlyList<BinaryOp> BinaryOperators { get; init; } = [BinaryOp.Add, BinaryOp.Sub, BinaryOp.Mul, BinaryOp.Div];

    public IReadOnlyList<UnaryOp> UnaryOperators { get; init; } = [UnaryOp.Sqrt, UnaryOp.Exp, UnaryOp.Log, UnaryOp.Sin, UnaryOp.Cos];

    public int Populations { get; init; } = 15;

    public int PopulationSize { get; init; } = 33;

    /// <summary>Children bred per population between two migrations.</summary>
    public int ChildrenPerIteration { get; init; } = 400;

    /// <summary>Iteration budget (migration rounds); the search also stops at <see cref="TimeBudget"/>.</summary>
    public int MaxIterations { get; init; } = int.MaxValue;

    /// <summary>Wall-clock budget; null = iterations only. With a time budget the result depends on the machine's speed.</summary>
    public TimeSpan? TimeBudget { get; init; }

    /// <summary>Seed of every random choice. With an iteration budget (no time budget) the result is the same for a seed
    /// whatever the thread count: each population has its own generator and migration is sequential.</summary>
    public int Seed { get; init; }

    /// <summary>Threads evolving populations at once (all cores by default).</summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    public int MaxComplexity { get; init; } = 30;

    public int MaxDepth { get; init; } = 10;

    public int TournamentSize { get; init; } = 12;

    public double TournamentProbability { get; init; } = 0.86;

    /// <summary>Penalty per node added to the normalised loss in selection.</summary>
    public double Parsimony { get; init; } = 0.0032;

    /// <summary>Selection score is multiplied by exp(scaling × frequency of the candidate's complexity) (PySR's adaptive parsimony).</summary>
    public double AdaptiveParsimonyScaling { get; init; } = 20;

    public double CrossoverProbability { get; init; } = 0.066;

    /// <summary>Probability that a member gets its constants optimised (Levenberg-Marquardt) at the end of an iteration.</summary>
    public double OptimizeProbability { get; init; } = 0.14;

    public int OptimizerIterations { get; init; } = 12;

    /// <summary>Fraction of members replaced by hall-of-fame members at each migration.</summary>
    public double MigrationFromHallOfFame { get; init; } = 0.035;

    /// <summary>Fraction of members replaced by the best members of other populations at each migration.</summary>
    public double MigrationFromPopulations { get; init; } = 0.01;

    /// <summary>Rows used while evolving (a fixed random subset when the data has more); the front is scored on all rows.</summary>
    public int MaxEvolutionRows { get; init; } = 1000;

    /// <summary>Stop when the best normalised loss (MSE / variance of y) falls below this.</summary>
    public double EarlyStopLoss { get; init; } = 1e-20;

    /// <summary>Once a formula reaches <see cref="EarlyStopLoss"/>, iterations to go on without finding a simpler one.</summary>
    public int EarlyStopPatience { get; init; } = 5;

    /// <summary>The best formula is chosen among front members whose loss is within this factor of the lowest.</summary>
    public double BestLossFactor { get; init; } = 1.5;

    /// <summary>Normalised losses below this are treated as equal (round-off), so exact formulas tie and the simplest wins.</summary>
    public double LossFloor { get; init; } = 1e-24;
}
