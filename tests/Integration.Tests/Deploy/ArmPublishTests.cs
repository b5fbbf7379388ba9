using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Shared.Cli;
using PvEdge.TestSupport;
using Xunit.Abstractions;

namespace PvEdge.Integration.Tests.Deploy;

/// <summary>The linux-arm64 build a Raspberry Pi runs: it publishes self-contained with ONNX Runtime's arm64 library, and under
/// qemu-aarch64-static it reports the same version, passes its self-test (ONNX Runtime and SQLite compute) and prints the same forecast as
/// the x64 build within 1e-4 relative: on the shipped bundle (models/default in the publish output) through ONNX Runtime, the issue's check,
/// and on the site's physics model. Slow (one publish, .NET under emulation): one test. ONNX Runtime reads the CPU topology from
/// /sys/devices/system/cpu and crashes on the x86 host's; the runs therefore happen in a private mount namespace whose cpu folder is a
/// tmpfs describing one core (needs root).</summary>
public sealed class ArmPublishTests : IDisposable
{
    private const string Forecast = "forecast";
    private readonly string _work = Directory.CreateTempSubdirectory("pvedge-arm64-").FullName;
    private readonly ITestOutputHelper _output;

    public ArmPublishTests(ITestOutputHelper output) => _output = output;

    /// <summary>Runs a command in a private mount namespace with the one-core CPU tree in place.</summary>
    private const string FakeCpuTree =
        "mount -t tmpfs pvedge-cpu /sys/devices/system/cpu && mkdir /sys/devices/system/cpu/cpu0 && " +
        "for f in possible present online; do echo 0 > /sys/devices/system/cpu/$f; done && exec \"$@\"";

