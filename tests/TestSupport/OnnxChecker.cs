using System.Diagnostics;

namespace PvEdge.TestSupport;

/// <summary>Runs <c>onnx.checker.check_model(model, full_check=True)</c> with Debian's python3-onnx on a model file.
/// Skips the calling test when python3-onnx is missing.</summary>
public static class OnnxChecker
{
    private const string Script =
        "import sys, onnx\n" +
        "for path in sys.argv[1:]:\n" +
        "    m = onnx.load(path)\n" +
        "    onnx.checker.check_model(m, full_check=True)\n" +
        "    print('ok ir', m.ir_version, 'opset', m.opset_import[0].version)\n";

    /// <summary>Returns the checker's output ("ok ir 8 opset 17"); throws with the checker's error when the model is invalid.</summary>
    public static string Check(string modelPath) => Check([modelPath]);

    /// <summary>Checks several models with one python process; returns one "ok ir 8 opset 17" line per model.</summary>
    public static string Check(IReadOnlyList<string> modelPaths)
    {
        var python = ExternalTools.RequirePythonModule("onnx", "python3-onnx");
        using var p = Process.Start(new ProcessStartInfo(python, ["-c", Script, .. modelPaths])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        })!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEnd();
        p.WaitForExit(60_000);
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"onnx.checker rejected {string.Join(", ", modelPaths)}: {stderr.Trim()}");
        }
        return stdout.Result.Trim();
    }

    /// <summary>Writes <paramref name="model"/> to a temporary file, checks it and deletes the file.</summary>
    public static string CheckBytes(byte[] model) => CheckBytes([model]);

    /// <summary>Writes the models to temporary files, checks them with one python process and deletes the files.</summary>
    public static string CheckBytes(IReadOnlyList<byte[]> models)
    {
        var paths = models.Select(m =>
        {
            var path = Path.Combine(Path.GetTempPath(), $"pvedge-check-{Guid.NewGuid():N}.onnx");
            File.WriteAllBytes(path, m);
            return path;
        }).ToList();
        try
        {
            return Check(paths);
        }
        finally
        {
            paths.ForEach(File.Delete);
        }
    }
}
