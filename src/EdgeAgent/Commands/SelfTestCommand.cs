using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.Data.Sqlite;
using Microsoft.ML.OnnxRuntime;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Formulas;
using PvEdge.Shared.Onnx;

namespace PvEdge.EdgeAgent.Commands;

/// <summary><c>edgeagent selftest</c>: proves on the device itself that the native parts of the build load and compute: ONNX Runtime runs a
/// PVWatts formula exported by our ONNX writer and matches the same formula in managed code, and SQLite (the history and outbox engine)
/// opens, writes and reads. For installers after copying a build, and for the arm64 publish check.</summary>
public sealed class SelfTestCommand : ICliCommand
{
    /// <summary>PVWatts DC power of a 5 kWp array: the formula the module network distils to.</summary>
    private const string Formula = "5000 * g / 1000 * (1 + -0.0037 * (tc - 25))";

    private static readonly (double G, double Tc)[] Rows = [(1000, 25), (800, 45.5), (123.4, 5), (0, 60)];

    public string Name => "selftest";

    public string Usage => "selftest  checks that ONNX Runtime and SQLite load and compute on this machine, then exits (0 = all good)";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        args.RejectUnknown();
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"runtime: .NET {Environment.Version} on {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}"));
        var failures = 0;
        failures += Check(context, "onnxruntime", OnnxRuntime);
        failures += Check(context, "sqlite", Sqlite);
        context.Out.WriteLine(failures == 0 ? "selftest OK" : $"selftest FAILED ({failures} part(s))");
        return Task.FromResult(failures == 0 ? 0 : 1);
    }

    private static int Check(CliContext context, string part, Func<string> check)
    {
        try
        {
            context.Out.WriteLine($"{part}: {check()}");
            return 0;
        }
        catch (Exception ex) when (ex is OnnxRuntimeException or SqliteException or DllNotFoundException or TypeInitializationException or InvalidOperationException or EntryPointNotFoundException)
        {
            context.Error.WriteLine($"{part}: FAILED: {ex.GetBaseException().Message}");
            return 1;
        }
    }

    private static string OnnxRuntime()
    {
        var model = FormulaOnnx.ToModel(FormulaParser.Parse(Formula, ["g", "tc"]), ["g", "tc"]);
        var input = Rows.SelectMany(r => new[] { (float)r.G, (float)r.Tc }).ToArray();
        using var session = new InferenceSession(model);
        using var value = OrtValue.CreateTensorValueFromMemory(input, [Rows.Length, 2]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, ["x"], [value], session.OutputNames);
        var y = results[0].GetTensorDataAsSpan<float>();
        var worst = 0.0;
        for (var i = 0; i < Rows.Length; i++)
        {
            var expected = 5000 * Rows[i].G / 1000 * (1 - 0.0037 * (Rows[i].Tc - 25));
            var error = Math.Abs(y[i] - expected) / Math.Max(1, Math.Abs(expected));
            worst = Math.Max(worst, error);
        }
        if (worst > 1e-5)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"the PVWatts formula computed {worst:E2} relative off the managed result"));
        }
        return string.Create(CultureInfo.InvariantCulture,
            $"{OrtEnv.Instance().GetVersionString()} ran the PVWatts formula on {Rows.Length} rows, {y[1]:0.000} W at 800 W/m², 45.5 °C (max rel. error {worst:0.0E0})");
    }

    private static string Sqlite()
    {
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "CREATE TABLE t (v REAL); INSERT INTO t VALUES (1.5), (2.5); SELECT sqlite_version() || ' sum ' || SUM(v) FROM t;";
        return (string)cmd.ExecuteScalar()!;
    }
}
