using BenchmarkDotNet.Attributes;
using PvEdge.Shared.Learning;

namespace PvEdge.Benchmarks.Learning;

/// <summary>Training throughput of an MLP 8→64→64→1 (tanh), batch 256, Adam, on the data-parallel trainer.
/// Samples per second = 256 / (mean time of one step). Peer: <c>/usr/bin/python3 bench/peers/torch_mlp.py</c>.</summary>
[ShortRunJob]
[MemoryDiagnoser]
public class MlpTrainingBenchmark
{
    private const int Batch = 256;
    private const int Batches = 16;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private int[] _indices = null!;
    private DataParallelTrainer _trainer = null!;
    private int _next;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(1);
        _x = new Tensor(Batch * Batches, 8);
        _y = new Tensor(Batch * Batches, 1);
        for (var r = 0; r < _x.Rows; r++)
        {
            var s = 0f;
            for (var c = 0; c < 8; c++)
            {
                _x[r, c] = (float)rng.NextGaussian();
                s += MathF.Sin(_x[r, c] * (c + 1));
            }
            _y[r, 0] = s;
        }
        _indices = [.. Enumerable.Range(0, _x.Rows)];
        var mlp = new Mlp([8, 64, 64, 1], Activation.Tanh, Activation.Identity, new SeededRandom(2));
        _trainer = new DataParallelTrainer(mlp.Parameters, new Adam { LearningRate = 1e-3f },
            (t, b) => t.MseLoss(mlp.Forward(t, t.Input(b.X)), b.Y, b.LossScale), Threads);
    }

    [GlobalCleanup]
    public void Cleanup() => _trainer.Dispose();

    /// <summary>One Adam step on 256 samples.</summary>
    [Benchmark]
    public double TrainStep()
    {
        var o = _next * Batch;
        _next = (_next + 1) % Batches;
        return _trainer.Step(_x, _y, _indices, o, Batch);
    }
}
