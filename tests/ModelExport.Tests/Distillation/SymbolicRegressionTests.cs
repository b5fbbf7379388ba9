using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PvEdge.ModelExport.Distillation;
using PvEdge.Shared.Formulas;
using PvEdge.TestSupport;

namespace PvEdge.ModelExport.Tests.Distillation;

public class SymbolicRegressionTests
{
    private static readonly string FeynmanPath = RepoPaths.InRepo("tests/ModelExport.Tests/Distillation/feynman.json");

    private static SrOptions Small(int seed, int threads = 2) => new()
    {
        Populations = 6,
        PopulationSize = 30,
        ChildrenPerIteration = 300,
        MaxIterations = 25,
        Threads = threads,
        Seed = seed,
    };

    [Fact]
    public void Load_FeynmanFile_HoldsAtLeast30ValidEquations()
    {
        var equations = FeynmanSuite.Load(FeynmanPath);
        Assert.True(equations.Count >= 30, $"only {equations.Count} equations");
        Assert.Equal(equations.Count, equations.Select(e => e.Id).Distinct().Count());
        foreach (var eq in equations)
        {
            var data = eq.Sample(200, 1);
            Assert.All(data.Target, v => Assert.True(double.IsFinite(v), $"{eq.Id} gives {v}"));
            Assert.True(data.Variance > 0, eq.Id);
        }
    }

    [Theory]
    [InlineData("I.12.1")]
    [InlineData("I.14.3")]
    [InlineData("I.25.13")]
    [InlineData("II.27.18")]
    [InlineData("I.39.1")]
    public void Fit_EasyFeynmanEquation_RecoversExactly(string id)
    {
        var eq = FeynmanSuite.Load(FeynmanPath).Single(e => e.Id == id);
        var outcome = FeynmanSuite.Run(eq, Small(1), 300);
        Assert.True(outcome.Recovered, FeynmanSuite.Format(outcome));
        Assert.True(outcome.Complexity <= eq.Formula.Complexity + 2, FeynmanSuite.Format(outcome));
    }

    [Fact]
    public void Fit_SameSeedAndIterationBudget_SameResultForOneAndTwoThreads()
    {
        // Out of process: modelexport runs without JIT tiering (see ModelExport.csproj), the test host does not, and the
        // tiers of the vector math may round differently in the last bit.
        var dir = Directory.CreateTempSubdirectory("sr-det").FullName;
        try
        {
            var eq = FeynmanSuite.Load(FeynmanPath).Single(e => e.Id == "I.29.16");
            var data = eq.Sample(200, 3);
            var csv = Path.Combine(dir, "d.csv");
            var lines = new List<string> { string.Join(',', data.Variables) + ",y" };
            for (var i = 0; i < data.Rows; i++)
            {
                lines.Add(string.Join(',', Enumerable.Range(0, data.Variables.Count)
                    .Select(j => data.Columns[(j * data.Rows) + i].ToString("R", CultureInfo.InvariantCulture))
                    .Append(data.Target[i].ToString("R", CultureInfo.InvariantCulture))));
            }
            File.WriteAllLines(csv, lines);
            string RunWith(int threads)
            {
                var output = Path.Combine(dir, $"t{threads}.json");
                var tool = Path.Combine(AppContext.BaseDirectory, "modelexport.dll");
                using var p = Process.Start(new ProcessStartInfo("dotnet",
                    ["exec", tool, "sr", "--csv", csv, "--target", "y", "--out", output, "--iterations", "4", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--seed", "7", "--populations", "6"])
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                })!;
                var err = p.StandardError.ReadToEndAsync();
                p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.True(p.ExitCode == 0, err.Result);
                using var doc = JsonDocument.Parse(File.ReadAllText(output));
                return doc.RootElement.GetProperty("best").GetRawText() + doc.RootElement.GetProperty("pareto").GetRawText() +
                       doc.RootElement.GetProperty("search").GetProperty("iterations").GetRawText();
            }
            Assert.Equal(RunWith(1), RunWith(2));
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public void Fit_Result_IsParetoFrontWithBestWithinLossFactor()
    {
        var eq = FeynmanSuite.Load(FeynmanPath).Single(e => e.Id == "I.37.4");
        var result = SymbolicRegression.Fit(eq.Sample(300, 2), Small(3) with { MaxIterations = 6 });
        for (var i = 1; i < result.Pareto.Count; i++)
        {
            Assert.True(result.Pareto[i].Complexity > result.Pareto[i - 1].Complexity);
            Assert.True(result.Pareto[i].Mse < result.Pareto[i - 1].Mse);
        }
        var lowest = result.Pareto.Min(p => p.Mse);
        Assert.True(result.Best.Mse <= (1.5 * lowest) + 1e-300 || result.Best.R2 >= 1 - 1e-24);
        Assert.Contains(result.Best, result.Pareto);
    }

    [Fact]
    public void ChooseBest_SharpestLogLossDrop_WinsAmongCandidatesWithin1_5x()
    {
        var options = new SrOptions();
        SrCandidate C(int complexity, double mse, double score) =>
            new(Expr.Var("x"), complexity, mse, Math.Sqrt(mse), 1 - mse, score);
        var candidates = new[]
        {
            C(1, 1.0, 0),
            C(3, 0.010, 2.3),   // big drop, but 0.010 > 1.5 × 0.004
            C(5, 0.005, 0.35),
            C(9, 0.004, 0.06),
        };
        Assert.Equal(5, SymbolicRegression.ChooseBest(candidates, options).Complexity);
    }

    [Fact]
    public void Optimize_WrongConstants_ConvergesToTrueOnes()
    {
        var x = Enumerable.Range(0, 100).Select(i => 0.5 + (i * 0.03)).ToArray();
        var truth = FormulaParser.Parse("2.5 * exp(-0.7 * x) + 0.3");
        var y = x.Select(v => truth.Evaluate(_ => v)).ToArray();
        var data = new SrDataset(["x"], x, y);
        var evaluator = new LossEvaluator(data);
        var optimizer = new ConstantOptimizer(evaluator);
        var start = FormulaParser.Parse("1 * exp(-1 * x) + 0");
        var (tree, loss) = optimizer.Optimize(start, evaluator.Loss(start), 100, new Random(1));
        Assert.True(loss < 1e-20, $"{tree}: loss {loss}");
        var c = tree.Constants();
        Assert.Equal(2.5, c[0], 8);
        Assert.Equal(-0.7, c[1], 8);
        Assert.Equal(0.3, c[2], 8);
    }
}
