namespace PvEdge.Shared.Onnx;

/// <summary>Activation after a dense layer.</summary>
public enum OnnxActivation
{
    Identity,
    Relu,
    Tanh,
    Sigmoid,
    /// <summary>ln(1 + eˣ) (ONNX Softplus).</summary>
    Softplus,
    /// <summary>x·sigmoid(x) (SiLU / swish), emitted as Mul(x, Sigmoid(x)).</summary>
    Silu,
}

/// <summary>One dense layer y = act(W x + b). <see cref="Weight"/> is row-major [Out, In] (PyTorch's nn.Linear layout),
/// <see cref="Bias"/> has <see cref="Out"/> values.</summary>
public sealed record DenseLayer(int In, int Out, float[] Weight, float[] Bias, OnnxActivation Activation)
{
    /// <summary>Checks the array lengths against In and Out.</summary>
    public void Validate()
    {
        if (Weight.Length != In * Out)
        {
            throw new ArgumentException($"weight holds {Weight.Length} values, expected Out*In = {Out}*{In}");
        }
        if (Bias.Length != Out)
        {
            throw new ArgumentException($"bias holds {Bias.Length} values, expected {Out}");
        }
    }
}

/// <summary>Emits a multilayer perceptron into an <see cref="OnnxGraphBuilder"/> as a subgraph: one
/// Gemm(x, W, b, transB=1) per layer followed by its activation. The input is a 2-D tensor [N, In of the first layer];
/// the returned tensor is [N, Out of the last layer]. Use it for each factor network and chain the outputs with the
/// builder's arithmetic (Mul, Add, Concat, Column ...).</summary>
public static class OnnxMlp
{
    public static string Emit(OnnxGraphBuilder g, string input, IReadOnlyList<DenseLayer> layers, string prefix = "mlp")
    {
        ArgumentNullException.ThrowIfNull(g);
        ArgumentNullException.ThrowIfNull(layers);
        var x = input;
        for (var i = 0; i < layers.Count; i++)
        {
            var l = layers[i];
            l.Validate();
            if (i > 0 && layers[i - 1].Out != l.In)
            {
                throw new ArgumentException($"layer {i} takes {l.In} inputs but layer {i - 1} gives {layers[i - 1].Out}", nameof(layers));
            }
            var w = g.Initializer($"{prefix}_l{i}_weight", l.Weight, l.Out, l.In);
            var b = g.Initializer($"{prefix}_l{i}_bias", l.Bias, l.Out);
            x = g.Gemm(x, w, b, transB: true);
            x = Activate(g, x, l.Activation);
        }
        return x;
    }

    public static string Activate(OnnxGraphBuilder g, string x, OnnxActivation activation) => activation switch
    {
        OnnxActivation.Identity => x,
        OnnxActivation.Relu => g.Relu(x),
        OnnxActivation.Tanh => g.Tanh(x),
        OnnxActivation.Sigmoid => g.Sigmoid(x),
        OnnxActivation.Softplus => g.Node("Softplus", [x]),
        OnnxActivation.Silu => g.Mul(x, g.Sigmoid(x)),
        _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, null),
    };

    /// <summary>The same network evaluated in C# for one row (float arithmetic, double accumulation), the reference the
    /// ONNX output is tested against.</summary>
    public static float[] Forward(IReadOnlyList<DenseLayer> layers, ReadOnlySpan<float> input)
    {
        ArgumentNullException.ThrowIfNull(layers);
        var x = input.ToArray();
        foreach (var l in layers)
        {
            var y = new float[l.Out];
            for (var o = 0; o < l.Out; o++)
            {
                double s = l.Bias[o];
                for (var i = 0; i < l.In; i++)
                {
                    s += (double)l.Weight[(o * l.In) + i] * x[i];
                }
                y[o] = Apply((float)s, l.Activation);
            }
            x = y;
        }
        return x;
    }

    private static float Apply(float v, OnnxActivation a) => a switch
    {
        OnnxActivation.Identity => v,
        OnnxActivation.Relu => MathF.Max(v, 0),
        OnnxActivation.Tanh => MathF.Tanh(v),
        OnnxActivation.Sigmoid => 1 / (1 + MathF.Exp(-v)),
        OnnxActivation.Softplus => v > 20 ? v : MathF.Log(1 + MathF.Exp(v)),
        OnnxActivation.Silu => v / (1 + MathF.Exp(-v)),
        _ => throw new ArgumentOutOfRangeException(nameof(a), a, null),
    };
}
