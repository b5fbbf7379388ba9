using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace PvEdge.Shared.Learning;

public sealed partial class Tape
{
    /// <summary>Back-propagates from a 1×1 node: afterwards <see cref="Gradient"/> and <see cref="ParameterGradient"/> hold ∂loss/∂·.</summary>
    public void Backward(Var loss)
    {
        var lv = Value(loss);
        if (lv.Length != 1)
        {
            throw new ArgumentException("backward: the loss must be 1×1");
        }
        if (!_nodes[loss.Index].NeedsGrad)
        {
            return;
        }
        _grads[loss.Index]!.Data[0] = 1f;
        for (var i = loss.Index; i >= 0; i--)
        {
            ref var n = ref _nodes[i];
            if (n.NeedsGrad && n.Op is not (Op.Input or Op.Param))
            {
                BackwardNode(i, n);
            }
        }
    }

    private Tensor? G(int i) => i >= 0 && _nodes[i].NeedsGrad ? _grads[i] : null;

    private void BackwardNode(int i, in Node n)
    {
        var dy = _grads[i]!;
        var y = V(i);
        switch (n.Op)
        {
            case Op.Linear:
            case Op.MatMul:
                BackwardMatMul(i, n, dy);
                break;
            case Op.Add:
            case Op.Sub:
            case Op.Mul:
            case Op.Div:
            case Op.Min:
            case Op.Max:
                BackwardBinary(n, dy, y);
                break;
            case Op.Tanh:
                if (G(n.A) is { } gt)
                {
                    TanhBackward(dy.Data, y.Data, gt.Data);
                }
                break;
            case Op.Sigmoid:
                if (G(n.A) is { } gs)
                {
                    for (var k = 0; k < y.Length; k++)
                    {
                        gs.Data[k] += dy.Data[k] * y.Data[k] * (1 - y.Data[k]);
                    }
                }
                break;
            case Op.Relu:
                if (G(n.A) is { } gr)
                {
                    for (var k = 0; k < y.Length; k++)
                    {
                        gr.Data[k] += y.Data[k] > 0 ? dy.Data[k] : 0;
                    }
                }
                break;
            case Op.Softplus:
                if (G(n.A) is { } gp)
                {
                    var x = V(n.A).Data;
                    for (var k = 0; k < y.Length; k++)
                    {
                        gp.Data[k] += dy.Data[k] / (1 + MathF.Exp(-x[k]));
                    }
                }
                break;
            case Op.Exp:
                if (G(n.A) is { } ge)
                {
                    TensorPrimitives.FusedMultiplyAdd(dy.Data, y.Data, ge.Data, ge.Data);
                }
                break;
            case Op.Log:
                if (G(n.A) is { } gl)
                {
                    var x = V(n.A).Data;
                    for (var k = 0; k < y.Length; k++)
                    {
                        gl.Data[k] += dy.Data[k] / x[k];
                    }
                }
                break;
            case Op.Square:
                if (G(n.A) is { } gq)
                {
                    var x = V(n.A).Data;
                    for (var k = 0; k < y.Length; k++)
                    {
                        gq.Data[k] += 2 * x[k] * dy.Data[k];
                    }
                }
                break;
            case Op.Sqrt:
                if (G(n.A) is { } gsq)
                {
                    for (var k = 0; k < y.Length; k++)
                    {
                        gsq.Data[k] += y.Data[k] > 0 ? dy.Data[k] * 0.5f / y.Data[k] : 0;
                    }
                }
                break;
            case Op.Clamp:
                if (G(n.A) is { } gc)
                {
                    var x = V(n.A).Data;
                    for (var k = 0; k < y.Length; k++)
                    {
                        gc.Data[k] += x[k] > n.S0 && x[k] < n.S1 ? dy.Data[k] : 0;
                    }
                }
                break;
            case Op.AddScalar:
                if (G(n.A) is { } ga)
                {
                    TensorPrimitives.Add(ga.Data, dy.Data, ga.Data);
                }
                break;
            case Op.MulScalar:
                if (G(n.A) is { } gm)
                {
                    TensorPrimitives.MultiplyAdd(dy.Data, n.S0, gm.Data, gm.Data);
                }
                break;
            case Op.Sum:
                if (G(n.A) is { } gsum)
                {
                    TensorPrimitives.Add(gsum.Data, dy.Data[0], gsum.Data);
                }
                break;
            case Op.Mean:
                if (G(n.A) is { } gmean)
                {
                    TensorPrimitives.Add(gmean.Data, dy.Data[0] / Math.Max(1, gmean.Length), gmean.Data);
                }
                break;
            case Op.SumCols:
                if (G(n.A) is { } gsc)
                {
                    for (var r = 0; r < gsc.Rows; r++)
                    {
                        TensorPrimitives.Add(gsc.Row(r), dy.Data[r], gsc.Row(r));
                    }
                }
                break;
            case Op.ConcatCols:
                {
                    var offset = 0;
                    foreach (var p in _lists[i])
                    {
                        var pv = V(p);
                        if (G(p) is { } gp2)
                        {
                            for (var r = 0; r < pv.Rows; r++)
                            {
                                var src = dy.Data.AsSpan(r * dy.Cols + offset, pv.Cols);
                                TensorPrimitives.Add(gp2.Row(r), src, gp2.Row(r));
                            }
                        }
                        offset += pv.Cols;
                    }
                }
                break;
            case Op.SliceCols:
                if (G(n.A) is { } gsl)
                {
                    for (var r = 0; r < dy.Rows; r++)
                    {
                        var dst = gsl.Data.AsSpan(r * gsl.Cols + n.C, dy.Cols);
                        TensorPrimitives.Add(dst, dy.Row(r), dst);
                    }
                }
                break;
            case Op.Gather:
                if (G(n.A) is { } gg)
                {
                    var idx = V(n.B).Data;
                    for (var r = 0; r < dy.Rows; r++)
                    {
                        var row = gg.Row((int)idx[r]);
                        TensorPrimitives.Add(row, dy.Row(r), row);
                    }
                }
                break;
            case Op.Mse:
                if (G(n.A) is { } gmse)
                {
                    var p = V(n.A).Data;
                    var t = V(n.B).Data;
                    var f = 2 * n.S0 * dy.Data[0];
                    for (var k = 0; k < p.Length; k++)
                    {
                        if (!float.IsNaN(t[k]))
                        {
                            gmse.Data[k] += f * (p[k] - t[k]);
                        }
                    }
                }
                break;
            case Op.Huber:
                if (G(n.A) is { } ghub)
                {
                    var p = V(n.A).Data;
                    var t = V(n.B).Data;
                    var f = n.S0 * dy.Data[0];
                    for (var k = 0; k < p.Length; k++)
                    {
                        if (!float.IsNaN(t[k]))
                        {
                            var d = p[k] - t[k];
                            ghub.Data[k] += f * Math.Clamp(d, -n.S1, n.S1);
                        }
                    }
                }
                break;
            default:
                throw new InvalidOperationException($"no backward rule for {n.Op}");
        }
    }

