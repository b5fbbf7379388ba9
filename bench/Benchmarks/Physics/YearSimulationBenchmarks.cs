using BenchmarkDotNet.Attributes;
using PvEdge.Shared.Physics;
using PvEdge.Shared.Sites;
using PvEdge.Shared.Weather;

namespace PvEdge.Benchmarks.Physics;

/// <summary>One year hourly (8760 steps) of NREL SPA + Perez + SAPM cell temperature + PVWatts DC/AC, the workload of
/// anchors.md (pvlib numpy: median 13.6 ms on the same class of machine). The weather is synthetic (a clear-sky year for
/// Greensboro) so the benchmark needs no file from ../shared.</summary>
[MemoryDiagnoser]
public class YearSimulationBenchmarks
{
    private readonly List<double> _cpuMs = [];
    private double _cpuAtStart;
    private PvSystemModel _model = null!;
    private WeatherSeries _weather = null!;
    private ChainResult _result = null!;
    private SolarPosition[] _sun = null!;
    private double[] _unix = null!;
    private double[] _pressure = null!;
    private double[] _temp = null!;

    [GlobalSetup]
    public void Setup()
    {
        var site = new Site("bench", 36.1, -79.95, 273, null, 0.2, TranspositionModel.Perez, IamModel.Physical, CellTemperatureModel.SapmOpenRackGlassPolymer,
            PvWatts.DefaultLossesPct, [new Plane("south", 30, 180, 5, -0.0037, HorizonProfile.Flat)], new InverterSpec(5 / 1.2, 0.96));
        _model = new PvSystemModel(site);
        var start = new DateTimeOffset(1990, 1, 1, 0, 30, 0, TimeSpan.FromHours(-5));
        var rows = new WeatherSample[8760];
        for (var i = 0; i < rows.Length; i++)
        {
            var t = start.AddHours(i);
            var temp = 15 + 10 * Math.Sin(2 * Math.PI * (i / 8760.0 - 0.3)) + 5 * Math.Sin(2 * Math.PI * (i % 24 - 9) / 24.0);
            var cs = _model.ClearSkySample(t, temp, 2);
            rows[i] = cs with { DniWm2 = cs.DniWm2 * 0.8, DhiWm2 = cs.DhiWm2 * 1.3, PressurePa = 98000 };
        }
        _weather = new WeatherSeries(new WeatherMetadata("synthetic", WeatherFormat.PlainCsv, 36.1, -79.95, 273, TimeSpan.FromHours(-5)), rows);
        _result = new ChainResult(_weather.Count, 1);
        _sun = new SolarPosition[_weather.Count];
        _unix = _weather.UnixMidSeconds.ToArray();
        _pressure = _weather.PressurePa.ToArray();
        _temp = _weather.TempAirC.ToArray();
    }

    /// <summary>Thread CPU time per iteration: on a shared, oversubscribed machine wall-clock time mostly measures the
    /// other tenants; CPU time is the fairer figure to set beside pvlib's 13.6 ms (printed at the end as "// cpu-time").</summary>
    [IterationSetup]
    public void StartCpuClock() => _cpuAtStart = ThreadCpuClock.NowMs();

    /// <summary>Records the CPU time of the iteration.</summary>
    [IterationCleanup]
    public void StopCpuClock() => _cpuMs.Add(ThreadCpuClock.NowMs() - _cpuAtStart);

    /// <summary>Prints the median CPU time of the measured iterations.</summary>
    [GlobalCleanup]
    public void ReportCpuTime()
    {
        if (_cpuMs.Count == 0)
        {
            return;
        }
        _cpuMs.Sort();
        Console.WriteLine($"// cpu-time median {_cpuMs[_cpuMs.Count / 2]:F2} ms, min {_cpuMs[0]:F2} ms over {_cpuMs.Count} iterations (warm-up included)");
        _cpuMs.Clear();
    }

    /// <summary>The whole chain for a year: the figure to compare with pvlib's 13.6 ms.</summary>
    [Benchmark(Baseline = true)]
    public double YearChain()
    {
        _model.Run(_weather, _result);
        return _result.Steps[4000].AcPowerW;
    }

    /// <summary>The SPA part alone (the dominant cost).</summary>
    [Benchmark]
    public double YearSolarPosition()
    {
        Spa.Compute(_unix, _model.Observer, _pressure, _temp, _sun);
        return _sun[4000].AzimuthDeg;
    }
}
