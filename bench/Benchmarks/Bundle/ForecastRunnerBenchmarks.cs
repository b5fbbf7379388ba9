using BenchmarkDotNet.Attributes;
using PvEdge.EdgeAgent.Inference;
using PvEdge.Shared.Bundle;
using PvEdge.Shared.Features;
using PvEdge.Shared.Weather;

namespace PvEdge.Benchmarks.Bundle;

/// <summary>A 48-step (hourly, two days) forecast of the default bundle (models/default) through each runner: compiled formulas,
/// ONNX Runtime on chain.onnx, and our engine's forward pass. Features are built once (the same for every runner).
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*ForecastRunner*'</c>.</summary>
[MemoryDiagnoser]
public class ForecastRunnerBenchmarks
{
    private const int Steps = 48;
    private readonly float[] _poa = new float[Steps];
    private readonly float[] _dc = new float[Steps];
    private readonly float[] _ac = new float[Steps];
    private float[] _features = [];
    private FormulaChainPredictor _formulas = null!;
    private OnnxChainPredictor _onnx = null!;
    private EngineChainPredictor _engine = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bundle = BundleLoader.Load(DefaultBundlePath(), null);
        _formulas = FormulaChainPredictor.Create(bundle);
        _onnx = new OnnxChainPredictor(bundle);
        _engine = new EngineChainPredictor(bundle);
        var site = bundle.Site;
        var start = new DateTimeOffset(2026, 6, 20, 4, 0, 0, TimeSpan.Zero);
        var samples = new WeatherSample[Steps];
        for (var i = 0; i < Steps; i++)
        {
            var t = start.AddHours(i + 0.5);
            var day = Math.Max(0, Math.Sin((t.Hour - 10 + 0.5) / 14.0 * Math.PI));
            samples[i] = new WeatherSample(t, 900 * day, 750 * day, 120 * day, 18 + (10 * day), 2);
        }
        var series = new WeatherSeries(new WeatherMetadata("bench", WeatherFormat.PlainCsv, site.LatitudeDeg, site.LongitudeDeg, site.AltitudeM, TimeSpan.Zero), samples);
        _features = ChainFeatureSpecification.Build(site, series).X.Data;
        // warm-up binds buffers
        Formulas();
        Onnx();
        Engine();
    }

    [GlobalCleanup]
    public void Cleanup() => _onnx.Dispose();

    [Benchmark(Baseline = true)]
    public float Formulas()
    {
        _formulas.Predict(_features, _poa, _dc, _ac);
        return _ac[24];
    }

    [Benchmark]
    public float Onnx()
    {
        _onnx.Predict(_features, _poa, _dc, _ac);
        return _ac[24];
    }

    [Benchmark]
    public float Engine()
    {
        _engine.Predict(_features, _poa, _dc, _ac);
        return _ac[24];
    }

    internal static string DefaultBundlePath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "models", "default");
            if (File.Exists(Path.Combine(candidate, BundleFormat.Manifest)))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("models/default not found above " + AppContext.BaseDirectory + " (run models/regenerate.sh)");
    }
}
