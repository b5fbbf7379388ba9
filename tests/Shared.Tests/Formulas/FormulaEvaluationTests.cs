using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Tests.Formulas;

public class FormulaEvaluationTests
{
    private const int Rows = 1500; // more than one block of FormulaProgram.BlockRows

    private static void AssertClose(double expected, double actual, double rel, string what)
    {
        if (double.IsNaN(expected))
        {
            Assert.True(double.IsNaN(actual), $"{what}: expected NaN, got {actual}");
            return;
        }
        Assert.True(expected.Equals(actual) || Math.Abs(expected - actual) <= rel * Math.Abs(expected),
            $"{what}: expected {expected}, got {actual}");
    }

    public static TheoryData<string> Handwritten() => [.. FormulaTestData.Handwritten];

    [Theory]
    [MemberData(nameof(Handwritten))]
    public void Evaluate_ProgramDelegateAndTreeWalk_AgreeTo1e6(string text)
    {
        var expr = FormulaParser.Parse(text);
        var data = FormulaTestData.Columns(Rows, 3);
        var program = FormulaProgram.Compile(expr, FormulaTestData.Vars);
        var vectorised = new double[Rows];
        program.Evaluate<double>(data, Rows, vectorised);
        var looped = new double[Rows];
        FormulaCompiler.CompileColumns(expr, FormulaTestData.Vars)(data, Rows, looped);
        var row = FormulaCompiler.CompileRow(expr, FormulaTestData.Vars);
        for (var i = 0; i < Rows; i++)
        {
            var x = new[] { data[i], data[Rows + i], data[(2 * Rows) + i] };
            var walk = expr.Evaluate(v => x[Array.IndexOf(FormulaTestData.Vars, v)]);
            AssertClose(walk, vectorised[i], 1e-6, $"{text} program row {i}");
            AssertClose(walk, looped[i], 1e-6, $"{text} column delegate row {i}");
            AssertClose(walk, row(x), 1e-6, $"{text} row delegate row {i}");
        }
    }

    [Fact]
    public void Evaluate_RandomTrees_ProgramMatchesDelegate()
    {
        var rng = new Random(5);
        var data = FormulaTestData.Columns(700, 9, 0.2, 3);
        var a = new double[700];
        var b = new double[700];
        var compared = 0;
        for (var t = 0; t < 400; t++)
        {
            var expr = FormulaTestData.WellConditionedOps.Tree(rng, rng.Next(0, 9));
            FormulaProgram.Compile(expr, FormulaTestData.Vars).Evaluate<double>(data, 700, a);
            FormulaCompiler.CompileColumns(expr, FormulaTestData.Vars)(data, 700, b);
            for (var i = 0; i < 700; i++)
            {
                if (double.IsFinite(b[i]))
                {
                    compared++;
                    // Relative 1e-6 with an absolute floor of 1e-9: random nestings such as log(tanh(x^y)) ≈ -1e-12 are so
                    // ill-conditioned that one ulp of tanh changes the fourth digit.
                    Assert.True(Math.Abs(a[i] - b[i]) <= 1e-6 * Math.Max(Math.Abs(b[i]), 1e-3), $"{expr} row {i}: {a[i]} vs {b[i]}");
                }
                else
                {
                    Assert.Equal(double.IsNaN(b[i]), double.IsNaN(a[i]));
                }
            }
        }
        Assert.True(compared > 100_000);
    }

    [Fact]
    public void Evaluate_FloatColumns_MatchDoubleWithinSinglePrecision()
    {
        var expr = FormulaParser.Parse(FormulaTestData.Handwritten[0]);
        var data = FormulaTestData.Columns(300, 4);
        var single = data.Select(v => (float)v).ToArray();
        var d = new double[300];
        var f = new float[300];
        var program = FormulaProgram.Compile(expr, FormulaTestData.Vars);
        program.Evaluate<double>(data, 300, d);
        program.Evaluate<float>(single, 300, f);
        for (var i = 0; i < 300; i++)
        {
            AssertClose(d[i], f[i], 1e-5, "float row " + i);
        }
    }

    [Fact]
    public void Evaluate_ArrayOfColumnsAndConstantOverride_UseSameLayout()
    {
        var expr = FormulaParser.Parse("2 * x2 + 0.5");
        var program = FormulaProgram.Compile(expr, ["x1", "x2"]);
        var output = new double[3];
        program.Evaluate(new[] { new[] { 9.0, 9, 9 }, new[] { 1.0, 2, 3 } }, output);
        Assert.Equal([2.5, 4.5, 6.5], output);
        program.Evaluate(new[] { new[] { 9.0, 9, 9 }, new[] { 1.0, 2, 3 } }, output, [10.0, 0.0]);
        Assert.Equal([10.0, 20, 30], output);
        Assert.Equal([2.0, 0.5], program.Constants.ToArray());
    }

    [Fact]
    public void Evaluate_AfterWarmUp_AllocatesNothing()
    {
        var program = FormulaProgram.Compile(FormulaParser.Parse("x1 * x2 + cos(x3) / (x1 - exp(x2 * 0.3))"), FormulaTestData.Vars);
        var data = FormulaTestData.Columns(2000, 1);
        var output = new double[2000];
        program.Evaluate<double>(data, 2000, output);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            program.Evaluate<double>(data, 2000, output);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
