using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>One island of the search: members with a birth stamp, bred by tournament selection, mutation and crossover,
/// each child replacing the oldest member (age-regularised evolution). Owns its random generator and buffers, so
/// populations evolve in parallel without sharing state.</summary>
internal sealed class Population
{
    private readonly SrOptions _options;
    private readonly Random _rng;
    private readonly LossEvaluator _evaluator;
    private readonly ConstantOptimizer _optimizer;
    private readonly Mutations _mutations;
    private readonly RandomExpressions _random;
    private long _clock;

    public Population(SrDataset data, SrOptions options, RandomExpressions random, int seed)
    {
        _options = options;
        _rng = new Random(seed);
        _evaluator = new LossEvaluator(data);
        _optimizer = new ConstantOptimizer(_evaluator);
        _random = random;
        _mutations = new Mutations(random, options);
        for (var i = 0; i < options.PopulationSize; i++)
        {
            var tree = random.Tree(_rng, _rng.Next(0, 4));
            Members.Add(new Member(tree, _evaluator.Loss(tree), _clock++));
        }
    }

    public List<Member> Members { get; } = [];

    public HallOfFame Best { get; private set; } = null!;

    public long Evaluations => _evaluator.Evaluations;

    internal sealed record Member(Expr Tree, double Loss, long Birth);

    /// <summary>Breeds <see cref="SrOptions.ChildrenPerIteration"/> children (stopping early at the deadline), then simplifies
    /// every member and optimises the constants of a random fraction. <paramref name="frequency"/> is the complexity
    /// histogram of all populations at the start of the iteration (adaptive parsimony); it is copied, not changed.</summary>
    public void Evolve(double[] frequency, Func<bool> timeUp)
    {
        var freq = (double[])frequency.Clone();
        var total = freq.Sum();
        Best = new HallOfFame(_options.MaxComplexity);
        foreach (var m in Members)
        {
            Best.Update(m.Tree, m.Loss);
        }
        var n = _options.ChildrenPerIteration;
        for (var child = 0; child < n; child++)
        {
            if ((child & 15) == 0 && timeUp())
            {
                break;
            }
            var temperature = 1.0 - ((double)child / n);
            if (_rng.NextDouble() < _options.CrossoverProbability)
            {
                var a = Tournament(freq, total);
                var b = Tournament(freq, total);
                var (ca, cb) = _mutations.Crossover(a.Tree, b.Tree, _rng);
                Replace(ca, a, freq, ref total);
                Replace(cb, b, freq, ref total);
                child++;
            }
            else
            {
                var parent = Tournament(freq, total);
                var mutated = _mutations.Mutate(parent.Tree, _rng, temperature);
                Replace(mutated, parent, freq, ref total);
            }
        }
        // Simplify everyone, then polish the constants of a random fraction.
        for (var i = 0; i < Members.Count; i++)
        {
            var m = Members[i];
            var simple = Simplifier.Simplify(m.Tree);
            if (!simple.Equals(m.Tree))
            {
                var loss = _evaluator.Loss(simple);
                if (loss <= m.Loss * (1 + 1e-9) || !double.IsFinite(m.Loss))
                {
                    m = m with { Tree = simple, Loss = loss };
                }
            }
            if (_rng.NextDouble() < _options.OptimizeProbability)
            {
                var (tree, loss) = _optimizer.Optimize(m.Tree, m.Loss, _options.OptimizerIterations, _rng);
                m = m with { Tree = tree, Loss = loss };
            }
            Members[i] = m;
            Best.Update(m.Tree, m.Loss);
        }
    }

    /// <summary>Optimises a formula's constants with this population's evaluator (used to polish the final front).</summary>
    public (Expr Tree, double Loss) Polish(Expr tree, double loss, int iterations) => _optimizer.Optimize(tree, loss, iterations, _rng);

    /// <summary>Normalised loss of a formula on this population's (evolution) rows.</summary>
    public double Loss(Expr tree) => _evaluator.Loss(tree);

    /// <summary>Replaces random members by <paramref name="migrants"/> (used by migration, sequentially).</summary>
    public void Receive(IReadOnlyList<(Expr Tree, double Loss)> migrants, double fraction, Random rng)
    {
        if (migrants.Count == 0)
        {
            return;
        }
        for (var i = 0; i < Members.Count; i++)
        {
            if (rng.NextDouble() < fraction)
            {
                var (t, l) = migrants[rng.Next(migrants.Count)];
                Members[i] = new Member(t, l, _clock++);
            }
        }
    }

    private void Replace(Expr child, Member parent, double[] freq, ref double total)
    {
        var loss = ReferenceEquals(child, parent.Tree) ? parent.Loss : _evaluator.Loss(child);
        var baby = double.IsFinite(loss) ? new Member(child, loss, _clock++) : parent with { Birth = _clock++ };
        var oldest = 0;
        for (var i = 1; i < Members.Count; i++)
        {
            if (Members[i].Birth < Members[oldest].Birth)
            {
                oldest = i;
            }
        }
        var c = baby.Tree.Complexity;
        if (c < freq.Length)
        {
            freq[c]++;
            total++;
        }
        Members[oldest] = baby;
        Best.Update(baby.Tree, baby.Loss);
    }

    private double Score(Member m, double[] freq, double total)
    {
        var c = m.Tree.Complexity;
        var s = m.Loss + (_options.Parsimony * c);
        var f = c < freq.Length && total > 0 ? freq[c] / total : 0;
        return s * Math.Exp(_options.AdaptiveParsimonyScaling * f);
    }

    /// <summary>Tournament: a random sample, sorted by adjusted score; the k-th best wins with probability p(1-p)^k.</summary>
    private Member Tournament(double[] freq, double total)
    {
        var size = Math.Min(_options.TournamentSize, Members.Count);
        Span<int> pick = stackalloc int[size];
        Span<double> score = stackalloc double[size];
        for (var i = 0; i < size; i++)
        {
            pick[i] = _rng.Next(Members.Count);
            score[i] = Score(Members[pick[i]], freq, total);
        }
        score.Sort(pick);
        for (var i = 0; i < size - 1; i++)
        {
            if (_rng.NextDouble() < _options.TournamentProbability)
            {
                return Members[pick[i]];
            }
        }
        return Members[pick[size - 1]];
    }

    /// <summary>The current members' complexity counts (added into <paramref name="histogram"/>).</summary>
    public void CountComplexities(double[] histogram)
    {
        foreach (var m in Members)
        {
            var c = m.Tree.Complexity;
            if (c < histogram.Length)
            {
                histogram[c]++;
            }
        }
    }

    public RandomExpressions Random => _random;
}
