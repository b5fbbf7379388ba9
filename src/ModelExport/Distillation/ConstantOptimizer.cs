using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Levenberg-Marquardt on a formula's constants, minimising the squared error, with a forward-difference
/// Jacobian (step √ε·max(|c|, 1)). One restart from randomly perturbed constants (PySR's optimizer_nrestarts) guards
/// against a poor start. One instance per thread.</summary>
internal sealed class ConstantOptimizer(LossEvaluator evaluator)
{
    private double[] _r = new double[evaluator.Data.Rows];
    private double[] _rTrial = new double[evaluator.Data.Rows];
    private double[] _jac = [];

    /// <summary>Returns a tree with optimised constants and its loss, or the input when nothing improved.</summary>
    public (Expr Tree, double Loss) Optimize(Expr tree, double loss, int iterations, Random rng)
    {
        var p0 = tree.Constants();
        if (p0.Length == 0)
        {
            return (tree, loss);
        }
        var program = FormulaProgram.Compile(tree, evaluator.Data.Variables);
        var (best, bestLoss) = Run(program, p0, iterations);
        var perturbed = p0.Select(c => c * (1 + (0.5 * RandomExpressions.Normal(rng)))).ToArray();
        var (alt, altLoss) = Run(program, perturbed, iterations);
        if (altLoss < bestLoss)
        {
            (best, bestLoss) = (alt, altLoss);
        }
        return bestLoss < loss ? (tree.WithConstants(best), bestLoss) : (tree, loss);
    }

    private (double[] P, double Loss) Run(FormulaProgram program, double[] start, int iterations)
    {
        var n = evaluator.Data.Rows;
        var k = start.Length;
        if (_jac.Length < n * k)
        {
            _jac = new double[n * k];
        }
        var p = (double[])start.Clone();
        var trial = new double[k];
        var loss = evaluator.Residuals(program, p, _r);
        if (!double.IsFinite(loss))
        {
            return (p, loss);
        }
        var a = new double[k * k];
        var g = new double[k];
        var m = new double[k * k];
        var delta = new double[k];
        var lambda = 1e-3;
        for (var it = 0; it < iterations; it++)
        {
            // Jacobian of the residuals, column j = d r / d p_j.
            var jacobianOk = true;
            for (var j = 0; j < k; j++)
            {
                p.CopyTo(trial, 0);
                var h = 1.4901161193847656e-8 * Math.Max(Math.Abs(p[j]), 1);
                trial[j] += h;
                var col = _jac.AsSpan(j * n, n);
                var l = evaluator.Residuals(program, trial, col);
                if (!double.IsFinite(l))
                {
                    jacobianOk = false;
                    break;
                }
                for (var i = 0; i < n; i++)
                {
                    col[i] = (col[i] - _r[i]) / h;
                }
            }
            if (!jacobianOk)
            {
                break;
            }
            for (var x = 0; x < k; x++)
            {
                var cx = _jac.AsSpan(x * n, n);
                g[x] = Reductions.Dot(cx, _r);
                for (var y = x; y < k; y++)
                {
                    a[(x * k) + y] = a[(y * k) + x] = Reductions.Dot(cx, _jac.AsSpan(y * n, n));
                }
            }
            var improved = false;
            for (var attempt = 0; attempt < 8; attempt++)
            {
                for (var x = 0; x < k; x++)
                {
                    for (var y = 0; y < k; y++)
                    {
                        m[(x * k) + y] = a[(x * k) + y];
                    }
                    m[(x * k) + x] += (lambda * a[(x * k) + x]) + 1e-300;
                    delta[x] = -g[x];
                }
                if (!Solve(m, delta, k))
                {
                    lambda *= 10;
                    continue;
                }
                for (var x = 0; x < k; x++)
                {
                    trial[x] = p[x] + delta[x];
                }
                var newLoss = evaluator.Residuals(program, trial, _rTrial);
                if (newLoss < loss)
                {
                    var gain = loss - newLoss;
                    trial.CopyTo(p, 0);
                    (_r, _rTrial) = (_rTrial, _r);
                    loss = newLoss;
                    lambda = Math.Max(lambda / 10, 1e-12);
                    improved = gain > 1e-14 * loss;
                    break;
                }
                lambda *= 10;
            }
            if (!improved)
            {
                break;
            }
        }
        return (p, loss);
    }

    /// <summary>Gaussian elimination with partial pivoting; solves m x = b in place (b becomes x).</summary>
    private static bool Solve(double[] m, double[] b, int k)
    {
        for (var c = 0; c < k; c++)
        {
            var piv = c;
            for (var r = c + 1; r < k; r++)
            {
                if (Math.Abs(m[(r * k) + c]) > Math.Abs(m[(piv * k) + c]))
                {
                    piv = r;
                }
            }
            if (!(Math.Abs(m[(piv * k) + c]) > 0))
            {
                return false;
            }
            if (piv != c)
            {
                for (var x = 0; x < k; x++)
                {
                    (m[(c * k) + x], m[(piv * k) + x]) = (m[(piv * k) + x], m[(c * k) + x]);
                }
                (b[c], b[piv]) = (b[piv], b[c]);
            }
            for (var r = c + 1; r < k; r++)
            {
                var f = m[(r * k) + c] / m[(c * k) + c];
                for (var x = c; x < k; x++)
                {
                    m[(r * k) + x] -= f * m[(c * k) + x];
                }
                b[r] -= f * b[c];
            }
        }
        for (var r = k - 1; r >= 0; r--)
        {
            var s = b[r];
            for (var x = r + 1; x < k; x++)
            {
                s -= m[(r * k) + x] * b[x];
            }
            b[r] = s / m[(r * k) + r];
        }
        return b.All(double.IsFinite);
    }
}
