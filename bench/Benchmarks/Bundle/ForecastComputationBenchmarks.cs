using BenchmarkDotNet.Attributes;
using PvEdge.EdgeAgent.Demo;
using PvEdge.EdgeAgent.Forecasting;
using PvEdge.EdgeAgent.Inference;
using PvEdge.EdgeAgent.Weather;
using PvEdge.Shared.Bundle;

namespace PvEdge.Benchmarks.Bundle;

/// <summary>One full forecast computation as the agent's forecast service does it (48 h hourly + 6 h at 15 min, each interval the
/// mean of 15-minute sub-intervals, with the clear-sky band) on the demo's weather, for the default bundle on each runner set-up
/// and for the site's physics chain (PVWatts, the fallback) as the peer.
/// Run: <c>dotnet run -c Release --project bench/Benchmarks -- --filter '*ForecastComputation*' --job short --inProcess</c>.</summary>
[MemoryDiagnoser]
public class ForecastComputationBenchmarks
{
    private static readonly DateTimeOffset Now = new(2026, 6, 20, 13, 7, 0, TimeSpan.Zero);
    private readonly List<IDisposable> _owned = [];
    private ForecastEngine _physics = null!;
    private ForecastEngine _formulasEngineShadow = null!;
    private ForecastEngine _onnxFormulasShadow = null!;

    [GlobalSetup]
    public void Setup()
    {
        var bundle = BundleLoader.Load(ForecastRunnerBenchmarks.DefaultBundlePath(), null);
        var clearSky = new PhysicsClearSky(bundle.Site);
        var weather = new WeatherState(clearSky);
        weather.Set(new DemoWeather(clearSky, 1).Forecast(Now), null);
        var zone = TimeZoneInfo.FindSystemTimeZoneById(bundle.Site.TimeZone ?? "UTC");
        ForecastEngine Engine(IPowerModel model)
        {
            if (model is IDisposable d)
            {
                _owned.Add(d);
            }
            return new ForecastEngine(model, weather, zone);
        }
        _physics = Engine(new PhysicsPowerModel(bundle.Site));
        _formulasEngineShadow = Engine(BundlePowerModel.Create(bundle, "formulas", "engine"));
        _onnxFormulasShadow = Engine(BundlePowerModel.Create(bundle, "onnx", "formulas"));
        Physics();
        FormulasWithEngineShadow();
        OnnxWithFormulasShadow();
    }

    [GlobalCleanup]
    public void Cleanup() => _owned.ForEach(d => d.Dispose());

    [Benchmark(Baseline = true)]
    public double Physics() => Run(_physics);

    [Benchmark]
    public double FormulasWithEngineShadow() => Run(_formulasEngineShadow);

    [Benchmark]
    public double OnnxWithFormulasShadow() => Run(_onnxFormulasShadow);

    private static double Run(ForecastEngine engine) =>
        engine.Hourly(Now, 48).EnergyTomorrowKwh + engine.Intraday(Now, 6, 0.9, 2).EnergyTodayKwh;
}
