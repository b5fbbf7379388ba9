namespace PvEdge.Shared.Formulas;

/// <summary>Random trees over given operators and variables: the seeds of a symbolic regression population and the
/// fuzz inputs of tests. Constants are drawn from a standard normal distribution.</summary>
public sealed class RandomExpressions(IReadOnlyList<string> variables, IReadOnlyList<UnaryOp> unary, IReadOnlyList<BinaryOp> binary)
{
    public IReadOnlyList<string> VariableNames { get; } = variables;

    public IReadOnlyList<UnaryOp> UnaryOps { get; } = unary;

    public IReadOnlyList<BinaryOp> BinaryOps { get; } = binary;

    /// <summary>A leaf: a variable (probability <paramref name="variableProbability"/>) or a normal random constant.</summary>
    public Expr Leaf(Random rng, double variableProbability = 0.6)
    {
        ArgumentNullException.ThrowIfNull(rng);
        return VariableNames.Count > 0 && rng.NextDouble() < variableProbability
            ? new Variable(VariableNames[rng.Next(VariableNames.Count)])
            : new Constant(Math.Round(Normal(rng), 3));
    }

    /// <summary>A tree with exactly <paramref name="operators"/> operator nodes, grown by repeatedly replacing a random leaf
    /// with an operator over fresh leaves (PySR's gen_random_tree).</summary>
    public Expr Tree(Random rng, int operators)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var e = Leaf(rng);
        for (var i = 0; i < operators; i++)
        {
            var leaves = LeafIndices(e);
            var at = leaves[rng.Next(leaves.Count)];
            e = e.ReplaceAt(at, Operator(rng, e.NodeAt(at)));
        }
        return e;
    }

    /// <summary>A random operator applied to <paramref name="child"/> (and, for a binary one, a new leaf on a random side).</summary>
    public Expr Operator(Random rng, Expr child)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var nUnary = UnaryOps.Count;
        var pick = rng.Next(nUnary + BinaryOps.Count);
        if (pick < nUnary)
        {
            return new Unary(UnaryOps[pick], child);
        }
        var op = BinaryOps[pick - nUnary];
        var leaf = Leaf(rng);
        return rng.Next(2) == 0 ? new Binary(op, child, leaf) : new Binary(op, leaf, child);
    }

    /// <summary>Pre-order indices of the leaves of <paramref name="e"/>.</summary>
    public static List<int> LeafIndices(Expr e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var list = new List<int>();
        var i = 0;
        foreach (var n in e.PreOrder())
        {
            if (n is Constant or Variable)
            {
                list.Add(i);
            }
            i++;
        }
        return list;
    }

    public static double Normal(Random rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        var u1 = 1.0 - rng.NextDouble();
        var u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
