using System.Globalization;

namespace PvEdge.Shared.Onnx;

/// <summary>Builds an ONNX graph (opset 17, IR 8) node by node; every method returns the name of the tensor it produced,
/// so graphs compose as plain function calls:
/// <code>
/// var g = new OnnxGraphBuilder("chain");
/// var x = g.Input("features", OnnxDim.Symbolic("N"), 6);           // float [N, 6]
/// var h = OnnxMlp.Emit(g, x, layers, "module");                     // [N, out]
/// var y = g.Mul(h, g.Scalar(1000f));
/// g.Output(y, "ac_power_w", OnnxDim.Symbolic("N"), 1);
/// File.WriteAllBytes("chain.onnx", g.ToBytes());
/// </code>
/// <see cref="ElementType"/> (float by default) is the type of inputs, outputs, constants and initializers made by the
/// convenience methods. Tensor names are made unique with a running counter; <paramref name="name"/> prefixes node names.</summary>
public sealed class OnnxGraphBuilder(string name, OnnxElementType elementType = OnnxElementType.Float)
{
    private readonly List<OnnxNode> _nodes = [];
    private readonly List<OnnxTensor> _initializers = [];
    private readonly List<OnnxValueInfo> _inputs = [];
    private readonly List<OnnxValueInfo> _outputs = [];
    private readonly Dictionary<string, string> _metadata = new(StringComparer.Ordinal);
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private int _counter;

    public string Name { get; } = name;

    public OnnxElementType ElementType { get; } = elementType;

    /// <summary>Model doc string.</summary>
    public string DocString { get; set; } = "";

    /// <summary>Model metadata_props (shown by Netron, readable from ONNX Runtime's ModelMetadata).</summary>
    public IDictionary<string, string> Metadata => _metadata;

