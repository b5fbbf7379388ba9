using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;

namespace PvEdge.Shared.Tests.Formulas;

public class FormulaParserTests
{
    [Theory]
    [InlineData("x1 * cos(x2) + 0.5")]
    [InlineData("a - (b - c)")]
    [InlineData("a / (b * c)")]
    [InlineData("a^b^c")]
    [InlineData("(a^b)^c")]
    [InlineData("-a^2")]
    [InlineData("(-2)^a")]
    [InlineData("a^(-2)")]
    [InlineData("x - -2")]
    [InlineData("--x")]
    [InlineData("-(a + b) * c")]
    [InlineData("min(a, max(b, 1E-05)) + exp(log(sqrt(abs(tan(tanh(sin(cos(z_1.a))))))))")]
    [InlineData("0.1 + 0.30000000000000004 * 1.7976931348623157E+308")]
    public void Parse_PrintedText_ReparsesToEqualTree(string text)
    {
        var tree = FormulaParser.Parse(text);
        var printed = tree.ToString();
        Assert.Equal(tree, FormulaParser.Parse(printed));
        Assert.Equal(printed, FormulaParser.Parse(printed).ToString());
    }

    [Fact]
    public void Parse_Precedence_FollowsConventionalRules()
    {
        Assert.Equal(Expr.Var("a") + (Expr.Var("b") * Expr.Var("c")), FormulaParser.Parse("a + b * c"));
        Assert.Equal((Expr.Var("a") - Expr.Var("b")) - Expr.Var("c"), FormulaParser.Parse("a - b - c"));
        Assert.Equal(-new Binary(BinaryOp.Pow, Expr.Var("a"), Expr.Const(2)), FormulaParser.Parse("-a^2"));
        Assert.Equal(new Binary(BinaryOp.Pow, Expr.Var("a"), new Binary(BinaryOp.Pow, Expr.Var("b"), Expr.Var("c"))), FormulaParser.Parse("a^b^c"));
        Assert.Equal(Expr.Const(-2.5) * Expr.Var("x"), FormulaParser.Parse("-2.5 * x"));
        Assert.Equal(0.001, Assert.IsType<Constant>(FormulaParser.Parse("1e-3")).Value);
    }

    [Fact]
    public void Parse_RandomTrees_RoundTripExactly()
    {
        var rng = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var tree = FormulaTestData.AllOps.Tree(rng, rng.Next(0, 12));
            // Constants with many digits test the "R" format.
            tree = tree.WithConstants(tree.Constants().Select(c => c * Math.PI * 1e-7 * Math.Pow(10, rng.Next(0, 14))).ToArray());
            var canonical = FormulaParser.Parse(tree.ToString());
            var again = FormulaParser.Parse(canonical.ToString());
            Assert.Equal(canonical, again);
            Assert.Equal(canonical.ToString(), again.ToString());
            // Printing loses nothing numerically either.
            var point = new Dictionary<string, double> { ["x1"] = 0.7, ["x2"] = 1.3, ["x3"] = 1.9 };
            var a = tree.Evaluate(v => point[v]);
            var b = canonical.Evaluate(v => point[v]);
            Assert.True(a.Equals(b) || Math.Abs(a - b) <= 1e-12 * Math.Abs(a), $"{tree}: {a} vs {b}");
        }
    }

    [Theory]
    [InlineData("x1 + ", 6, "ended")]
    [InlineData("x1 * (x2 + 1", 13, "expected ')'")]
    [InlineData("foo(x)", 1, "unknown function 'foo'")]
    [InlineData("x1 $ 2", 4, "unexpected '$'")]
    [InlineData("max(x1)", 7, "expected ','")]
    public void Parse_BadText_ThrowsInputExceptionWithColumn(string text, int column, string what)
    {
        var ex = Assert.Throws<InputException>(() => FormulaParser.Parse(text, "sr.json: best"));
        Assert.Contains($"column {column}:", ex.Message, StringComparison.Ordinal);
        Assert.Contains(what, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("sr.json: best", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void Parse_UnknownColumn_NamesVariableAndColumn()
    {
        var ex = Assert.Throws<InputException>(() => FormulaParser.Parse("x1 + temp_c", ["x1", "x2"]));
        Assert.Contains("column 6", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'temp_c'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Complexity_CountsNodes()
    {
        Assert.Equal(6, FormulaParser.Parse("x1 * cos(x2) + 0.5").Complexity);
        Assert.Equal(1, FormulaParser.Parse("-3").Complexity);
        Assert.Equal(4, FormulaParser.Parse("-(x + y)").Complexity);
    }

    [Fact]
    public void ReplaceAt_NodeAt_UsePreOrderIndices()
    {
        var e = FormulaParser.Parse("x1 * cos(x2) + 0.5");
        var nodes = e.PreOrder().ToList();
        for (var i = 0; i < nodes.Count; i++)
        {
            Assert.Same(nodes[i], e.NodeAt(i));
        }
        Assert.Equal("x1 * sin(x2) + 0.5", e.ReplaceAt(3, FormulaParser.Parse("sin(x2)")).ToString());
        Assert.Equal("x1 * cos(x3) + 0.5", e.ReplaceAt(4, Expr.Var("x3")).ToString());
        Assert.Equal("x1 * cos(x2) + 2", e.WithConstants([2.0]).ToString());
    }
}
