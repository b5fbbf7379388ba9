using System.Numerics;
using System.Runtime.InteropServices;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Sums whose order of addition depends only on the length, never on memory alignment (TensorPrimitives aligns
/// its loads, so its sums can differ in the last bit between two arrays with the same content). This keeps a seeded search
/// reproducible.</summary>
internal static class Reductions
{
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var acc = Vector<double>.Zero;
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
        for (var i = 0; i < vx.Length; i++)
        {
            acc += vx[i] * vy[i];
        }
        var s = Vector.Sum(acc);
        for (var i = vx.Length * Vector<double>.Count; i < x.Length; i++)
        {
            s += x[i] * y[i];
        }
        return s;
    }

    public static double SumOfSquares(ReadOnlySpan<double> x) => Dot(x, x);
}
