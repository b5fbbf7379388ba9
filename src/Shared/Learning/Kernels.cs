using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics.Tensors;

namespace PvEdge.Shared.Learning;

/// <summary>Span kernels of the learning core: a register-blocked matrix product with FMA over
/// <see cref="Vector{T}"/>, transposes, and row/column reductions. No allocation.</summary>
public static class Kernels
{
    /// <summary>C[n×m] = (accumulate ? C : 0) + A[n×k] · B[k×m], all row-major.</summary>
    public static void MatMul(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int n, int k, int m, bool accumulate)
    {
        if (a.Length < n * k || b.Length < k * m || c.Length < n * m)
        {
            throw new ArgumentException("matmul: span too short for the shape");
        }
        MatMulCore(a, k, 1, b, c, n, k, m, accumulate);
    }

    /// <summary>C[k×m] = (accumulate ? C : 0) + A[n×k]ᵀ · B[n×m] without forming the transpose (a weight gradient xᵀ·dy).</summary>
    public static void MatMulTransposedA(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int n, int k, int m, bool accumulate)
    {
        if (a.Length < n * k || b.Length < n * m || c.Length < k * m)
        {
            throw new ArgumentException("matmul: span too short for the shape");
        }
        // C = Aᵀ·B: rows of C are columns of A; element (row r, inner p) of Aᵀ is a[p·k + r]
        MatMulCore(a, 1, k, b, c, k, n, m, accumulate);
    }

