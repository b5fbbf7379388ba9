namespace PvEdge.Shared.Bundle;

/// <summary>Runs a bundle's chain: feature rows (row-major, <see cref="Learning.Chain.ChainColumns.Count"/> floats per row, as
/// <see cref="Features.ChainFeatureSpecification"/> builds them) → POA (W/m²), DC power (W) and AC power (W) per row.
/// Implementations: <see cref="EngineChainPredictor"/> (our engine's forward pass), <see cref="FormulaChainPredictor"/>
/// (compiled formulas) and the agent's ONNX Runtime runner. Not thread-safe: one caller at a time; after the first call
/// with a given row count, calls allocate nothing.</summary>
public interface IChainPredictor
{
    /// <summary>"engine", "formulas" or "onnx".</summary>
    string Runner { get; }

    /// <param name="features">rows × feature columns, row-major</param>
    /// <param name="poaWm2">one value per row; its length is the row count</param>
    /// <param name="dcPowerW">one value per row</param>
    /// <param name="acPowerW">one value per row</param>
    void Predict(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW);
}

/// <summary>Argument checks shared by the predictors.</summary>
public static class ChainPrediction
{
    /// <summary>Throws unless the spans describe the same row count.</summary>
    public static int Rows(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW)
    {
        var rows = poaWm2.Length;
        if (dcPowerW.Length != rows || acPowerW.Length != rows || features.Length != rows * Learning.Chain.ChainColumns.Count)
        {
            throw new ArgumentException($"features hold {features.Length} values and the outputs {poaWm2.Length}/{dcPowerW.Length}/{acPowerW.Length}: expected {Learning.Chain.ChainColumns.Count} features per output row");
        }
        return rows;
    }
}