    [SkippableFact]
    public void Publish_LinuxArm64_RunsUnderQemuLikeTheX64Build()
    {
        var qemu = ExternalTools.Require("qemu-aarch64-static", "qemu-user-static");
        var unshare = ExternalTools.Require("unshare", "util-linux");
        Skip.IfNot(File.Exists("/lib/ld-linux-aarch64.so.1") && File.Exists("/usr/lib/aarch64-linux-gnu/libstdc++.so.6"),
            "the arm64 C libraries are not installed (dpkg --add-architecture arm64; apt-get install libc6:arm64 libstdc++6:arm64 libicu72:arm64 libssl3:arm64 zlib1g:arm64); test skipped");
        Skip.IfNot(Environment.IsPrivilegedProcess, "mounting the one-core CPU tree for ONNX Runtime under qemu needs root; test skipped");
        var total = Stopwatch.StartNew();

        var output = Path.Combine(_work, "linux-arm64");
        var publish = ProcessRunner.Run("dotnet", ["publish", RepoPaths.InRepo("src/EdgeAgent/EdgeAgent.csproj"), "-r", "linux-arm64", "--self-contained",
            "-c", "Release", "-o", output, "-p:DebugType=none"], TimeSpan.FromMinutes(20), RepoPaths.Root);
        Assert.True(publish.ExitCode == 0, $"dotnet publish -r linux-arm64 failed: {publish.All}");
        var publishS = total.Elapsed.TotalSeconds;
        foreach (var lib in new[] { "libonnxruntime.so", "libe_sqlite3.so" })
        {
            var path = Path.Combine(output, lib);
            Assert.True(File.Exists(path), $"{lib} is missing from the publish output");
            Assert.Equal(183, ElfMachine(path)); // EM_AARCH64
        }
        Assert.Equal(183, ElfMachine(Path.Combine(output, "edgeagent")));
        // no Windows native libraries shipped to the Pi (ONNX Runtime's props used to add 17 MB of win-x64 DLLs)
        Assert.Empty(Directory.GetFiles(output, "onnxruntime*.dll"));

        ProcessResult Arm(params string[] args) => ProcessRunner.Run(unshare,
            ["--mount", "--propagation", "private", "sh", "-c", FakeCpuTree, "sh", qemu, Path.Combine(output, "edgeagent"), .. args], TimeSpan.FromMinutes(5));
        ProcessResult X64(params string[] args) => ProcessRunner.Run(AgentProcess.StartInfo(args), TimeSpan.FromMinutes(2));

        var version = Arm("--version");
        Assert.True(version.ExitCode == 0, $"--version under qemu: exit {version.ExitCode}: {version.All}");
        // Same product version (the "+commit" suffix differs when the tree changed between the two builds).
        Assert.Equal(X64("--version").Out.Trim().Split('+')[0], version.Out.Trim().Split('+')[0]);

        var selftest = Arm("selftest");
        Assert.True(selftest.ExitCode == 0, $"selftest under qemu: exit {selftest.ExitCode}: {selftest.All}");
        Assert.Contains("Arm64", selftest.Out, StringComparison.Ordinal);
        Assert.Contains("selftest OK", selftest.Out, StringComparison.Ordinal);
        _output.WriteLine(selftest.Out.Trim());

        Assert.Contains(CliHost.Discover(typeof(AgentHost).Assembly), c => c.Name == Forecast);
        // The shipped bundle: models/default as the publish carries it beside the program, and as the x64 build carries it beside its own.
        var armBundle = Path.Combine(output, "models", "default");
        var x64Bundle = Path.Combine(Path.GetDirectoryName(typeof(AgentHost).Assembly.Location)!, "models", "default");
        foreach (var file in Directory.GetFiles(RepoPaths.InRepo("models/default"), "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(RepoPaths.InRepo("models/default"), file);
            Assert.True(File.Exists(Path.Combine(armBundle, relative)), $"the publish output lacks the shipped bundle's {relative}");
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(armBundle, relative)));
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(Path.Combine(x64Bundle, relative)));
        }
        string modelId;
        using (var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(armBundle, "manifest.json"))))
        {
            modelId = manifest.RootElement.GetProperty("model_id").GetString()!;
        }
        string[] common = [Forecast, "--from", "2026-06-21T00:00:00Z", "--hours", "48", "--json"];
        // The bundle through ONNX Runtime (arm64's libonnxruntime.so under qemu), its signature checked against the shipped key. A bundle
        // that cannot be used is one "not usable" line and a physics forecast with exit 0: the model id and the error stream tell.
        var onnx = CompareForecasts("bundle models/default, runner onnx",
            Arm([.. common, "--bundle", armBundle, "--runner", "onnx", "--public-key", Path.Combine(output, "models", "default.pub")]),
            X64([.. common, "--bundle", x64Bundle, "--runner", "onnx", "--public-key", Path.Combine(x64Bundle, "..", "default.pub")]),
            modelId);
        // The same under the demo's clouds (seed 7): the graph also sees overcast and broken-cloud inputs, not only clear sky.
        string[] cloudy = [.. common, "--weather", "demo"];
        var onnxCloudy = CompareForecasts("bundle models/default, runner onnx, demo clouds",
            Arm([.. cloudy, "--bundle", armBundle, "--runner", "onnx"]), X64([.. cloudy, "--bundle", x64Bundle, "--runner", "onnx"]), modelId);
        // The site's physics chain (no bundle): managed code only, a cheap last comparison.
        var physics = CompareForecasts("physics model (no bundle)", Arm(common), X64(common), expectedModel: null);
        Assert.True(onnx.Worst <= 1e-4, $"arm64 and x64 forecasts on the shipped bundle (ONNX Runtime) differ by {onnx}");
        Assert.True(onnxCloudy.Worst <= 1e-4, $"arm64 and x64 forecasts on the shipped bundle (ONNX Runtime) under clouds differ by {onnxCloudy}");
        Assert.True(physics.Worst <= 1e-4, $"arm64 and x64 physics forecasts differ by {physics}");
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"arm64 check: publish {publishS:0} s, total {total.Elapsed.TotalSeconds:0} s"));
    }

    /// <summary>Compares one forecast printed by the arm64 build under qemu with the x64 build's, both --json, and writes the outcome.</summary>
    private Difference CompareForecasts(string label, ProcessResult arm, ProcessResult x64, string? expectedModel)
    {
        Assert.True(arm.ExitCode == 0 && x64.ExitCode == 0, $"forecast ({label}): arm64 exit {arm.ExitCode} ({arm.Error}), x64 exit {x64.ExitCode} ({x64.Error})");
        Assert.DoesNotContain("not usable", arm.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("not usable", x64.Error, StringComparison.Ordinal);
        var difference = new Difference();
        using (var a = JsonDocument.Parse(arm.Out))
        using (var b = JsonDocument.Parse(x64.Out))
        {
            if (expectedModel is not null)
            {
                Assert.Equal(expectedModel, a.RootElement.GetProperty("model").GetString());
            }
            Compare(a.RootElement, b.RootElement, "$", difference);
        }
        Assert.True(difference.Numbers > 48, $"the forecast JSON ({label}) holds only {difference.Numbers} numbers");
        _output.WriteLine($"forecast, {label}: {difference}");
        return difference;
    }

    /// <summary>The largest relative difference between two forecasts' numbers, where it is, and how many numbers were compared.</summary>
    private sealed class Difference
    {
        public double Worst { get; private set; }

        public int Numbers { get; private set; }

        public int Differing { get; private set; }

        private string _where = "";

        public void Add(string path, double arm, double x64)
        {
            Numbers++;
            var scale = Math.Max(Math.Abs(arm), Math.Abs(x64));
            var rel = scale < 1e-9 ? 0 : Math.Abs(arm - x64) / scale;
            if (arm != x64)
            {
                Differing++;
            }
            if (rel > Worst)
            {
                Worst = rel;
                _where = string.Create(CultureInfo.InvariantCulture, $"{path}: arm64 {arm}, x64 {x64}");
            }
        }

        /// <remarks>The payload rounds power to 0.1 W and energy to 1 Wh: "not identical" counts numbers that differ at that resolution.</remarks>
        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Numbers} numbers, {Differing} not identical as printed (0.1 W, 1 Wh), largest arm64/x64 relative difference {Worst:E2}{(_where.Length > 0 ? $" (at {_where})" : "")}");
    }

    /// <summary>Walks two JSON values in step: same shape and strings; the numbers' differences go to <paramref name="difference"/>.</summary>
    private static void Compare(JsonElement a, JsonElement b, string path, Difference difference)
    {
        Assert.True(a.ValueKind == b.ValueKind, $"{path}: {a.ValueKind} on arm64, {b.ValueKind} on x64");
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names, b.EnumerateObject().Select(p => p.Name).ToList());
                foreach (var n in names)
                {
                    Compare(a.GetProperty(n), b.GetProperty(n), $"{path}.{n}", difference);
                }
                break;
            case JsonValueKind.Array:
                Assert.True(a.GetArrayLength() == b.GetArrayLength(), $"{path}: {a.GetArrayLength()} items on arm64, {b.GetArrayLength()} on x64");
                for (var i = 0; i < a.GetArrayLength(); i++)
                {
                    Compare(a[i], b[i], $"{path}[{i}]", difference);
                }
                break;
            case JsonValueKind.Number:
                difference.Add(path, a.GetDouble(), b.GetDouble());
                break;
            default:
                Assert.True(a.ToString() == b.ToString(), $"{path}: '{a}' on arm64, '{b}' on x64");
                break;
        }
    }

    /// <summary>e_machine of an ELF file (183 = AArch64, 62 = x86-64).</summary>
    private static int ElfMachine(string path)
    {
        Span<byte> header = stackalloc byte[20];
        using var f = File.OpenRead(path);
        f.ReadExactly(header);
        Assert.True(header[0] == 0x7F && header[1] == (byte)'E' && header[2] == (byte)'L' && header[3] == (byte)'F', $"{path} is not an ELF file");
        return header[18] | (header[19] << 8);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);
}
