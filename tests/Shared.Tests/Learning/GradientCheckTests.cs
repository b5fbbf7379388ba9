using PvEdge.Shared.Learning;

namespace PvEdge.Shared.Tests.Learning;

/// <summary>Every op's backward rule against central finite differences.</summary>
public sealed class GradientCheckTests
{
    private static Tensor Random(int rows, int cols, SeededRandom rng, float lo = -1, float hi = 1, string name = "")
    {
        var t = new Tensor(rows, cols, name);
        for (var k = 0; k < t.Length; k++)
        {
            t.Data[k] = (float)rng.Uniform(lo, hi);
        }
        return t;
    }

    /// <summary>Builds Σ out ⊙ R (R fixed random) and compares ∂/∂p analytic vs numeric for every element of every parameter.</summary>
    private static void Check(Func<Tape, Var[], Var> build, params Tensor[] parameters)
    {
        var tape = new Tape();
        var rng = new SeededRandom(99);
        Tensor? weights = null;
        double Loss(bool backward)
        {
            tape.Reset();
            var vars = parameters.Select(tape.Param).ToArray();
            var y = build(tape, vars);
            var yv = tape.Value(y);
            if (weights is null || !weights.SameShape(yv))
            {
                weights = Random(yv.Rows, yv.Cols, rng, 0.5f, 1.5f);
            }
            var loss = tape.Sum(tape.Mul(y, tape.Input(weights)));
            if (backward)
            {
                tape.Backward(loss);
            }
            return tape.Value(loss).Data[0];
        }
        Loss(true);
        var analytic = parameters.Select(p => { var g = new float[p.Length]; return g; }).ToArray();
        for (var i = 0; i < parameters.Length; i++)
        {
            var (p, g) = tape.ParameterGradient(i);
            Assert.Same(parameters[i], p);
            g.Data.CopyTo(analytic[i], 0);
        }
        const float h = 1e-2f;
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            for (var k = 0; k < p.Length; k++)
            {
                var keep = p.Data[k];
                p.Data[k] = keep + h;
                var fp = Loss(false);
                p.Data[k] = keep - h;
                var fm = Loss(false);
                p.Data[k] = keep;
                var numeric = (fp - fm) / (2 * h);
                var tol = 2e-2 * Math.Max(1, Math.Abs(numeric));
                Assert.True(Math.Abs(numeric - analytic[i][k]) <= tol,
                    $"{p.Name}[{k}]: analytic {analytic[i][k]}, numeric {numeric}");
            }
        }
    }

    [Fact]
    public void Linear_RandomShapes_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(1);
        Check((t, v) => t.Linear(v[0], v[1], v[2]), Random(5, 3, rng, name: "x"), Random(3, 11, rng, name: "w"), Random(1, 11, rng, name: "b"));
    }

    [Fact]
    public void Linear_WideOutputUsesVectorBlocks_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(2);
        Check((t, v) => t.Linear(v[0], v[1], v[2]), Random(9, 4, rng, name: "x"), Random(4, 20, rng, name: "w"), Random(1, 20, rng, name: "b"));
    }

    [Fact]
    public void MatMul_SingleOutputColumn_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(3);
        Check((t, v) => t.MatMul(v[0], v[1]), Random(6, 5, rng, name: "a"), Random(5, 1, rng, name: "b"));
    }

    [Theory]
    [InlineData("add")]
    [InlineData("sub")]
    [InlineData("mul")]
    [InlineData("div")]
    [InlineData("min")]
    [InlineData("max")]
    public void Binary_SameShapeAndBroadcast_MatchesFiniteDifferences(string op)
    {
        var rng = new SeededRandom(4);
        Var Apply(Tape t, Var a, Var b) => op switch
        {
            "add" => t.Add(a, b),
            "sub" => t.Sub(a, b),
            "mul" => t.Mul(a, b),
            "div" => t.Div(a, b),
            "min" => t.Min(a, b),
            _ => t.Max(a, b),
        };
        foreach (var (br, bc) in new[] { (4, 3), (1, 3), (4, 1), (1, 1) })
        {
            // keep divisors away from zero and operands of min/max apart so the check is not at a kink
            var a = Random(4, 3, rng, -1, 1, "a");
            var b = Random(br, bc, rng, 1.5f, 2.5f, "b");
            if (op is "min" or "max")
            {
                for (var k = 0; k < a.Length; k++)
                {
                    a.Data[k] = k % 2 == 0 ? 0.5f : 3.5f;
                }
            }
            Check((t, v) => Apply(t, v[0], v[1]), a, b);
        }
    }

    [Theory]
    [InlineData("tanh")]
    [InlineData("sigmoid")]
    [InlineData("relu")]
    [InlineData("softplus")]
    [InlineData("exp")]
    [InlineData("log")]
    [InlineData("square")]
    [InlineData("sqrt")]
    [InlineData("clamp")]
    [InlineData("addscalar")]
    [InlineData("mulscalar")]
    [InlineData("rsub")]
    public void Unary_RandomInput_MatchesFiniteDifferences(string op)
    {
        var rng = new SeededRandom(5);
        var positive = op is "log" or "sqrt";
        var x = Random(3, 17, rng, positive ? 0.3f : -2f, positive ? 2f : 2f, "x");
        if (op is "relu" or "clamp")
        {
            // stay away from the kinks at 0 and ±1
            for (var k = 0; k < x.Length; k++)
            {
                if (MathF.Abs(x.Data[k]) < 0.05f || MathF.Abs(MathF.Abs(x.Data[k]) - 1) < 0.05f)
                {
                    x.Data[k] += 0.2f;
                }
            }
        }
        Check((t, v) => op switch
        {
            "tanh" => t.Tanh(v[0]),
            "sigmoid" => t.Sigmoid(v[0]),
            "relu" => t.Relu(v[0]),
            "softplus" => t.Softplus(v[0]),
            "exp" => t.Exp(v[0]),
            "log" => t.Log(v[0]),
            "square" => t.Square(v[0]),
            "sqrt" => t.Sqrt(v[0]),
            "clamp" => t.Clamp(v[0], -1, 1),
            "addscalar" => t.AddScalar(v[0], 0.7f),
            "mulscalar" => t.MulScalar(v[0], -1.3f),
            _ => t.RSubScalar(2f, v[0]),
        }, x);
    }

    [Fact]
    public void Reductions_SumMeanSumCols_MatchFiniteDifferences()
    {
        var rng = new SeededRandom(6);
        var x = Random(4, 5, rng, name: "x");
        Check((t, v) => t.Add(t.SumCols(t.Square(v[0])), t.Add(t.Sum(v[0]), t.Mean(t.Tanh(v[0])))), x);
    }

    [Fact]
    public void ConcatAndSlice_Columns_MatchFiniteDifferences()
    {
        var rng = new SeededRandom(7);
        var a = Random(3, 2, rng, name: "a");
        var b = Random(3, 4, rng, name: "b");
        Check((t, v) =>
        {
            var c = t.ConcatCols(v[0], t.Tanh(v[1]), v[0]);
            return t.Mul(t.SliceCols(c, 1, 5), t.SliceCols(c, 3, 5));
        }, a, b);
    }

    [Fact]
    public void Gather_RepeatedIndices_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(8);
        var table = Random(4, 3, rng, name: "table");
        var idx = new Tensor(5, 1, [2, 0, 2, 3, 2]);
        Check((t, v) => t.Square(t.Gather(v[0], t.Input(idx))), table);
    }

    [Fact]
    public void MseLoss_WithMissingLabels_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(9);
        var p = Random(6, 2, rng, name: "p");
        var y = Random(6, 2, rng);
        y.Data[3] = float.NaN;
        y.Data[7] = float.NaN;
        Check((t, v) => t.MseLoss(t.Tanh(v[0]), y), p);
    }

    [Fact]
    public void HuberLoss_BothRegimes_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(10);
        var p = Random(6, 2, rng, -3, 3, "p");
        var y = Random(6, 2, rng);
        y.Data[0] = float.NaN;
        Check((t, v) => t.HuberLoss(v[0], y, 0.5f), p);
    }

    [Fact]
    public void Mlp_TwoHiddenLayers_MatchesFiniteDifferences()
    {
        var rng = new SeededRandom(11);
        var mlp = new Mlp([3, 9, 10, 2], Activation.Tanh, Activation.Softplus, rng);
        var x = Random(7, 3, rng);
        Check((t, v) => mlp.Forward(t, t.Input(x)), [.. mlp.Parameters]);
    }
}
