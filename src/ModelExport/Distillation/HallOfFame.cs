using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>The best formula seen at each complexity (normalised loss on the evolution rows).</summary>
internal sealed class HallOfFame(int maxComplexity)
{
    private readonly (Expr? Tree, double Loss)[] _best = Enumerable.Repeat<(Expr?, double)>((null, double.PositiveInfinity), maxComplexity + 1).ToArray();

    public bool Update(Expr tree, double loss)
    {
        var c = tree.Complexity;
        if (c < _best.Length && loss < _best[c].Loss)
        {
            _best[c] = (tree, loss);
            return true;
        }
        return false;
    }

    public void Merge(HallOfFame other)
    {
        foreach (var (t, l) in other._best)
        {
            if (t is not null)
            {
                Update(t, l);
            }
        }
    }

    public double BestLoss => _best.Min(b => b.Loss);

    /// <summary>Members in order of complexity whose loss beats every simpler member (losses below <paramref name="floor"/> tie).</summary>
    public List<(Expr Tree, double Loss)> Front(double floor)
    {
        var front = new List<(Expr, double)>();
        var bestSoFar = double.PositiveInfinity;
        foreach (var (t, l) in _best)
        {
            if (t is null)
            {
                continue;
            }
            var eff = Math.Max(l, floor);
            if (eff < bestSoFar)
            {
                front.Add((t, l));
                bestSoFar = eff;
            }
        }
        return front;
    }
}
