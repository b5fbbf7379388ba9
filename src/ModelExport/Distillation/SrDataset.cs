namespace PvEdge.ModelExport.Distillation;

/// <summary>A regression table: column-major inputs (variable j of row i at <c>Columns[j*Rows + i]</c>) and the target.</summary>
public sealed class SrDataset
{
    public SrDataset(IReadOnlyList<string> variables, double[] columns, double[] target)
    {
        ArgumentNullException.ThrowIfNull(variables);
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(target);
        if (columns.Length != variables.Count * target.Length)
        {
            throw new ArgumentException($"expected {variables.Count} columns of {target.Length} rows, got {columns.Length} values", nameof(columns));
        }
        Variables = variables;
        Columns = columns;
        Target = target;
        var mean = target.Average();
        Variance = target.Length == 0 ? 0 : target.Sum(v => (v - mean) * (v - mean)) / target.Length;
    }

    public IReadOnlyList<string> Variables { get; }

    public double[] Columns { get; }

    public double[] Target { get; }

    public int Rows => Target.Length;

    /// <summary>Population variance of the target (the loss of the best constant).</summary>
    public double Variance { get; }

    /// <summary>Builds from one array per variable.</summary>
    public static SrDataset FromColumns(IReadOnlyList<string> variables, IReadOnlyList<double[]> columns, double[] target)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(target);
        var flat = new double[columns.Count * target.Length];
        for (var j = 0; j < columns.Count; j++)
        {
            columns[j].AsSpan().CopyTo(flat.AsSpan(j * target.Length));
        }
        return new SrDataset(variables, flat, target);
    }

    /// <summary>The rows at <paramref name="indices"/>, in that order.</summary>
    public SrDataset Subset(IReadOnlyList<int> indices)
    {
        ArgumentNullException.ThrowIfNull(indices);
        var n = indices.Count;
        var cols = new double[Variables.Count * n];
        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var r = indices[i];
            y[i] = Target[r];
            for (var j = 0; j < Variables.Count; j++)
            {
                cols[(j * n) + i] = Columns[(j * Rows) + r];
            }
        }
        return new SrDataset(Variables, cols, y);
    }
}
