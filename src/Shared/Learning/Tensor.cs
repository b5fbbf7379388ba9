namespace PvEdge.Shared.Learning;

/// <summary>A dense row-major float32 matrix: <see cref="Rows"/> samples × <see cref="Cols"/> features.
/// Vectors are 1 × n; scalars are 1 × 1. Parameters carry a name and an accumulated gradient.</summary>
public sealed class Tensor
{
    public Tensor(int rows, int cols, string name = "")
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        Rows = rows;
        Cols = cols;
        Name = name;
        Data = new float[rows * cols];
    }

    public Tensor(int rows, int cols, float[] data, string name = "")
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Length != rows * cols)
        {
            throw new ArgumentException($"tensor {name}: {data.Length} values for {rows}×{cols}", nameof(data));
        }
        Rows = rows;
        Cols = cols;
        Name = name;
        Data = data;
    }

    public int Rows { get; }

    public int Cols { get; }

    public string Name { get; }

    public int Length => Data.Length;

#pragma warning disable CA1819 // the backing array is the point: kernels work on its spans
    public float[] Data { get; }
#pragma warning restore CA1819

    /// <summary>The gradient accumulated by the trainer (same shape), created on first use.</summary>
    public Tensor Grad => _grad ??= new Tensor(Rows, Cols);

    private Tensor? _grad;

    public Span<float> Span => Data;

    public Span<float> Row(int r) => Data.AsSpan(r * Cols, Cols);

    public float this[int r, int c]
    {
        get => Data[r * Cols + c];
        set => Data[r * Cols + c] = value;
    }

    public bool SameShape(Tensor other) => other.Rows == Rows && other.Cols == Cols;

    public void Clear() => Array.Clear(Data);

    public Tensor Clone(string? name = null)
    {
        var t = new Tensor(Rows, Cols, name ?? Name);
        Data.CopyTo(t.Data, 0);
        return t;
    }

    public static Tensor FromRows(float[][] rows, string name = "")
    {
        ArgumentNullException.ThrowIfNull(rows);
        var cols = rows.Length == 0 ? 0 : rows[0].Length;
        var t = new Tensor(rows.Length, cols, name);
        for (var r = 0; r < rows.Length; r++)
        {
            rows[r].CopyTo(t.Data, r * cols);
        }
        return t;
    }

    public override string ToString() => $"{Name}[{Rows}×{Cols}]";
}
