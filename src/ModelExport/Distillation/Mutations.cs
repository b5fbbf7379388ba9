using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>PySR's mutations on immutable trees, addressed by pre-order node index, and subtree crossover.
/// Weights are PySR's defaults (add 0.79, insert 5.1, delete 1.7, operator 0.47, swap 0.1, constant 0.048,
/// simplify 0.002, randomize 0.00023, nothing 0.21).</summary>
internal sealed class Mutations(RandomExpressions random, SrOptions options)
{
    private enum Kind
    {
        MutateConstant,
        MutateOperator,
        SwapOperands,
        AddNode,
        InsertNode,
        DeleteNode,
        Simplify,
        Randomize,
        DoNothing,
    }

    private static readonly (Kind Kind, double Weight)[] Weights =
    [
        (Kind.MutateConstant, 0.048), (Kind.MutateOperator, 0.47), (Kind.SwapOperands, 0.1), (Kind.AddNode, 0.79),
        (Kind.InsertNode, 5.1), (Kind.DeleteNode, 1.7), (Kind.Simplify, 0.002), (Kind.Randomize, 0.00023), (Kind.DoNothing, 0.21),
    ];

    /// <summary>A mutated copy within the size limits, or the parent itself when ten tries all broke the limits.
    /// <paramref name="temperature"/> in [0, 1] scales constant perturbations.</summary>
    public Expr Mutate(Expr parent, Random rng, double temperature)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var child = MutateOnce(parent, rng, temperature);
            if (child is not null && child.Complexity <= options.MaxComplexity && child.Depth <= options.MaxDepth)
            {
                return child;
            }
        }
        return parent;
    }

    private Expr? MutateOnce(Expr t, Random rng, double temperature)
    {
        var hasConstant = t.PreOrder().Any(n => n is Constant);
        var hasOperator = t is Unary or Binary;
        var full = t.Complexity >= options.MaxComplexity;
        var total = 0.0;
        foreach (var (k, w) in Weights)
        {
            total += Allowed(k) ? w : 0;
        }
        var u = rng.NextDouble() * total;
        var kind = Kind.DoNothing;
        foreach (var (k, w) in Weights)
        {
            if (!Allowed(k))
            {
                continue;
            }
            if (u < w)
            {
                kind = k;
                break;
            }
            u -= w;
        }
        return kind switch
        {
            Kind.MutateConstant => MutateConstant(t, rng, temperature),
            Kind.MutateOperator => MutateOperator(t, rng),
            Kind.SwapOperands => SwapOperands(t, rng),
            Kind.AddNode => AddNode(t, rng),
            Kind.InsertNode => InsertNode(t, rng),
            Kind.DeleteNode => DeleteNode(t, rng),
            Kind.Simplify => Simplifier.Simplify(t),
            Kind.Randomize => random.Tree(rng, rng.Next(0, Math.Max(1, options.MaxComplexity / 3))),
            _ => t,
        };

        bool Allowed(Kind k) => k switch
        {
            Kind.MutateConstant => hasConstant,
            Kind.MutateOperator or Kind.DeleteNode => hasOperator,
            Kind.SwapOperands => t.PreOrder().Any(n => n is Binary),
            Kind.AddNode or Kind.InsertNode => !full,
            _ => true,
        };
    }

    private static List<int> Indices(Expr t, Func<Expr, bool> predicate)
    {
        var list = new List<int>();
        var i = 0;
        foreach (var n in t.PreOrder())
        {
            if (predicate(n))
            {
                list.Add(i);
            }
            i++;
        }
        return list;
    }

    private static Expr MutateConstant(Expr t, Random rng, double temperature)
    {
        var idx = Indices(t, n => n is Constant);
        var at = idx[rng.Next(idx.Count)];
        var c = ((Constant)t.NodeAt(at)).Value;
        // PySR: multiply or divide by maxChange^u, maxChange = 1 + perturbation·temperature; negate with probability 0.01.
        var factor = Math.Pow(1 + (0.076 * temperature) + 1e-6, rng.NextDouble());
        c = rng.Next(2) == 0 ? c * factor : c / factor;
        if (rng.NextDouble() < 0.01)
        {
            c = -c;
        }
        return t.ReplaceAt(at, new Constant(c));
    }

    private Expr MutateOperator(Expr t, Random rng)
    {
        var idx = Indices(t, n => n is Unary or Binary);
        var at = idx[rng.Next(idx.Count)];
        return t.NodeAt(at) switch
        {
            Unary u when random.UnaryOps.Count > 0 => t.ReplaceAt(at, u.WithOp(random.UnaryOps[rng.Next(random.UnaryOps.Count)])),
            Binary b when random.BinaryOps.Count > 0 => t.ReplaceAt(at, b.WithOp(random.BinaryOps[rng.Next(random.BinaryOps.Count)])),
            _ => t,
        };
    }

    private static Expr SwapOperands(Expr t, Random rng)
    {
        var idx = Indices(t, n => n is Binary);
        var at = idx[rng.Next(idx.Count)];
        var b = (Binary)t.NodeAt(at);
        return t.ReplaceAt(at, new Binary(b.Op, b.Right, b.Left));
    }

    /// <summary>Appends an operator at a random leaf, or prepends one above the root.</summary>
    private Expr AddNode(Expr t, Random rng)
    {
        if (rng.Next(2) == 0)
        {
            return random.Operator(rng, t);
        }
        var leaves = RandomExpressions.LeafIndices(t);
        var at = leaves[rng.Next(leaves.Count)];
        return t.ReplaceAt(at, random.Operator(rng, random.Leaf(rng)));
    }

    /// <summary>Inserts an operator above a random node.</summary>
    private Expr InsertNode(Expr t, Random rng)
    {
        var at = rng.Next(t.Complexity);
        return t.ReplaceAt(at, random.Operator(rng, t.NodeAt(at)));
    }

    /// <summary>Replaces a random operator by one of its operands.</summary>
    private static Expr DeleteNode(Expr t, Random rng)
    {
        var idx = Indices(t, n => n is Unary or Binary);
        var at = idx[rng.Next(idx.Count)];
        return t.NodeAt(at) switch
        {
            Unary u => t.ReplaceAt(at, u.Operand),
            Binary b => t.ReplaceAt(at, rng.Next(2) == 0 ? b.Left : b.Right),
            _ => t,
        };
    }

    /// <summary>Swaps a random subtree of each parent.</summary>
    public (Expr, Expr) Crossover(Expr a, Expr b, Random rng)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            var i = rng.Next(a.Complexity);
            var j = rng.Next(b.Complexity);
            var sa = a.NodeAt(i);
            var sb = b.NodeAt(j);
            var ca = a.ReplaceAt(i, sb);
            var cb = b.ReplaceAt(j, sa);
            if (Fits(ca) && Fits(cb))
            {
                return (ca, cb);
            }
        }
        return (a, b);

        bool Fits(Expr e) => e.Complexity <= options.MaxComplexity && e.Depth <= options.MaxDepth;
    }
}