    /// <summary>C[i, j] (+)= Σ_p Â[i, p] · B[p, j] with Â[i, p] = a[i·rowStride + p·colStride].</summary>
    private static void MatMulCore(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int n, int k, int m, bool accumulate)
    {
        if (!accumulate)
        {
            c[..(n * m)].Clear();
        }
        if (m == 1 && colStride == 1)
        {
            for (var i = 0; i < n; i++)
            {
                c[i] += TensorPrimitives.Dot(a.Slice(i * rowStride, k), b[..k]);
            }
            return;
        }
        ref var ra = ref MemoryMarshal.GetReference(a);
        ref var rb = ref MemoryMarshal.GetReference(b);
        ref var rc = ref MemoryMarshal.GetReference(c);
        var w = Vector<float>.Count;
        var mv = m - m % w;
        var i0 = 0;
        for (; i0 + 4 <= n; i0 += 4)
        {
            var j = 0;
            for (; j + 2 * w <= mv; j += 2 * w)
            {
                Block4x2(ref ra, rowStride, colStride, ref rb, ref rc, i0, j, k, m);
            }
            for (; j < mv; j += w)
            {
                Block4x1(ref ra, rowStride, colStride, ref rb, ref rc, i0, j, k, m);
            }
            if (mv < m)
            {
                for (var r = i0; r < i0 + 4; r++)
                {
                    ScalarTail(a, rowStride, colStride, b, c, r, mv, k, m);
                }
            }
        }
        for (; i0 < n; i0++)
        {
            var j = 0;
            for (; j < mv; j += w)
            {
                var acc = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rc, i0 * m + j));
                for (var p = 0; p < k; p++)
                {
                    var bv = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rb, p * m + j));
                    acc = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref ra, i0 * rowStride + p * colStride)), bv, acc);
                }
                Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rc, i0 * m + j)) = acc;
            }
            if (mv < m)
            {
                ScalarTail(a, rowStride, colStride, b, c, i0, mv, k, m);
            }
        }
    }

    private static void ScalarTail(ReadOnlySpan<float> a, int rowStride, int colStride, ReadOnlySpan<float> b, Span<float> c, int r, int from, int k, int m)
    {
        for (var j = from; j < m; j++)
        {
            var s = c[r * m + j];
            for (var p = 0; p < k; p++)
            {
                s += a[r * rowStride + p * colStride] * b[p * m + j];
            }
            c[r * m + j] = s;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x2(ref float ra, int rs, int cs, ref float rb, ref float rc, int i0, int j, int k, int m)
    {
        var w = Vector<float>.Count;
        ref var c0 = ref Unsafe.Add(ref rc, i0 * m + j);
        ref var c1 = ref Unsafe.Add(ref c0, m);
        ref var c2 = ref Unsafe.Add(ref c1, m);
        ref var c3 = ref Unsafe.Add(ref c2, m);
        var a00 = Unsafe.As<float, Vector<float>>(ref c0);
        var a01 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c0, w));
        var a10 = Unsafe.As<float, Vector<float>>(ref c1);
        var a11 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c1, w));
        var a20 = Unsafe.As<float, Vector<float>>(ref c2);
        var a21 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c2, w));
        var a30 = Unsafe.As<float, Vector<float>>(ref c3);
        var a31 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c3, w));
        ref var x0 = ref Unsafe.Add(ref ra, i0 * rs);
        ref var x1 = ref Unsafe.Add(ref x0, rs);
        ref var x2 = ref Unsafe.Add(ref x1, rs);
        ref var x3 = ref Unsafe.Add(ref x2, rs);
        for (var p = 0; p < k; p++)
        {
            ref var brow = ref Unsafe.Add(ref rb, p * m + j);
            var b0 = Unsafe.As<float, Vector<float>>(ref brow);
            var b1 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref brow, w));
            var pc = p * cs;
            var v0 = new Vector<float>(Unsafe.Add(ref x0, pc));
            var v1 = new Vector<float>(Unsafe.Add(ref x1, pc));
            var v2 = new Vector<float>(Unsafe.Add(ref x2, pc));
            var v3 = new Vector<float>(Unsafe.Add(ref x3, pc));
            a00 = Vector.FusedMultiplyAdd(v0, b0, a00);
            a01 = Vector.FusedMultiplyAdd(v0, b1, a01);
            a10 = Vector.FusedMultiplyAdd(v1, b0, a10);
            a11 = Vector.FusedMultiplyAdd(v1, b1, a11);
            a20 = Vector.FusedMultiplyAdd(v2, b0, a20);
            a21 = Vector.FusedMultiplyAdd(v2, b1, a21);
            a30 = Vector.FusedMultiplyAdd(v3, b0, a30);
            a31 = Vector.FusedMultiplyAdd(v3, b1, a31);
        }
        Unsafe.As<float, Vector<float>>(ref c0) = a00;
        Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c0, w)) = a01;
        Unsafe.As<float, Vector<float>>(ref c1) = a10;
        Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c1, w)) = a11;
        Unsafe.As<float, Vector<float>>(ref c2) = a20;
        Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c2, w)) = a21;
        Unsafe.As<float, Vector<float>>(ref c3) = a30;
        Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref c3, w)) = a31;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Block4x1(ref float ra, int rs, int cs, ref float rb, ref float rc, int i0, int j, int k, int m)
    {
        ref var c0 = ref Unsafe.Add(ref rc, i0 * m + j);
        ref var c1 = ref Unsafe.Add(ref c0, m);
        ref var c2 = ref Unsafe.Add(ref c1, m);
        ref var c3 = ref Unsafe.Add(ref c2, m);
        var a0 = Unsafe.As<float, Vector<float>>(ref c0);
        var a1 = Unsafe.As<float, Vector<float>>(ref c1);
        var a2 = Unsafe.As<float, Vector<float>>(ref c2);
        var a3 = Unsafe.As<float, Vector<float>>(ref c3);
        ref var x0 = ref Unsafe.Add(ref ra, i0 * rs);
        for (var p = 0; p < k; p++)
        {
            var b0 = Unsafe.As<float, Vector<float>>(ref Unsafe.Add(ref rb, p * m + j));
            var pc = p * cs;
            a0 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x0, pc)), b0, a0);
            a1 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x0, rs + pc)), b0, a1);
            a2 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x0, 2 * rs + pc)), b0, a2);
            a3 = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe.Add(ref x0, 3 * rs + pc)), b0, a3);
        }
        Unsafe.As<float, Vector<float>>(ref c0) = a0;
        Unsafe.As<float, Vector<float>>(ref c1) = a1;
        Unsafe.As<float, Vector<float>>(ref c2) = a2;
        Unsafe.As<float, Vector<float>>(ref c3) = a3;
    }

    /// <summary>C[n×k] += A[n×m] · B[k×m]ᵀ as row dot products (an input gradient dy·Wᵀ for narrow inputs).</summary>
    public static void MatMulTransposedBDot(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int n, int m, int k)
    {
        for (var i = 0; i < n; i++)
        {
            var ai = a.Slice(i * m, m);
            for (var p = 0; p < k; p++)
            {
                c[i * k + p] += TensorPrimitives.Dot(ai, b.Slice(p * m, m));
            }
        }
    }

    /// <summary>dst[m×n] = src[n×m]ᵀ.</summary>
    public static void Transpose(ReadOnlySpan<float> src, Span<float> dst, int n, int m)
    {
        if (src.Length < n * m || dst.Length < n * m)
        {
            throw new ArgumentException("transpose: span too short for the shape");
        }
        const int Block = 16;
        for (var i0 = 0; i0 < n; i0 += Block)
        {
            var i1 = Math.Min(n, i0 + Block);
            for (var j0 = 0; j0 < m; j0 += Block)
            {
                var j1 = Math.Min(m, j0 + Block);
                for (var i = i0; i < i1; i++)
                {
                    for (var j = j0; j < j1; j++)
                    {
                        dst[j * n + i] = src[i * m + j];
                    }
                }
            }
        }
    }

    /// <summary>dst[m] += Σ_rows src[n×m] (column sums, e.g. a bias gradient).</summary>
    public static void AddColumnSums(ReadOnlySpan<float> src, Span<float> dst, int n, int m)
    {
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Add(dst[..m], src.Slice(i * m, m), dst[..m]);
        }
    }

    /// <summary>dst[n×m] = src[n×m] + row[m] broadcast over rows.</summary>
    public static void AddRowBroadcast(ReadOnlySpan<float> src, ReadOnlySpan<float> row, Span<float> dst, int n, int m)
    {
        for (var i = 0; i < n; i++)
        {
            TensorPrimitives.Add(src.Slice(i * m, m), row[..m], dst.Slice(i * m, m));
        }
    }
}
