namespace PvEdge.Shared.Learning;

/// <summary>Activation functions of <see cref="Linear"/> layers and <see cref="Mlp"/>s.</summary>
public enum Activation
{
    Identity,
    Tanh,
    Sigmoid,
    Relu,
    Softplus,
}

/// <summary>Seeded weight initialisers.</summary>
public static class Initializers
{
    /// <summary>Glorot/Xavier uniform: U(±√(6 / (fan_in + fan_out))); suits tanh and sigmoid.</summary>
    public static void XavierUniform(Tensor w, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rng);
        var a = Math.Sqrt(6.0 / (w.Rows + w.Cols));
        for (var k = 0; k < w.Length; k++)
        {
            w.Data[k] = (float)rng.Uniform(-a, a);
        }
    }

    /// <summary>He/Kaiming normal: N(0, 2 / fan_in); suits ReLU.</summary>
    public static void HeNormal(Tensor w, SeededRandom rng)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(rng);
        var s = Math.Sqrt(2.0 / Math.Max(1, w.Rows));
        for (var k = 0; k < w.Length; k++)
        {
            w.Data[k] = (float)(rng.NextGaussian() * s);
        }
    }

    /// <summary>The initialiser that suits an activation (He for ReLU, Xavier otherwise).</summary>
    public static void For(Activation activation, Tensor w, SeededRandom rng)
    {
        if (activation == Activation.Relu)
        {
            HeNormal(w, rng);
        }
        else
        {
            XavierUniform(w, rng);
        }
    }
}

/// <summary>Applies an <see cref="Activation"/> on a tape.</summary>
public static class ActivationExtensions
{
    public static Var Apply(this Tape tape, Activation activation, Var x)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return activation switch
        {
            Activation.Tanh => tape.Tanh(x),
            Activation.Sigmoid => tape.Sigmoid(x),
            Activation.Relu => tape.Relu(x),
            Activation.Softplus => tape.Softplus(x),
            _ => x,
        };
    }

    /// <summary>The activation's name as ONNX spells the operator (Identity, Tanh, Sigmoid, Relu, Softplus).</summary>
    public static string OnnxOp(this Activation activation) => activation.ToString();
}

/// <summary>A fully connected layer y = x·W + b with W stored in × out.</summary>
public sealed class Linear
{
    public Linear(int inputs, int outputs, SeededRandom rng, Activation initFor = Activation.Tanh, string name = "linear")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(inputs);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(outputs);
        Weight = new Tensor(inputs, outputs, name + ".weight");
        Bias = new Tensor(1, outputs, name + ".bias");
        Initializers.For(initFor, Weight, rng);
    }

    public Tensor Weight { get; }

    public Tensor Bias { get; }

    public int Inputs => Weight.Rows;

    public int Outputs => Weight.Cols;

    public IEnumerable<Tensor> Parameters => [Weight, Bias];

    public Var Forward(Tape tape, Var x)
    {
        ArgumentNullException.ThrowIfNull(tape);
        return tape.Linear(x, tape.Param(Weight), tape.Param(Bias));
    }
}

/// <summary>A multilayer perceptron: Linear layers with one hidden activation and an output activation.</summary>
public sealed class Mlp
{
    private readonly Linear[] _layers;

    /// <param name="sizes">inputs, hidden…, outputs, e.g. [8, 64, 64, 1].</param>
    public Mlp(int[] sizes, Activation hidden, Activation output, SeededRandom rng, string name = "mlp")
    {
        ArgumentNullException.ThrowIfNull(sizes);
        if (sizes.Length < 2)
        {
            throw new ArgumentException("an MLP needs at least an input and an output size", nameof(sizes));
        }
        Sizes = [.. sizes];
        Hidden = hidden;
        Output = output;
        Name = name;
        _layers = new Linear[sizes.Length - 1];
        for (var l = 0; l < _layers.Length; l++)
        {
            var act = l == _layers.Length - 1 ? Activation.Identity : hidden;
            _layers[l] = new Linear(sizes[l], sizes[l + 1], rng, act == Activation.Identity ? Activation.Tanh : act, $"{name}.{l}");
        }
    }

    public IReadOnlyList<int> Sizes { get; }

    public Activation Hidden { get; }

    public Activation Output { get; }

    public string Name { get; }

    public IReadOnlyList<Linear> Layers => _layers;

    public IEnumerable<Tensor> Parameters => _layers.SelectMany(l => l.Parameters);

    public int Inputs => Sizes[0];

    public int Outputs => Sizes[^1];

    public Var Forward(Tape tape, Var x) => tape.Apply(Output, ForwardLogits(tape, x));

    /// <summary>The output layer's pre-activation (the forward pass without the output activation).</summary>
    public Var ForwardLogits(Tape tape, Var x)
    {
        ArgumentNullException.ThrowIfNull(tape);
        for (var l = 0; l < _layers.Length; l++)
        {
            x = _layers[l].Forward(tape, x);
            if (l < _layers.Length - 1)
            {
                x = tape.Apply(Hidden, x);
            }
        }
        return x;
    }

    /// <summary>Inference without a tape for one row (allocates only the two work rows passed in).</summary>
    public float PredictScalar(ReadOnlySpan<float> input, Span<float> work0, Span<float> work1)
    {
        var src = work0;
        input.CopyTo(src);
        var width = input.Length;
        for (var l = 0; l < _layers.Length; l++)
        {
            var layer = _layers[l];
            var dst = (l % 2 == 0) ? work1 : work0;
            layer.Bias.Data.AsSpan().CopyTo(dst);
            Kernels.MatMul(src[..width], layer.Weight.Data, dst, 1, layer.Inputs, layer.Outputs, accumulate: true);
            var act = l == _layers.Length - 1 ? Output : Hidden;
            for (var k = 0; k < layer.Outputs; k++)
            {
                dst[k] = ApplyScalar(act, dst[k]);
            }
            width = layer.Outputs;
            src = dst;
        }
        return src[0];
    }

    private static float ApplyScalar(Activation a, float x) => a switch
    {
        Activation.Tanh => MathF.Tanh(x),
        Activation.Sigmoid => 1 / (1 + MathF.Exp(-x)),
        Activation.Relu => MathF.Max(0, x),
        Activation.Softplus => MathF.Max(x, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(x))),
        _ => x,
    };
}
