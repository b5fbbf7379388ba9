using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Tests.Formulas;

public class SimplifierTests
{
    [Theory]
    [InlineData("x * 1", "x")]
    [InlineData("1 * x + 0", "x")]
    [InlineData("x * 0 + y", "y")]
    [InlineData("x - x", "0")]
    [InlineData("(x + y) - (x + y) + z", "z")]
    [InlineData("2 * 3 + x", "x + 6")]
    [InlineData("(x + 2) + 3", "x + 5")]
    [InlineData("2 * (3 * x)", "6 * x")]
    [InlineData("(x * 2) * 3", "6 * x")]
    [InlineData("x / 4", "0.25 * x")]
    [InlineData("x / x", "1")]
    [InlineData("x ^ 1", "x")]
    [InlineData("sqrt(4) * x", "2 * x")]
    [InlineData("--x", "x")]
    [InlineData("x + -y", "x - y")]
    [InlineData("x - 3", "x + -3")]
    [InlineData("x + x", "2 * x")]
    [InlineData("log(exp(x))", "x")]
    [InlineData("exp(1000) * x", "exp(1000) * x")]
    [InlineData("x * (2 * y)", "2 * (x * y)")]
    [InlineData("y3 * x3 - sin(x2) + x1 + sin(x2)", "y3 * x3 + x1")]
    [InlineData("a - (b - a) - 2 * a + b", "0")]
    public void Simplify_KnownCase_GivesExpected(string input, string expected)
    {
        Assert.Equal(FormulaParser.Parse(expected), Simplifier.Simplify(FormulaParser.Parse(input)));
    }

    [Fact]
    public void Simplify_RandomTrees_KeepsValueAndNeverGrows()
    {
        var rng = new Random(11);
        var point = new Dictionary<string, double> { ["x1"] = 0.8, ["x2"] = 1.4, ["x3"] = 1.7 };
        var checkedCount = 0;
        for (var i = 0; i < 3000; i++)
        {
            var tree = FormulaTestData.AllOps.Tree(rng, rng.Next(0, 10));
            var simple = Simplifier.Simplify(tree);
            Assert.True(simple.Complexity <= tree.Complexity, $"{tree} grew to {simple}");
            var a = tree.Evaluate(v => point[v]);
            var b = simple.Evaluate(v => point[v]);
            if (double.IsFinite(a) && Math.Abs(a) < 1e6)
            {
                checkedCount++;
                Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a)), $"{tree} = {a} but {simple} = {b}");
            }
        }
        Assert.True(checkedCount > 1500);
    }
}
