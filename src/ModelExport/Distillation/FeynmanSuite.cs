using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Distillation;

/// <summary>One benchmark equation: id, the true formula in our grammar and the uniform sampling range of each variable.</summary>
public sealed record BenchEquation(string Id, Expr Formula, IReadOnlyList<(string Name, double Low, double High)> Ranges)
{
    /// <summary><paramref name="rows"/> uniform samples of the variables with the formula's exact value as target.</summary>
    public SrDataset Sample(int rows, int seed)
    {
        var rng = new Random(seed);
        var names = Ranges.Select(r => r.Name).ToList();
        var cols = new double[names.Count * rows];
        for (var j = 0; j < names.Count; j++)
        {
            var (_, lo, hi) = Ranges[j];
            for (var i = 0; i < rows; i++)
            {
                cols[(j * rows) + i] = lo + ((hi - lo) * rng.NextDouble());
            }
        }
        var y = new double[rows];
        FormulaProgram.Compile(Formula, names).Evaluate<double>(cols, rows, y);
        return new SrDataset(names, cols, y);
    }
}

/// <summary>Outcome of one equation: the chosen formula and its R² on fresh samples.</summary>
public sealed record BenchOutcome(string Id, string Truth, string Found, int Complexity, double FreshR2, double FreshMaxRelativeError, bool Recovered, double Seconds);

/// <summary>Symbolic-regression recovery benchmark over equations such as the AI Feynman database.
/// <para>Criterion: an equation counts as recovered when the chosen formula reaches R² &gt; 1 − 1e-10 <b>and</b> a maximal
/// relative error ≤ 1e-6 on <see cref="FreshRows"/> fresh samples drawn from the same ranges with another seed (never
/// seen by the search). A right structure with constants off by 1e-3 relative fails both, so the criterion is at least
/// as strict as "equivalent up to constants within 1e-3"; the error bound also rejects numerical look-alikes (a distance
/// built from cosines of tiny angles reached R² = 1 − 6e-16 with a 1.5e-4 relative error).</para></summary>
public static class FeynmanSuite
{
    public const int FreshRows = 10_000;

    public const double RecoveryR2 = 1 - 1e-10;

    public const double RecoveryMaxRelativeError = 1e-6;

    /// <summary>Reads <c>{ "equations": [ { "id", "formula", "variables": { "name": { "low", "high" } } } ] }</c>.</summary>
    public static IReadOnlyList<BenchEquation> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (!doc.RootElement.TryGetProperty("equations", out var eqs) || eqs.ValueKind != JsonValueKind.Array)
        {
            throw InputException.InFile(path, "expected an \"equations\" array");
        }
        var list = new List<BenchEquation>();
        var k = 0;
        foreach (var e in eqs.EnumerateArray())
        {
            var where = $"equations[{k++}]";
            var id = e.TryGetProperty("id", out var idEl) ? idEl.GetString() ?? where : where;
            if (!e.TryGetProperty("formula", out var f) || f.GetString() is not { } text)
            {
                throw InputException.InFile(path, $"{where}.formula: expected a string");
            }
            var ranges = new List<(string, double, double)>();
            foreach (var v in e.GetProperty("variables").EnumerateObject())
            {
                ranges.Add((v.Name, v.Value.GetProperty("low").GetDouble(), v.Value.GetProperty("high").GetDouble()));
            }
            var formula = FormulaParser.Parse(text, ranges.Select(r => r.Item1).ToList(), $"{path}: {where}.formula");
            list.Add(new BenchEquation(id, formula, ranges));
        }
        return list;
    }

    /// <summary>Runs the search on one equation (noise 0) and judges the chosen formula on fresh samples.</summary>
    public static BenchOutcome Run(BenchEquation eq, SrOptions options, int rows, TimeProvider? time = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(eq);
        ArgumentNullException.ThrowIfNull(options);
        var train = eq.Sample(rows, unchecked((options.Seed * 31) + 1));
        var result = SymbolicRegression.Fit(train, options, time, ct);
        var fresh = eq.Sample(FreshRows, options.Seed + 977);
        var prediction = new double[fresh.Rows];
        FormulaProgram.Compile(result.Best.Expression, fresh.Variables).Evaluate<double>(fresh.Columns, fresh.Rows, prediction);
        var sse = 0.0;
        var maxRel = 0.0;
        for (var i = 0; i < fresh.Rows; i++)
        {
            var d = prediction[i] - fresh.Target[i];
            sse += d * d;
            maxRel = Math.Max(maxRel, Math.Abs(d) / Math.Max(Math.Abs(fresh.Target[i]), 1e-12));
        }
        var r2 = double.IsFinite(sse) && fresh.Variance > 0 ? 1 - (sse / fresh.Rows / fresh.Variance) : double.NegativeInfinity;
        if (double.IsNaN(maxRel))
        {
            maxRel = double.PositiveInfinity;
        }
        return new BenchOutcome(eq.Id, eq.Formula.ToString(), result.Best.Expression.ToString(), result.Best.Complexity, r2, maxRel,
            r2 > RecoveryR2 && maxRel <= RecoveryMaxRelativeError, result.Elapsed.TotalSeconds);
    }

    public static string Format(BenchOutcome o) => string.Create(CultureInfo.InvariantCulture,
        $"{o.Id,-10} {(o.Recovered ? "recovered" : "missed   ")} 1-R2={1 - o.FreshR2:E1} maxrel={o.FreshMaxRelativeError:E1} c={o.Complexity,2} {o.Seconds,5:F1}s  {o.Found}   [truth: {o.Truth}]");
}