    private static void TanhBackward(ReadOnlySpan<float> dy, ReadOnlySpan<float> y, Span<float> dx)
    {
        var k = 0;
        var w = Vector<float>.Count;
        var vdy = MemoryMarshal.Cast<float, Vector<float>>(dy);
        var vy = MemoryMarshal.Cast<float, Vector<float>>(y);
        var vdx = MemoryMarshal.Cast<float, Vector<float>>(dx);
        for (var v = 0; v < vdy.Length; v++)
        {
            // dx += dy − dy·y²
            var d = vdy[v];
            vdx[v] += d - d * vy[v] * vy[v];
        }
        k = vdy.Length * w;
        for (; k < dy.Length; k++)
        {
            dx[k] += dy[k] * (1 - y[k] * y[k]);
        }
    }

    private void BackwardMatMul(int i, in Node n, Tensor dy)
    {
        var x = V(n.A);
        var w = V(n.B);
        int rows = x.Rows, k = x.Cols, m = w.Cols;
        if (G(n.B) is { } gw)
        {
            // dW[k×m] += xᵀ[k×n] · dy[n×m]
            Kernels.MatMulTransposedA(x.Data, dy.Data, gw.Data, rows, k, m, accumulate: true);
        }
        if (n.Op == Op.Linear && G(n.C) is { } gb)
        {
            Kernels.AddColumnSums(dy.Data, gb.Data, rows, m);
        }
        if (G(n.A) is { } gx)
        {
            // dx[n×k] += dy[n×m] · Wᵀ[m×k]
            if (k < 2 * Vector<float>.Count)
            {
                Kernels.MatMulTransposedBDot(dy.Data, w.Data, gx.Data, rows, m, k);
                return;
            }
            var wt = Scratch2(i, m, k);
            Kernels.Transpose(w.Data, wt.Data, k, m);
            Kernels.MatMul(dy.Data, wt.Data, gx.Data, rows, m, k, accumulate: true);
        }
    }

    private void BackwardBinary(in Node n, Tensor dy, Tensor y)
    {
        var a = V(n.A);
        var b = V(n.B);
        var ga = G(n.A);
        var gb = G(n.B);
        if (b.SameShape(a))
        {
            var d = dy.Data.AsSpan();
            switch (n.Op)
            {
                case Op.Add:
                    if (ga is not null) { TensorPrimitives.Add(ga.Data, d, ga.Data); }
                    if (gb is not null) { TensorPrimitives.Add(gb.Data, d, gb.Data); }
                    return;
                case Op.Sub:
                    if (ga is not null) { TensorPrimitives.Add(ga.Data, d, ga.Data); }
                    if (gb is not null) { TensorPrimitives.Subtract(gb.Data, d, gb.Data); }
                    return;
                case Op.Mul:
                    if (ga is not null) { TensorPrimitives.FusedMultiplyAdd(d, b.Data, ga.Data, ga.Data); }
                    if (gb is not null) { TensorPrimitives.FusedMultiplyAdd(d, a.Data, gb.Data, gb.Data); }
                    return;
                default:
                    break;
            }
        }
        int rows = a.Rows, cols = a.Cols;
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < cols; c++)
            {
                var k = r * cols + c;
                var bk = BroadcastIndex(b, r, c);
                var g = dy.Data[k];
                var x = a.Data[k];
                var z = b.Data[bk];
                float da, db;
                switch (n.Op)
                {
                    case Op.Add: da = g; db = g; break;
                    case Op.Sub: da = g; db = -g; break;
                    case Op.Mul: da = g * z; db = g * x; break;
                    case Op.Div: da = g / z; db = -g * x / (z * z); break;
                    case Op.Min:
                        {
                            var first = x <= z;
                            da = first ? g : 0;
                            db = first ? 0 : g;
                            break;
                        }
                    default:
                        {
                            var first = x >= z;
                            da = first ? g : 0;
                            db = first ? 0 : g;
                            break;
                        }
                }
                if (ga is not null)
                {
                    ga.Data[k] += da;
                }
                if (gb is not null)
                {
                    gb.Data[bk] += db;
                }
            }
        }
    }
}
