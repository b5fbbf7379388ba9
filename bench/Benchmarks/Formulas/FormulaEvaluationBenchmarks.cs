using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using PvEdge.Shared.Formulas;

namespace PvEdge.Benchmarks.Formulas;

/// <summary>Issue 5 (a): evaluations per second of <c>x1*x2+cos(x3)</c> over 200 rows (one evaluation = the whole
/// expression over all rows, PySR's unit; PySR's published figure is about 0.55 million per core per second).
/// Evaluations/s = 1e9 / Mean(ns). Single-threaded, so the figure is per core.</summary>
[MemoryDiagnoser]
[Config(typeof(InProcessShortRun))]
public class FormulaEvaluationBenchmarks
{
    private const int Rows = 200;
    private static readonly string[] Vars = ["x1", "x2", "x3"];
    private readonly double[] _columns = new double[Rows * 3];
    private readonly float[] _columnsF = new float[Rows * 3];
    private readonly double[] _output = new double[Rows];
    private readonly float[] _outputF = new float[Rows];
    private readonly double[] _row = new double[3];
    private FormulaProgram _program = null!;
    private ColumnFormula _columnDelegate = null!;
    private Func<double[], double> _rowDelegate = null!;

    [GlobalSetup]
    public void Setup()
    {
        var rng = new Random(1);
        for (var i = 0; i < _columns.Length; i++)
        {
            _columns[i] = (rng.NextDouble() * 4) - 2;
            _columnsF[i] = (float)_columns[i];
        }
        var expr = FormulaParser.Parse("x1 * x2 + cos(x3)");
        _program = FormulaProgram.Compile(expr, Vars);
        _columnDelegate = FormulaCompiler.CompileColumns(expr, Vars);
        _rowDelegate = FormulaCompiler.CompileRow(expr, Vars);
    }

    [Benchmark(Baseline = true, Description = "compiled delegate, column loop (double)")]
    public double CompiledColumns()
    {
        _columnDelegate(_columns, Rows, _output);
        return _output[0];
    }

    [Benchmark(Description = "compiled delegate, one call per row (double)")]
    public double CompiledRows()
    {
        var s = 0.0;
        for (var i = 0; i < Rows; i++)
        {
            _row[0] = _columns[i];
            _row[1] = _columns[Rows + i];
            _row[2] = _columns[(2 * Rows) + i];
            s += _rowDelegate(_row);
        }
        return s;
    }

    [Benchmark(Description = "vectorised program (double)")]
    public double VectorisedDouble()
    {
        _program.Evaluate<double>(_columns, Rows, _output);
        return _output[0];
    }

    [Benchmark(Description = "vectorised program (float)")]
    public float VectorisedFloat()
    {
        _program.Evaluate<float>(_columnsF, Rows, _outputF);
        return _outputF[0];
    }
}

/// <summary>A short run inside the benchmark process: nanosecond-scale evaluations need no separate process, and it saves
/// the generated project's build.</summary>
public sealed class InProcessShortRun : ManualConfig
{
    public InProcessShortRun() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
}
