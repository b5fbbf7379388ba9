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
/// the x64 build within 1e-4 relative. Slow (one publish, .NET under emulation): one test. ONNX Runtime reads the CPU topology from
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

        var hasForecast = CliHost.Discover(typeof(AgentHost).Assembly).Any(c => c.Name == Forecast);
        if (hasForecast)
        {
            string[] args = [Forecast, "--from", "2026-06-21T00:00:00Z", "--hours", "48", "--json"];
            var arm = Arm(args);
            var x64 = X64(args);
            Assert.True(arm.ExitCode == 0 && x64.ExitCode == 0, $"forecast: arm64 exit {arm.ExitCode} ({arm.Error}), x64 exit {x64.ExitCode} ({x64.Error})");
            var worst = 0.0;
            var numbers = 0;
            using (var a = JsonDocument.Parse(arm.Out))
            using (var b = JsonDocument.Parse(x64.Out))
            {
                Compare(a.RootElement, b.RootElement, "$", ref worst, ref numbers);
            }
            Assert.True(numbers > 48, $"the forecast JSON holds only {numbers} numbers");
            Assert.True(worst <= 1e-4, $"arm64 and x64 forecasts differ by {worst:E2} relative");
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forecast: {numbers} numbers, largest arm64/x64 relative difference {worst:E2}"));
        }
        _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"arm64 check: publish {publishS:0} s, total {total.Elapsed.TotalSeconds:0} s{(hasForecast ? "" : "; no forecast command in this build, forecast not compared")}"));
    }

    /// <summary>Walks two JSON values in step: same shape and strings, numbers within 1e-4 relative (tracks the largest difference).</summary>
    private static void Compare(JsonElement a, JsonElement b, string path, ref double worst, ref int numbers)
    {
        Assert.True(a.ValueKind == b.ValueKind, $"{path}: {a.ValueKind} on arm64, {b.ValueKind} on x64");
        switch (a.ValueKind)
        {
            case JsonValueKind.Object:
                var names = a.EnumerateObject().Select(p => p.Name).ToList();
                Assert.Equal(names, b.EnumerateObject().Select(p => p.Name).ToList());
                foreach (var n in names)
                {
                    Compare(a.GetProperty(n), b.GetProperty(n), $"{path}.{n}", ref worst, ref numbers);
                }
                break;
            case JsonValueKind.Array:
                Assert.True(a.GetArrayLength() == b.GetArrayLength(), $"{path}: {a.GetArrayLength()} items on arm64, {b.GetArrayLength()} on x64");
                for (var i = 0; i < a.GetArrayLength(); i++)
                {
                    Compare(a[i], b[i], $"{path}[{i}]", ref worst, ref numbers);
                }
                break;
            case JsonValueKind.Number:
                var x = a.GetDouble();
                var y = b.GetDouble();
                var scale = Math.Max(Math.Abs(x), Math.Abs(y));
                var rel = scale < 1e-9 ? 0 : Math.Abs(x - y) / scale;
                worst = Math.Max(worst, rel);
                numbers++;
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
