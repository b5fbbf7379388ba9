using Microsoft.ML.OnnxRuntime;

namespace PvEdge.Shared.Tests.Onnx;

/// <summary>Runs a model with ONNX Runtime on one [N, k] input and returns the first output flattened.</summary>
internal static class OnnxRun
{
    public static T[] Run<T>(byte[] model, string input, T[] rowMajor, long rows, long cols)
        where T : unmanaged
    {
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(rowMajor, [rows, cols]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [input], [value], session.OutputNames);
        return results[0].GetTensorDataAsSpan<T>().ToArray();
    }
}
