using System.Text.Json.Serialization;

namespace PvEdge.Shared.Bundle;

/// <summary>formulas.json: one entry per factor that was distilled.</summary>
public sealed record FormulasFile(
    [property: JsonPropertyName("schema")] int Schema,
    [property: JsonPropertyName("factors")] IReadOnlyList<FactorFormula> Factors)
{
    public const int CurrentSchema = 1;
}

/// <summary>The distilled formula of one factor: its expression tree (<see cref="ExprJson"/>), infix text (the grammar of
/// formats.md), complexity and R² against the net and the truth. <see cref="Kept"/> is false when R² against the net stayed
/// below the threshold: the factor then runs as ONNX only and <see cref="Tree"/> records the best candidate for the report.</summary>
public sealed record FactorFormula(
    [property: JsonPropertyName("factor")] string Factor,
    [property: JsonPropertyName("variables")] IReadOnlyList<string> Variables,
    [property: JsonPropertyName("output")] string Output,
    [property: JsonPropertyName("tree")] ExprNode Tree,
    [property: JsonPropertyName("infix")] string Infix,
    [property: JsonPropertyName("complexity")] int Complexity,
    [property: JsonPropertyName("r2_vs_net")] double R2VsNet,
    [property: JsonPropertyName("r2_vs_truth")] double? R2VsTruth,
    [property: JsonPropertyName("kept")] bool Kept);