    /// <summary>A fresh tensor name starting with <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        var n = hint;
        while (!_names.Add(n))
        {
            n = string.Create(CultureInfo.InvariantCulture, $"{hint}_{++_counter}");
        }
        return n;
    }

    /// <summary>Declares a graph input of <see cref="ElementType"/>, e.g. <c>Input("x", OnnxDim.Symbolic("N"), 4)</c>.</summary>
    public string Input(string inputName, params OnnxDim[] shape) => Input(inputName, ElementType, shape);

    public string Input(string inputName, OnnxElementType type, params OnnxDim[] shape)
    {
        if (!_names.Add(inputName))
        {
            throw new ArgumentException($"tensor name '{inputName}' is already used", nameof(inputName));
        }
        _inputs.Add(new OnnxValueInfo(inputName, type, shape));
        return inputName;
    }

    /// <summary>Declares <paramref name="tensor"/> as a graph output named <paramref name="outputName"/> (an Identity node
    /// renames it when the names differ).</summary>
    public string Output(string tensor, string outputName, params OnnxDim[] shape) => Output(tensor, outputName, ElementType, shape);

    public string Output(string tensor, string outputName, OnnxElementType type, params OnnxDim[] shape)
    {
        if (tensor != outputName)
        {
            if (!_names.Add(outputName))
            {
                throw new ArgumentException($"tensor name '{outputName}' is already used", nameof(outputName));
            }
            _nodes.Add(new OnnxNode("Identity", [tensor], [outputName], Fresh("n_Identity"), []));
        }
        _outputs.Add(new OnnxValueInfo(outputName, type, shape));
        return outputName;
    }

    /// <summary>An initializer from floats (row-major) with the given dims; converted to <see cref="ElementType"/>.</summary>
    public string Initializer(string hint, ReadOnlySpan<float> values, params long[] dims)
    {
        var n = Fresh(hint);
        if (ElementType == OnnxElementType.Double)
        {
            var d = new double[values.Length];
            for (var i = 0; i < d.Length; i++)
            {
                d[i] = values[i];
            }
            _initializers.Add(OnnxTensor.FromDoubles(n, d, dims));
        }
        else
        {
            _initializers.Add(OnnxTensor.FromFloats(n, values, dims));
        }
        return n;
    }

    /// <summary>An initializer from doubles; stored as <see cref="ElementType"/> (rounded to float when that is Float).</summary>
    public string Initializer(string hint, ReadOnlySpan<double> values, params long[] dims)
    {
        var n = Fresh(hint);
        if (ElementType == OnnxElementType.Double)
        {
            _initializers.Add(OnnxTensor.FromDoubles(n, values, dims));
        }
        else
        {
            var f = new float[values.Length];
            for (var i = 0; i < f.Length; i++)
            {
                f[i] = (float)values[i];
            }
            _initializers.Add(OnnxTensor.FromFloats(n, f, dims));
        }
        return n;
    }

    /// <summary>An int64 initializer (indices, shapes, axes).</summary>
    public string Int64s(string hint, params long[] values)
    {
        var n = Fresh(hint);
        _initializers.Add(OnnxTensor.FromInt64s(n, values, values.Length));
        return n;
    }

    /// <summary>A scalar (rank 0) int64 initializer, e.g. a Gather index that drops the axis.</summary>
    public string Int64Scalar(string hint, long value)
    {
        var n = Fresh(hint);
        _initializers.Add(OnnxTensor.FromInt64s(n, [value]));
        return n;
    }

    /// <summary>A scalar (rank 0) constant of <see cref="ElementType"/>; broadcasts against any shape.</summary>
    public string Scalar(double value, string hint = "c") => Initializer(hint, [value]);

    /// <summary>Adds a node of any opset-17 operator; returns its (first) output name.</summary>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        Node(opType, inputs, 1, attributes)[0];

    /// <summary>Adds a node with <paramref name="outputCount"/> outputs.</summary>
    public IReadOnlyList<string> Node(string opType, IReadOnlyList<string> inputs, int outputCount, params OnnxAttribute[] attributes)
    {
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = Fresh($"t_{opType}");
        }
        _nodes.Add(new OnnxNode(opType, inputs, outputs, Fresh($"n_{opType}"), attributes));
        return outputs;
    }

    public string MatMul(string a, string b) => Node("MatMul", [a, b]);

    /// <summary>Gemm: alpha·A'·B' + beta·C with A' = Aᵀ if transA, B' = Bᵀ if transB. A is 2-D.</summary>
    public string Gemm(string a, string b, string? c = null, bool transA = false, bool transB = false) =>
        Node("Gemm", c is null ? [a, b] : [a, b, c], OnnxAttribute.Of("transA", transA ? 1L : 0L), OnnxAttribute.Of("transB", transB ? 1L : 0L));

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Div(string a, string b) => Node("Div", [a, b]);

    public string Pow(string a, string b) => Node("Pow", [a, b]);

    public string Min(params string[] inputs) => Node("Min", inputs);

    public string Max(params string[] inputs) => Node("Max", inputs);

    public string Exp(string x) => Node("Exp", [x]);

    public string Log(string x) => Node("Log", [x]);

    public string Sqrt(string x) => Node("Sqrt", [x]);

    public string Abs(string x) => Node("Abs", [x]);

    public string Sin(string x) => Node("Sin", [x]);

    public string Cos(string x) => Node("Cos", [x]);

    public string Tan(string x) => Node("Tan", [x]);

    public string Tanh(string x) => Node("Tanh", [x]);

    public string Sigmoid(string x) => Node("Sigmoid", [x]);

    public string Relu(string x) => Node("Relu", [x]);

    public string Neg(string x) => Node("Neg", [x]);

    public string Identity(string x) => Node("Identity", [x]);

    /// <summary>Clip(x, min, max) with scalar bounds (opset 11+: bounds are inputs).</summary>
    public string Clip(string x, double? min, double? max) =>
        Node("Clip", [x, min is { } lo ? Scalar(lo, "clip_min") : "", max is { } hi ? Scalar(hi, "clip_max") : ""]);

    public string Concat(long axis, params string[] inputs) => Node("Concat", inputs, OnnxAttribute.Of("axis", axis));

    /// <summary>Slice along <paramref name="axes"/> from <paramref name="starts"/> to <paramref name="ends"/> (exclusive).</summary>
    public string Slice(string x, long[] starts, long[] ends, long[] axes) =>
        Node("Slice", [x, Int64s("starts", starts), Int64s("ends", ends), Int64s("axes", axes)]);

    /// <summary>Gather(x, indices) along <paramref name="axis"/>.</summary>
    public string Gather(string x, string indices, long axis) => Node("Gather", [x, indices], OnnxAttribute.Of("axis", axis));

    /// <summary>Column <paramref name="index"/> of a [N, k] tensor as a [N] tensor (Gather with a scalar index on axis 1).</summary>
    public string Column(string matrix, long index) => Gather(matrix, Int64Scalar("col", index), 1);

    public string Unsqueeze(string x, params long[] axes) => Node("Unsqueeze", [x, Int64s("axes", axes)]);

    public string Reshape(string x, params long[] shape) => Node("Reshape", [x, Int64s("shape", shape)]);

    /// <summary>A Constant node holding <paramref name="value"/>.</summary>
    public string Constant(OnnxTensor value) => Node("Constant", [], OnnxAttribute.Of("value", value));

    /// <summary>The model as ONNX protobuf bytes.</summary>
    public byte[] ToBytes() =>
        OnnxWriter.WriteModel(Name, _nodes, _initializers, _inputs, _outputs, "pvedge", DocString, _metadata);

    public void Save(string path) => File.WriteAllBytes(path, ToBytes());
}
