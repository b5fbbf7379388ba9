using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace PvEdge.Shared.Learning;

/// <summary>A handle to a value recorded on a <see cref="Tape"/>.</summary>
public readonly record struct Var(int Index);

/// <summary>Reverse-mode automatic differentiation over <see cref="Tensor"/> matrices.
/// A training step calls <see cref="Reset"/>, records a forward pass (each call computes its value at once) and calls
/// <see cref="Backward"/> on a scalar. Node i reuses the value, gradient and scratch buffers node i had on the previous
/// step when the shape is unchanged, so a step that records the same graph allocates nothing after warm-up.
/// Binary element-wise ops broadcast the second operand when it is 1×1, 1×m (a row) or n×1 (a column).
/// A tape is used by one thread; data parallelism uses one tape per shard.</summary>
public sealed partial class Tape
{
    private enum Op : byte
    {
        Input, Param, Linear, MatMul, Add, Sub, Mul, Div, Min, Max,
        Tanh, Sigmoid, Relu, Softplus, Exp, Log, Square, Sqrt, Clamp, AddScalar, MulScalar,
        Sum, Mean, SumCols, ConcatCols, SliceCols, Gather, Mse, Huber,
    }

    private struct Node
    {
        public Op Op;
        public int A;
        public int B;
        public int C;
        public float S0;
        public float S1;
        public bool NeedsGrad;
    }

    private Node[] _nodes = new Node[64];
    private Tensor?[] _values = new Tensor?[64];
    private Tensor?[] _grads = new Tensor?[64];
    private Tensor?[] _scratch2 = new Tensor?[64];
    private int[][] _lists = new int[64][];
    private int _count;
    private readonly List<(Tensor Parameter, int Node)> _params = [];

    /// <summary>Number of nodes recorded since the last <see cref="Reset"/>.</summary>
    public int Count => _count;

    /// <summary>Forgets the recorded graph; buffers are kept for the next step.</summary>
    public void Reset()
    {
        _count = 0;
        _params.Clear();
    }

    /// <summary>The value of a recorded node.</summary>
    public Tensor Value(Var v) => _values[v.Index]!;

    /// <summary>The gradient of the last <see cref="Backward"/> with respect to a node (zero if it needs none).</summary>
    public Tensor Gradient(Var v) => _grads[v.Index] ?? throw new InvalidOperationException("this node carries no gradient");

    /// <summary>Each parameter used since <see cref="Reset"/> with the gradient this tape computed for it.</summary>
    public int ParameterCount => _params.Count;

    public (Tensor Parameter, Tensor Gradient) ParameterGradient(int i)
    {
        var (p, node) = _params[i];
        return (p, _grads[node]!);
    }

    // ---------- recording helpers ----------

    private int NewNode(Op op, int rows, int cols, bool needsGrad, int a = -1, int b = -1, int c = 0, float s0 = 0, float s1 = 0)
    {
        if (_count == _nodes.Length)
        {
            var n = _nodes.Length * 2;
            Array.Resize(ref _nodes, n);
            Array.Resize(ref _values, n);
            Array.Resize(ref _grads, n);
            Array.Resize(ref _scratch2, n);
            Array.Resize(ref _lists, n);
        }
        var i = _count++;
        _nodes[i] = new Node { Op = op, A = a, B = b, C = c, S0 = s0, S1 = s1, NeedsGrad = needsGrad };
        if (op is not (Op.Input or Op.Param))
        {
            _values[i] = Slot(_values[i], rows, cols);
        }
        if (needsGrad)
        {
            _grads[i] = Slot(_grads[i], rows, cols);
            _grads[i]!.Clear();
        }
        return i;
    }

    private static Tensor Slot(Tensor? t, int rows, int cols) =>
        t is not null && t.Rows == rows && t.Cols == cols ? t : new Tensor(rows, cols);

    private Tensor Scratch2(int node, int rows, int cols) => _scratch2[node] = Slot(_scratch2[node], rows, cols);

    private bool NeedsGrad(Var v) => _nodes[v.Index].NeedsGrad;

    private Tensor V(int i) => _values[i]!;

    // ---------- leaves ----------

    /// <summary>Data that needs no gradient (features, labels, masks). The tensor is referenced, not copied.</summary>
    public Var Input(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        var i = NewNode(Op.Input, x.Rows, x.Cols, false);
        _values[i] = x;
        return new Var(i);
    }

    /// <summary>When set, only these tensors get gradients; any other tensor passed to <see cref="Param"/> is treated as a
    /// constant (frozen), which saves its backward work.</summary>
    public ISet<Tensor>? Trainable { get; set; }

