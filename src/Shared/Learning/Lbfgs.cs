namespace PvEdge.Shared.Learning;

/// <summary>Limited-memory BFGS (Nocedal &amp; Wright, algorithm 7.4/7.5) with a backtracking Armijo line search, for
/// full-batch problems with few parameters (per-site fine-tuning of gains and codes). Works in double precision on a
/// flattened copy of the parameters.</summary>
public sealed class Lbfgs
{
    public int History { get; init; } = 10;

    public int MaxIterations { get; init; } = 100;

    public double GradientTolerance { get; init; } = 1e-6;

    public double FunctionTolerance { get; init; } = 1e-9;

    /// <summary>Minimises <paramref name="evaluate"/>, which must set every parameter's <see cref="Tensor.Grad"/> and return the loss.</summary>
    /// <returns>The final loss and the number of iterations.</returns>
    public (double Loss, int Iterations) Minimize(IReadOnlyList<Tensor> parameters, Func<double> evaluate)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(evaluate);
        var n = parameters.Sum(p => p.Length);
        var x = new double[n];
        var g = new double[n];
        Gather(parameters, x, grad: false);
        var f = evaluate();
        Gather(parameters, g, grad: true);
        var s = new List<double[]>();
        var y = new List<double[]>();
        var rho = new List<double>();
        var d = new double[n];
        var alpha = new double[History];
        var xNew = new double[n];
        var gNew = new double[n];
        var it = 0;
        var converged = false;
        for (; it < MaxIterations && !converged; it++)
        {
            if (Norm(g) < GradientTolerance)
            {
                break;
            }
            // two-loop recursion: d = −H·g
            for (var k = 0; k < n; k++)
            {
                d[k] = -g[k];
            }
            for (var j = s.Count - 1; j >= 0; j--)
            {
                alpha[j] = rho[j] * Dot(s[j], d);
                Axpy(-alpha[j], y[j], d);
            }
            var gamma = s.Count > 0 ? Dot(s[^1], y[^1]) / Dot(y[^1], y[^1]) : 1.0 / Math.Max(1.0, Norm(g));
            for (var k = 0; k < n; k++)
            {
                d[k] *= gamma;
            }
            for (var j = 0; j < s.Count; j++)
            {
                var beta = rho[j] * Dot(y[j], d);
                Axpy(alpha[j] - beta, s[j], d);
            }
            var slope = Dot(g, d);
            if (slope >= 0)
            {
                // not a descent direction: restart with steepest descent
                s.Clear();
                y.Clear();
                rho.Clear();
                for (var k = 0; k < n; k++)
                {
                    d[k] = -g[k] / Math.Max(1.0, Norm(g));
                }
                slope = Dot(g, d);
            }
            var step = 1.0;
            double fNew;
            var accepted = false;
            for (var ls = 0; ls < 30; ls++)
            {
                for (var k = 0; k < n; k++)
                {
                    xNew[k] = x[k] + step * d[k];
                }
                Scatter(parameters, xNew);
                fNew = evaluate();
                if (double.IsFinite(fNew) && fNew <= f + 1e-4 * step * slope)
                {
                    Gather(parameters, gNew, grad: true);
                    var sk = new double[n];
                    var yk = new double[n];
                    for (var k = 0; k < n; k++)
                    {
                        sk[k] = xNew[k] - x[k];
                        yk[k] = gNew[k] - g[k];
                    }
                    var sy = Dot(sk, yk);
                    if (sy > 1e-12)
                    {
                        if (s.Count == History)
                        {
                            s.RemoveAt(0);
                            y.RemoveAt(0);
                            rho.RemoveAt(0);
                        }
                        s.Add(sk);
                        y.Add(yk);
                        rho.Add(1 / sy);
                    }
                    var improvement = f - fNew;
                    Array.Copy(xNew, x, n);
                    Array.Copy(gNew, g, n);
                    f = fNew;
                    accepted = true;
                    if (improvement < FunctionTolerance * Math.Max(1, Math.Abs(f)))
                    {
                        converged = true;
                    }
                    break;
                }
                step *= 0.5;
            }
            if (!accepted)
            {
                Scatter(parameters, x);
                f = evaluate();
                break;
            }
        }
        Scatter(parameters, x);
        return (f, it);
    }

    private static void Gather(IReadOnlyList<Tensor> ps, double[] dst, bool grad)
    {
        var o = 0;
        foreach (var p in ps)
        {
            var src = grad ? p.Grad.Data : p.Data;
            for (var k = 0; k < src.Length; k++)
            {
                dst[o++] = src[k];
            }
        }
    }

    private static void Scatter(IReadOnlyList<Tensor> ps, double[] src)
    {
        var o = 0;
        foreach (var p in ps)
        {
            for (var k = 0; k < p.Length; k++)
            {
                p.Data[k] = (float)src[o++];
            }
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        var s = 0.0;
        for (var k = 0; k < a.Length; k++)
        {
            s += a[k] * b[k];
        }
        return s;
    }

    private static double Norm(double[] a) => Math.Sqrt(Dot(a, a));

    private static void Axpy(double a, double[] x, double[] y)
    {
        for (var k = 0; k < x.Length; k++)
        {
            y[k] += a * x[k];
        }
    }
}
