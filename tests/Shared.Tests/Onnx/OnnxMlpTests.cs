using PvEdge.Shared.Onnx;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Onnx;

public class OnnxMlpTests
{
    private static DenseLayer Layer(Random rng, int inputs, int outputs, OnnxActivation act)
    {
        var scale = 1 / MathF.Sqrt(inputs);
        var w = new float[inputs * outputs];
        var b = new float[outputs];
        for (var i = 0; i < w.Length; i++)
        {
            w[i] = (float)((rng.NextDouble() * 2) - 1) * scale;
        }
        for (var i = 0; i < b.Length; i++)
        {
            b[i] = (float)((rng.NextDouble() * 2) - 1) * 0.1f;
        }
        return new DenseLayer(inputs, outputs, w, b, act);
    }

    private static (byte[] Model, List<DenseLayer> Layers) Network()
    {
        var rng = new Random(17);
        var layers = new List<DenseLayer>
        {
            Layer(rng, 6, 32, OnnxActivation.Silu),
            Layer(rng, 32, 32, OnnxActivation.Tanh),
            Layer(rng, 32, 16, OnnxActivation.Relu),
            Layer(rng, 16, 8, OnnxActivation.Softplus),
            Layer(rng, 8, 2, OnnxActivation.Sigmoid),
        };
        var g = new OnnxGraphBuilder("mlp");
        var x = g.Input("features", OnnxDim.Symbolic("N"), 6);
        var y = OnnxMlp.Emit(g, x, layers, "factor");
        g.Output(y, "out", OnnxDim.Symbolic("N"), 2);
        return (g.ToBytes(), layers);
    }

    [Fact]
    public void Emit_RunInOnnxRuntime_EqualsCSharpForwardTo1e5()
    {
        var (model, layers) = Network();
        const int rows = 2000;
        var rng = new Random(2);
        var input = new float[rows * 6];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)((rng.NextDouble() * 6) - 3);
        }
        var onnx = OnnxRun.Run(model, "features", input, rows, 6);
        Assert.Equal(rows * 2, onnx.Length);
        for (var r = 0; r < rows; r++)
        {
            var expected = OnnxMlp.Forward(layers, input.AsSpan(r * 6, 6));
            for (var k = 0; k < 2; k++)
            {
                Assert.True(Math.Abs(onnx[(r * 2) + k] - expected[k]) <= 1e-5 * Math.Abs(expected[k]), $"row {r} out {k}: {onnx[(r * 2) + k]} vs {expected[k]}");
            }
        }
    }

    [SkippableFact]
    public void Emit_Network_PassesOnnxChecker()
    {
        Assert.Equal("ok ir 8 opset 17", OnnxChecker.CheckBytes(Network().Model));
    }

    [SkippableFact]
    public void Builder_EveryListedOperator_PassesOnnxCheckerAndRuns()
    {
        var g = new OnnxGraphBuilder("ops");
        var x = g.Input("x", OnnxDim.Symbolic("N"), 4);
        var c0 = g.Column(x, 0);                                           // [N]
        var un = g.Unsqueeze(c0, 1);                                       // [N,1]
        var sl = g.Slice(x, [1], [3], [1]);                                // [N,2]
        var cat = g.Concat(1, un, sl);                                     // [N,3]
        var w = g.Initializer("w", new float[] { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, 3, 3);
        var mm = g.MatMul(cat, w);                                         // [N,3]
        var a = g.Abs(g.Neg(g.Sub(g.Add(mm, g.Scalar(1)), g.Scalar(0.5)))); // |-(m+0.5)|
        var b = g.Div(g.Mul(a, g.Scalar(2)), g.Scalar(2));
        var t = g.Add(g.Add(g.Sin(b), g.Cos(b)), g.Add(g.Tan(g.Mul(b, g.Scalar(0.1))), g.Tanh(b)));
        var e = g.Add(g.Log(g.Add(g.Exp(g.Neg(b)), g.Scalar(1))), g.Sqrt(b));
        var p = g.Pow(b, g.Scalar(1.5));
        var mix = g.Add(g.Add(g.Min(t, e), g.Max(e, p)), g.Add(g.Sigmoid(t), g.Relu(t)));
        var clip = g.Clip(mix, -10, 10);
        var id = g.Identity(g.Reshape(clip, -1, 3));
        var k = g.Constant(Shared.Onnx.OnnxTensor.FromFloats("k", [3f]));
        var gathered = g.Gather(g.Mul(id, k), g.Int64s("idx", 0, 2), 1);   // [N,2]
        g.Output(gathered, "y", OnnxDim.Symbolic("N"), 2);
        var model = g.ToBytes();
        Assert.Equal("ok ir 8 opset 17", OnnxChecker.CheckBytes(model));

        var input = new float[] { 0.5f, 1, 1.5f, 2, 0.1f, 0.2f, 0.3f, 0.4f };
        var output = OnnxRun.Run(model, "x", input, 2, 4);
        Assert.Equal(4, output.Length);
        // Row 0, column 0: m = 0.5, b = |-(0.5 + 0.5)| = 1.
        var bb = 1.0;
        var tt = Math.Sin(bb) + Math.Cos(bb) + Math.Tan(0.1 * bb) + Math.Tanh(bb);
        var ee = Math.Log(Math.Exp(-bb) + 1) + Math.Sqrt(bb);
        var pp = Math.Pow(bb, 1.5);
        var expected = 3 * Math.Clamp(Math.Min(tt, ee) + Math.Max(ee, pp) + (1 / (1 + Math.Exp(-tt))) + Math.Max(tt, 0), -10, 10);
        Assert.Equal(expected, output[0], 4);
    }
}
