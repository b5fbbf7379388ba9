using System.Numerics.Tensors;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Normalised mean squared error (MSE / variance of y) of formulas on one dataset, through the vectorised
/// <see cref="FormulaProgram"/>. One instance per thread: it owns its prediction buffer.</summary>
internal sealed class LossEvaluator
{
    private readonly SrDataset _data;
    private readonly double _normaliser;
    private readonly double[] _prediction;
    private readonly double[] _residual;

    public LossEvaluator(SrDataset data)
    {
        _data = data;
        _normaliser = data.Variance > 0 ? data.Variance : 1;
        _prediction = new double[data.Rows];
        _residual = new double[data.Rows];
    }

    public SrDataset Data => _data;

    /// <summary>Evaluations done so far (one = the whole formula over every row).</summary>
    public long Evaluations { get; private set; }

    public double Loss(Expr e) => Loss(FormulaProgram.Compile(e, _data.Variables), default);

    /// <summary>Loss with the program's constants or <paramref name="constants"/>; +∞ when any prediction is not finite.</summary>
    public double Loss(FormulaProgram program, ReadOnlySpan<double> constants)
    {
        Predict(program, constants, _prediction);
        TensorPrimitives.Subtract(_prediction, _data.Target, _residual);
        var sse = Reductions.SumOfSquares(_residual);
        return double.IsFinite(sse) ? sse / _data.Rows / _normaliser : double.PositiveInfinity;
    }

    /// <summary>Predictions into <paramref name="output"/> (length = rows).</summary>
    public void Predict(FormulaProgram program, ReadOnlySpan<double> constants, Span<double> output)
    {
        Evaluations++;
        program.Evaluate<double>(_data.Columns, _data.Rows, output, constants);
    }

    /// <summary>Residuals (prediction − target) into <paramref name="output"/>; returns the normalised loss.</summary>
    public double Residuals(FormulaProgram program, ReadOnlySpan<double> constants, Span<double> output)
    {
        Predict(program, constants, output);
        TensorPrimitives.Subtract(output, _data.Target, output);
        var sse = Reductions.SumOfSquares(output);
        return double.IsFinite(sse) ? sse / _data.Rows / _normaliser : double.PositiveInfinity;
    }
}
