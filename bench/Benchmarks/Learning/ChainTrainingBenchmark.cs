using BenchmarkDotNet.Attributes;
using PvEdge.Shared.Learning;
using PvEdge.Shared.Learning.Chain;

namespace PvEdge.Benchmarks.Learning;

/// <summary>One training step of the chain model (N1 shading field + N2 module + N3 inverter with priors) on 512 rows.</summary>
[MemoryDiagnoser]
public class ChainTrainingBenchmark
{
    private const int Rows = 512;
    private Tensor _x = null!;
    private Tensor _y = null!;
    private int[] _indices = null!;
    private DataParallelTrainer _trainer = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var rng = new SeededRandom(1);
        _x = new Tensor(Rows, ChainColumns.Count);
        _y = new Tensor(Rows, ChainColumns.LabelCount);
        for (var r = 0; r < Rows; r++)
        {
            var az = rng.Uniform(60, 300) * Math.PI / 180;
            _x[r, ChainColumns.SinAzimuth] = (float)Math.Sin(az);
            _x[r, ChainColumns.CosAzimuth] = (float)Math.Cos(az);
            _x[r, ChainColumns.Elevation] = (float)rng.Uniform(0.01, 0.8);
            _x[r, ChainColumns.Beam] = (float)rng.Uniform(0, 0.9);
            _x[r, ChainColumns.SkyDiffuse] = (float)rng.Uniform(0, 0.3);
            _x[r, ChainColumns.Ground] = (float)rng.Uniform(0, 0.02);
            _x[r, ChainColumns.TempAir] = (float)rng.Uniform(-1, 1);
            _x[r, ChainColumns.Wind] = (float)rng.Uniform(0, 0.5);
            _x[r, ChainColumns.DcAcRatio] = 1.2f;
            _x[r, ChainColumns.Site] = rng.NextInt(8);
            _y[r, 0] = 0.8f * (_x[r, ChainColumns.Beam] + _x[r, ChainColumns.SkyDiffuse]);
            _y[r, 1] = float.NaN;
            _y[r, 2] = float.NaN;
        }
        _indices = [.. Enumerable.Range(0, Rows)];
        var model = new ChainModel(new ChainNets(ChainConfig.Default, new SeededRandom(2)), new SiteParameters(8, ChainConfig.Default.LatentSize));
        _trainer = new DataParallelTrainer(model.Parameters, new Adam(), model.Loss, Threads);
    }

    [GlobalCleanup]
    public void Cleanup() => _trainer.Dispose();

    [Benchmark]
    public double ChainStep() => _trainer.Step(_x, _y, _indices, 0, Rows);
}
