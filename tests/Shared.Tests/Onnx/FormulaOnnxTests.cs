using PvEdge.Shared.Formulas;
using PvEdge.Shared.Onnx;
using PvEdge.Shared.Tests.Formulas;
using PvEdge.TestSupport;

namespace PvEdge.Shared.Tests.Onnx;

public class FormulaOnnxTests
{
    private const int Rows = 1000;

    public static TheoryData<string> Handwritten() => [.. FormulaTestData.Handwritten];

    private static double[] RowMajor(double[] columns, int rows, int cols)
    {
        var m = new double[rows * cols];
        for (var i = 0; i < rows; i++)
        {
            for (var j = 0; j < cols; j++)
            {
                m[(i * cols) + j] = columns[(j * rows) + i];
            }
        }
        return m;
    }

    [Theory]
    [MemberData(nameof(Handwritten))]
    public void ToModel_DoubleGraph_AgreesWithProgramAndDelegateTo1e6(string text)
    {
        var expr = FormulaParser.Parse(text);
        var data = FormulaTestData.Columns(Rows, 21);
        var model = FormulaOnnx.ToModel(expr, FormulaTestData.Vars, OnnxElementType.Double);
        var onnx = OnnxRun.Run(model, "x", RowMajor(data, Rows, 3), Rows, 3);
        var program = new double[Rows];
        FormulaProgram.Compile(expr, FormulaTestData.Vars).Evaluate<double>(data, Rows, program);
        var compiled = new double[Rows];
        FormulaCompiler.CompileColumns(expr, FormulaTestData.Vars)(data, Rows, compiled);
        Assert.Equal(Rows, onnx.Length);
        for (var i = 0; i < Rows; i++)
        {
            Assert.True(Math.Abs(onnx[i] - compiled[i]) <= 1e-6 * Math.Abs(compiled[i]), $"{text} row {i}: onnx {onnx[i]} vs delegate {compiled[i]}");
            Assert.True(Math.Abs(program[i] - compiled[i]) <= 1e-6 * Math.Abs(compiled[i]), $"{text} row {i}: program {program[i]} vs delegate {compiled[i]}");
        }
    }

    [Fact]
    public void ToModel_RandomFormulas_OnnxAgreesWithProgramTo1e6()
    {
        var data = FormulaTestData.Columns(200, 8);
        var rowMajor = RowMajor(data, 200, 3);
        var output = new double[200];
        foreach (var (expr, model) in RandomModels())
        {
            var onnx = OnnxRun.Run(model, "x", rowMajor, 200, 3);
            FormulaProgram.Compile(expr, FormulaTestData.Vars).Evaluate<double>(data, 200, output);
            for (var i = 0; i < 200; i++)
            {
                Assert.True(Math.Abs(onnx[i] - output[i]) <= 1e-6 * Math.Max(Math.Abs(output[i]), 1e-12), $"{expr} row {i}: {onnx[i]} vs {output[i]}");
            }
        }
    }

    private static List<(Expr Expr, byte[] Model)> RandomModels()
    {
        var rng = new Random(3);
        return Enumerable.Range(0, 30)
            .Select(_ => FormulaTestData.TameOps.Tree(rng, rng.Next(1, 10)))
            .Select(e => (e, FormulaOnnx.ToModel(e, FormulaTestData.Vars, OnnxElementType.Double)))
            .ToList();
    }

    [SkippableFact]
    public void ToModel_RandomFormulas_PassOnnxChecker()
    {
        var models = RandomModels();
        var lines = OnnxChecker.CheckBytes(models.Select(m => m.Model).ToList()).Split('\n');
        Assert.Equal(models.Count, lines.Length);
        Assert.All(lines, l => Assert.Equal("ok ir 8 opset 17", l.Trim()));
    }

    [Fact]
    public void ToModel_FloatGraph_AgreesWithFloatProgramTo1e5()
    {
        var expr = FormulaParser.Parse("x1 * x2 + cos(x3) - tan(x1 / 3) * exp(-x2)");
        var data = FormulaTestData.Columns(Rows, 5).Select(v => (float)v).ToArray();
        var onnx = OnnxRun.Run(FormulaOnnx.ToModel(expr, FormulaTestData.Vars), "x", RowMajorF(data), Rows, 3);
        var program = new float[Rows];
        FormulaProgram.Compile(expr, FormulaTestData.Vars).Evaluate<float>(data, Rows, program);
        for (var i = 0; i < Rows; i++)
        {
            Assert.True(Math.Abs(onnx[i] - program[i]) <= 1e-5 * Math.Abs(program[i]), $"row {i}: {onnx[i]} vs {program[i]}");
        }

        static float[] RowMajorF(float[] c)
        {
            var m = new float[c.Length];
            for (var i = 0; i < Rows; i++)
            {
                for (var j = 0; j < 3; j++)
                {
                    m[(i * 3) + j] = c[(j * Rows) + i];
                }
            }
            return m;
        }
    }

    [SkippableFact]
    public void ToModel_EveryOperatorBothTypes_PassesOnnxChecker()
    {
        var expr = FormulaParser.Parse(string.Join(" + ", FormulaTestData.Handwritten.Select(h => $"({h})")));
        foreach (var type in new[] { OnnxElementType.Float, OnnxElementType.Double })
        {
            var result = OnnxChecker.CheckBytes(FormulaOnnx.ToModel(expr, FormulaTestData.Vars, type));
            Assert.Equal("ok ir 8 opset 17", result);
        }
        Assert.Equal("ok ir 8 opset 17", OnnxChecker.CheckBytes(FormulaOnnx.ToModel(Expr.Const(2), ["x1"])));
    }
}
