using Microsoft.ML.OnnxRuntime;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>A bundle's <c>chain.onnx</c> through ONNX Runtime (CPU, one intra-op thread). Input and output tensors are bound to
/// arrays kept between calls, so a repeated row count only copies the features in and the outputs out.</summary>
public sealed class OnnxChainPredictor : IChainPredictor, IDisposable
{
    private static readonly string[] InputNames = ["features"];
    private static readonly string[] OutputNames = ["poa_wm2", "dc_power_w", "ac_power_w"];
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private float[] _input = [];
    private float[] _poa = [];
    private float[] _dc = [];
    private float[] _ac = [];
    private OrtValue[] _inputs = [];
    private OrtValue[] _outputs = [];
    private int _rows = -1;
    private bool _ran;

    static OnnxChainPredictor() => OnnxRuntimeProcess.Prepare();

    public OnnxChainPredictor(byte[] chainOnnx, int intraOpThreads = 1)
    {
        ArgumentNullException.ThrowIfNull(chainOnnx);
        // A chain of a few kilobytes run on one thread: no CPU arena (it keeps its high-water mark for the life of the session) and
        // no memory-pattern planning (buffers are bound once per row count below), so the session costs no more than it uses.
        using var options = new SessionOptions
        {
            IntraOpNumThreads = intraOpThreads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            EnableCpuMemArena = false,
            EnableMemoryPattern = false,
        };
        _session = new InferenceSession(chainOnnx, options);
    }

    public OnnxChainPredictor(LoadedBundle bundle)
        : this((bundle ?? throw new ArgumentNullException(nameof(bundle))).ChainOnnx)
    {
    }

    public string Runner => "onnx";

    public void Predict(ReadOnlySpan<float> features, Span<float> poaWm2, Span<float> dcPowerW, Span<float> acPowerW)
    {
        var rows = ChainPrediction.Rows(features, poaWm2, dcPowerW, acPowerW);
        if (rows == 0)
        {
            return;
        }
        if (rows != _rows)
        {
            Bind(rows);
        }
        features.CopyTo(_input);
        _session.Run(_run, InputNames, _inputs, OutputNames, _outputs);
        if (!_ran)
        {
            _ran = true;
            OnnxRuntimeProcess.TrimOnce();
        }
        _poa.AsSpan(0, rows).CopyTo(poaWm2);
        _dc.AsSpan(0, rows).CopyTo(dcPowerW);
        _ac.AsSpan(0, rows).CopyTo(acPowerW);
    }

    private void Bind(int rows)
    {
        DisposeValues();
        _input = new float[rows * ChainColumns.Count];
        _poa = new float[rows];
        _dc = new float[rows];
        _ac = new float[rows];
        _inputs = [OrtValue.CreateTensorValueFromMemory(_input, [rows, ChainColumns.Count])];
        _outputs =
        [
            OrtValue.CreateTensorValueFromMemory(_poa, [rows, 1]),
            OrtValue.CreateTensorValueFromMemory(_dc, [rows, 1]),
            OrtValue.CreateTensorValueFromMemory(_ac, [rows, 1]),
        ];
        _rows = rows;
    }

    private void DisposeValues()
    {
        foreach (var v in _inputs.Concat(_outputs))
        {
            v.Dispose();
        }
        _inputs = [];
        _outputs = [];
    }

    public void Dispose()
    {
        DisposeValues();
        _run.Dispose();
        _session.Dispose();
    }
}
