using Microsoft.ML.OnnxRuntime;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>The bundle's chain.onnx through ONNX Runtime: <c>features</c> [N, <see cref="ChainColumns.Count"/>] → <c>poa_wm2</c>, <c>dc_power_w</c>,
/// <c>ac_power_w</c> [N, 1]. One session, one thread (the gateway has few cores and the rows are few).</summary>
public sealed class OnnxChainPredictor : IChainPredictor, IDisposable
{
    private static readonly string[] OutputNames = ["poa_wm2", "dc_power_w", "ac_power_w"];
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();

    public OnnxChainPredictor(byte[] chainOnnx)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        _session = new InferenceSession(chainOnnx, options);
    }

    public string Runner => "onnx";

    public void Predict(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW)
    {
        var rows = ChainPrediction.Rows(features, poaWm2, dcPowerW, acPowerW);
        if (rows == 0)
        {
            return;
        }
        var input = features.ToArray();
        using var tensor = OrtValue.CreateTensorValueFromMemory(input, [rows, ChainColumns.Count]);
        using var outputs = _session.Run(_run, ["features"], [tensor], OutputNames);
        outputs[0].GetTensorDataAsSpan<float>()[..rows].CopyTo(poaWm2);
        outputs[1].GetTensorDataAsSpan<float>()[..rows].CopyTo(dcPowerW);
        outputs[2].GetTensorDataAsSpan<float>()[..rows].CopyTo(acPowerW);
    }

    public void Dispose()
    {
        _run.Dispose();
        _session.Dispose();
    }
}
