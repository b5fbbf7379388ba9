using System.Globalization;
using System.Text.Json;
using PvEdge.ModelExport.Commands;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Tests.Distillation;

public sealed class SrCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sr-cmd").FullName;

    public void Dispose() => Directory.Delete(_dir, true);

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var o = new StringWriter();
        var e = new StringWriter();
        var code = await CliHost.RunAsync("modelexport", args, [new SrCommand()], new CliContext(o, e, TimeProvider.System), CancellationToken.None);
        return (code, o.ToString(), e.ToString());
    }

    private string Csv(string name, string content)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, content);
        return path;
    }

    [Fact]
    public async Task Sr_LinearTable_WritesFormatsJsonWithParseableBest()
    {
        var lines = new List<string> { "x1,x2,y" };
        var rng = new Random(4);
        for (var i = 0; i < 200; i++)
        {
            var a = rng.NextDouble() * 4;
            var b = rng.NextDouble() * 4;
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{a},{b},{(3 * a) + b}"));
        }
        var csv = Csv("t.csv", string.Join('\n', lines));
        var output = Path.Combine(_dir, "out", "sr.json");
        var (code, stdout, err) = await Run("sr", "--csv", csv, "--target", "y", "--out", output, "--iterations", "10", "--seconds", "30", "--seed", "2", "--populations", "4");
        Assert.True(code == 0, err);
        Assert.Contains("y = ", stdout, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(output));
        var root = doc.RootElement;
        Assert.Equal("y", root.GetProperty("target").GetString());
        var best = root.GetProperty("best");
        var expr = FormulaParser.Parse(best.GetProperty("expression").GetString()!, ["x1", "x2"]);
        Assert.Equal(expr.Complexity, best.GetProperty("complexity").GetInt32());
        Assert.True(best.GetProperty("r2").GetDouble() > 0.999999);
        Assert.True(best.GetProperty("rmse").GetDouble() < 1e-3);
        Assert.True(root.GetProperty("pareto").GetArrayLength() >= 1);
    }

    [Theory]
    [InlineData("x1,y\n1,2\n3,oops\n", "y", ":3: column 'y': expected a finite number, got 'oops'")]
    [InlineData("x1,y\n1,2\n3,4\n", "z", ":1: no column 'z'")]
    [InlineData("x1,y\n1,2\n3\n", "y", ":3: expected 2 cells, found 1")]
    public async Task Sr_BadCsvOrTarget_ExitsTwoWithOneLine(string content, string target, string expected)
    {
        var csv = Csv("bad.csv", content);
        var (code, _, err) = await Run("sr", "--csv", csv, "--target", target, "--out", Path.Combine(_dir, "o.json"), "--iterations", "1");
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.Single(err.TrimEnd().Split('\n'));
    }

    [Fact]
    public async Task Sr_UnknownOperator_ExitsTwo()
    {
        var csv = Csv("ok.csv", "x1,y\n1,2\n3,4\n");
        var (code, _, err) = await Run("sr", "--csv", csv, "--target", "y", "--out", Path.Combine(_dir, "o.json"), "--operators", "+,erf");
        Assert.Equal(2, code);
        Assert.Contains("unknown operator 'erf'", err, StringComparison.Ordinal);
    }
}