    /// <summary>A trainable tensor; using the same parameter twice returns the same node.</summary>
    public Var Param(Tensor p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (Trainable is not null && !Trainable.Contains(p))
        {
            return Input(p);
        }
        foreach (var (q, node) in CollectionsMarshal.AsSpan(_params))
        {
            if (ReferenceEquals(q, p))
            {
                return new Var(node);
            }
        }
        var i = NewNode(Op.Param, p.Rows, p.Cols, true);
        _values[i] = p;
        _params.Add((p, i));
        return new Var(i);
    }

    // ---------- linear algebra ----------

    /// <summary>x·W + b with x n×k, W k×m, b 1×m (or no bias).</summary>
    public Var Linear(Var x, Var w, Var? b = null)
    {
        var xv = Value(x);
        var wv = Value(w);
        if (xv.Cols != wv.Rows)
        {
            throw new ArgumentException($"linear: x is {xv.Rows}×{xv.Cols}, W is {wv.Rows}×{wv.Cols}");
        }
        var bi = b?.Index ?? -1;
        if (bi >= 0 && (V(bi).Rows != 1 || V(bi).Cols != wv.Cols))
        {
            throw new ArgumentException("linear: bias must be 1×m");
        }
        var i = NewNode(Op.Linear, xv.Rows, wv.Cols, NeedsGrad(x) || NeedsGrad(w) || (bi >= 0 && _nodes[bi].NeedsGrad), x.Index, w.Index, bi);
        var y = V(i);
        if (bi >= 0)
        {
            var bias = V(bi).Data.AsSpan();
            for (var r = 0; r < y.Rows; r++)
            {
                bias.CopyTo(y.Data.AsSpan(r * y.Cols, y.Cols));
            }
        }
        Kernels.MatMul(xv.Data, wv.Data, y.Data, xv.Rows, xv.Cols, wv.Cols, accumulate: bi >= 0);
        return new Var(i);
    }

    /// <summary>a·b with a n×k, b k×m.</summary>
    public Var MatMul(Var a, Var b)
    {
        var av = Value(a);
        var bv = Value(b);
        if (av.Cols != bv.Rows)
        {
            throw new ArgumentException($"matmul: {av.Rows}×{av.Cols} · {bv.Rows}×{bv.Cols}");
        }
        var i = NewNode(Op.MatMul, av.Rows, bv.Cols, NeedsGrad(a) || NeedsGrad(b), a.Index, b.Index);
        Kernels.MatMul(av.Data, bv.Data, V(i).Data, av.Rows, av.Cols, bv.Cols, accumulate: false);
        return new Var(i);
    }

    // ---------- element-wise binary with broadcasting of the second operand ----------

    public Var Add(Var a, Var b) => Binary(Op.Add, a, b);

    public Var Sub(Var a, Var b) => Binary(Op.Sub, a, b);

    public Var Mul(Var a, Var b) => Binary(Op.Mul, a, b);

    public Var Div(Var a, Var b) => Binary(Op.Div, a, b);

    /// <summary>Element-wise minimum; the gradient goes to the smaller operand (to a on ties).</summary>
    public Var Min(Var a, Var b) => Binary(Op.Min, a, b);

    /// <summary>Element-wise maximum; the gradient goes to the larger operand (to a on ties).</summary>
    public Var Max(Var a, Var b) => Binary(Op.Max, a, b);

    private Var Binary(Op op, Var a, Var b)
    {
        var av = Value(a);
        var bv = Value(b);
        if (!(bv.SameShape(av) || (bv.Rows == 1 && bv.Cols == 1) || (bv.Rows == 1 && bv.Cols == av.Cols) || (bv.Cols == 1 && bv.Rows == av.Rows)))
        {
            throw new ArgumentException($"{op}: cannot broadcast {bv.Rows}×{bv.Cols} to {av.Rows}×{av.Cols}");
        }
        var i = NewNode(op, av.Rows, av.Cols, NeedsGrad(a) || NeedsGrad(b), a.Index, b.Index);
        var y = V(i).Data.AsSpan();
        if (bv.SameShape(av))
        {
            switch (op)
            {
                case Op.Add: TensorPrimitives.Add(av.Data, bv.Data, y); break;
                case Op.Sub: TensorPrimitives.Subtract(av.Data, bv.Data, y); break;
                case Op.Mul: TensorPrimitives.Multiply(av.Data, bv.Data, y); break;
                case Op.Div: TensorPrimitives.Divide(av.Data, bv.Data, y); break;
                case Op.Min: TensorPrimitives.Min(av.Data, bv.Data, y); break;
                default: TensorPrimitives.Max(av.Data, bv.Data, y); break;
            }
            return new Var(i);
        }
        int rows = av.Rows, cols = av.Cols;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                var x = av.Data[r * cols + c];
                var z = bv.Data[BroadcastIndex(bv, r, c)];
                y[r * cols + c] = op switch
                {
                    Op.Add => x + z,
                    Op.Sub => x - z,
                    Op.Mul => x * z,
                    Op.Div => x / z,
                    Op.Min => MathF.Min(x, z),
                    _ => MathF.Max(x, z),
                };
            }
        }
        return new Var(i);
    }

    private static int BroadcastIndex(Tensor b, int r, int c) => (b.Rows == 1 ? 0 : r) * b.Cols + (b.Cols == 1 ? 0 : c);

    // ---------- element-wise unary ----------

    public Var Tanh(Var x)
    {
        var i = Unary(Op.Tanh, x);
        TensorPrimitives.Tanh(Value(x).Data, V(i).Data);
        return new Var(i);
    }

    public Var Sigmoid(Var x)
    {
        var i = Unary(Op.Sigmoid, x);
        TensorPrimitives.Sigmoid(Value(x).Data, V(i).Data);
        return new Var(i);
    }

    public Var Relu(Var x)
    {
        var i = Unary(Op.Relu, x);
        TensorPrimitives.Max(Value(x).Data, 0f, V(i).Data);
        return new Var(i);
    }

    /// <summary>log(1 + eˣ), computed without overflow.</summary>
    public Var Softplus(Var x)
    {
        var i = Unary(Op.Softplus, x);
        var xs = Value(x).Data;
        var y = V(i).Data;
        for (var k = 0; k < xs.Length; k++)
        {
            var v = xs[k];
            y[k] = MathF.Max(v, 0) + MathF.Log(1 + MathF.Exp(-MathF.Abs(v)));
        }
        return new Var(i);
    }

    public Var Exp(Var x)
    {
        var i = Unary(Op.Exp, x);
        TensorPrimitives.Exp(Value(x).Data, V(i).Data);
        return new Var(i);
    }

    public Var Log(Var x)
    {
        var i = Unary(Op.Log, x);
        TensorPrimitives.Log(Value(x).Data, V(i).Data);
        return new Var(i);
    }

    public Var Square(Var x)
    {
        var i = Unary(Op.Square, x);
        TensorPrimitives.Multiply(Value(x).Data, Value(x).Data, V(i).Data);
        return new Var(i);
    }

    public Var Sqrt(Var x)
    {
        var i = Unary(Op.Sqrt, x);
        TensorPrimitives.Sqrt(Value(x).Data, V(i).Data);
        return new Var(i);
    }

    /// <summary>Clamps to [lo, hi]; the gradient passes only strictly inside.</summary>
    public Var Clamp(Var x, float lo, float hi)
    {
        var i = Unary(Op.Clamp, x, lo, hi);
        TensorPrimitives.Min(Value(x).Data, hi, V(i).Data);
        TensorPrimitives.Max(V(i).Data, lo, V(i).Data);
        return new Var(i);
    }

    public Var AddScalar(Var x, float c)
    {
        var i = Unary(Op.AddScalar, x, c);
        TensorPrimitives.Add(Value(x).Data, c, V(i).Data);
        return new Var(i);
    }

    public Var MulScalar(Var x, float c)
    {
        var i = Unary(Op.MulScalar, x, c);
        TensorPrimitives.Multiply(Value(x).Data, c, V(i).Data);
        return new Var(i);
    }

    /// <summary>c − x.</summary>
    public Var RSubScalar(float c, Var x) => AddScalar(MulScalar(x, -1f), c);

    private int Unary(Op op, Var x, float s0 = 0, float s1 = 0)
    {
        var xv = Value(x);
        return NewNode(op, xv.Rows, xv.Cols, NeedsGrad(x), x.Index, -1, 0, s0, s1);
    }

    // ---------- reductions and shape ----------

    /// <summary>Sum of all elements (1×1).</summary>
    public Var Sum(Var x)
    {
        var i = NewNode(Op.Sum, 1, 1, NeedsGrad(x), x.Index);
        V(i).Data[0] = TensorPrimitives.Sum(Value(x).Data);
        return new Var(i);
    }

    /// <summary>Mean of all elements (1×1).</summary>
    public Var Mean(Var x)
    {
        var i = NewNode(Op.Mean, 1, 1, NeedsGrad(x), x.Index);
        V(i).Data[0] = TensorPrimitives.Sum(Value(x).Data) / Math.Max(1, Value(x).Length);
        return new Var(i);
    }

    /// <summary>Row sums: n×m → n×1.</summary>
    public Var SumCols(Var x)
    {
        var xv = Value(x);
        var i = NewNode(Op.SumCols, xv.Rows, 1, NeedsGrad(x), x.Index);
        for (var r = 0; r < xv.Rows; r++)
        {
            V(i).Data[r] = TensorPrimitives.Sum(xv.Row(r));
        }
        return new Var(i);
    }

    /// <summary>Columns side by side; every part has the same number of rows.</summary>
    public Var ConcatCols(params ReadOnlySpan<Var> parts)
    {
        if (parts.Length == 0)
        {
            throw new ArgumentException("concat: no parts");
        }
        var rows = Value(parts[0]).Rows;
        var cols = 0;
        var needs = false;
        foreach (var p in parts)
        {
            if (Value(p).Rows != rows)
            {
                throw new ArgumentException("concat: row counts differ");
            }
            cols += Value(p).Cols;
            needs |= NeedsGrad(p);
        }
        var i = NewNode(Op.ConcatCols, rows, cols, needs);
        var list = _lists[i];
        if (list is null || list.Length != parts.Length)
        {
            list = _lists[i] = new int[parts.Length];
        }
        for (var k = 0; k < parts.Length; k++)
        {
            list[k] = parts[k].Index;
        }
        var y = V(i);
        var offset = 0;
        foreach (var p in parts)
        {
            var pv = Value(p);
            for (var r = 0; r < rows; r++)
            {
                pv.Row(r).CopyTo(y.Data.AsSpan(r * cols + offset, pv.Cols));
            }
            offset += pv.Cols;
        }
        return new Var(i);
    }

    /// <summary>Columns [start, start + count) of x.</summary>
    public Var SliceCols(Var x, int start, int count)
    {
        var xv = Value(x);
        if (start < 0 || count <= 0 || start + count > xv.Cols)
        {
            throw new ArgumentOutOfRangeException(nameof(start), $"slice [{start}, {start + count}) of {xv.Cols} columns");
        }
        var i = NewNode(Op.SliceCols, xv.Rows, count, NeedsGrad(x), x.Index, -1, start);
        for (var r = 0; r < xv.Rows; r++)
        {
            xv.Data.AsSpan(r * xv.Cols + start, count).CopyTo(V(i).Row(r));
        }
        return new Var(i);
    }

    /// <summary>Rows of a table picked by an n×1 index column (integral floats): an embedding lookup.</summary>
    public Var Gather(Var table, Var indices)
    {
        var tv = Value(table);
        var iv = Value(indices);
        if (iv.Cols != 1)
        {
            throw new ArgumentException("gather: indices must be n×1");
        }
        var i = NewNode(Op.Gather, iv.Rows, tv.Cols, NeedsGrad(table), table.Index, indices.Index);
        for (var r = 0; r < iv.Rows; r++)
        {
            var k = (int)iv.Data[r];
            if ((uint)k >= (uint)tv.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(indices), $"gather: index {k} outside [0, {tv.Rows})");
            }
            tv.Row(k).CopyTo(V(i).Row(r));
        }
        return new Var(i);
    }

    // ---------- losses with masks ----------

    /// <summary>scale · Σ (p − y)² over labels that are not NaN (NaN = missing = masked).
    /// With scale ≤ 0 the scale is 1 / (number of valid labels), i.e. the masked mean.</summary>
    public Var MseLoss(Var prediction, Tensor target, float scale = 0) => MaskedLoss(Op.Mse, prediction, target, scale, 0);

    /// <summary>Huber loss (quadratic within ±delta, linear outside) over labels that are not NaN; scale as in <see cref="MseLoss"/>.</summary>
    public Var HuberLoss(Var prediction, Tensor target, float delta, float scale = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(delta);
        return MaskedLoss(Op.Huber, prediction, target, scale, delta);
    }

    private Var MaskedLoss(Op op, Var prediction, Tensor target, float scale, float delta)
    {
        ArgumentNullException.ThrowIfNull(target);
        var pv = Value(prediction);
        if (!pv.SameShape(target))
        {
            throw new ArgumentException($"{op}: prediction {pv.Rows}×{pv.Cols}, target {target.Rows}×{target.Cols}");
        }
        var t = Input(target);
        var n = 0;
        var s = 0.0;
        for (var k = 0; k < pv.Length; k++)
        {
            var y = target.Data[k];
            if (!float.IsNaN(y))
            {
                var d = pv.Data[k] - y;
                var ad = Math.Abs(d);
                s += op == Op.Mse ? d * d : ad <= delta ? 0.5 * d * d : delta * (ad - 0.5 * delta);
                n++;
            }
        }
        var sc = scale > 0 ? scale : 1f / Math.Max(1, n);
        var i = NewNode(op, 1, 1, NeedsGrad(prediction), prediction.Index, t.Index, 0, sc, delta);
        V(i).Data[0] = (float)(s * sc);
        return new Var(i);
    }

    /// <summary>Number of non-NaN labels: the denominator of a masked mean over a whole batch split in shards.</summary>
    public static int CountValid(ReadOnlySpan<float> labels)
    {
        var n = 0;
        foreach (var y in labels)
        {
            if (!float.IsNaN(y))
            {
                n++;
            }
        }
        return n;
    }
}
