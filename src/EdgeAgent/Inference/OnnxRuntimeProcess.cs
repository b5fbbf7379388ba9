using System.Globalization;
using System.Runtime.InteropServices;

namespace PvEdge.EdgeAgent.Inference;

/// <summary>What the agent does once per process around ONNX Runtime (Linux):
/// <list type="bullet">
/// <item>before it loads: <c>ORT_DISABLE_TELEMETRY=1</c> in the native environment, so ONNX Runtime (1.29+ on POSIX) starts no telemetry
/// uploader, writes no device id and no offline cache under ~/.cache: a gateway talks to its own broker only. It must be the C
/// library's environment: .NET's <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach native code on Unix.</item>
/// <item>after the first session: its code pages touched only while registering every CPU kernel (about 15 MB of clean, file-backed
/// text) are handed back with <c>madvise(MADV_PAGEOUT)</c>; the few the chain uses fault back in from the page cache on the next run.
/// The kernel would drop them under memory pressure anyway; this keeps the resident set what the agent really uses. The C heap's free
/// pages left by building the session (graph optimisation, kernel lookup) are returned too (<c>malloc_trim</c>, glibc).</item>
/// </list></summary>
internal static partial class OnnxRuntimeProcess
{
    private const string Library = "libonnxruntime.so";
    private const int MadvPageout = 21;
    private static int _prepared;
    private static int _trimmed;

    /// <summary>Sets the native environment before ONNX Runtime initialises (idempotent; an explicit setting is kept).</summary>
    public static void Prepare()
    {
        if (Interlocked.Exchange(ref _prepared, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return;
        }
        _ = SetEnv("ORT_DISABLE_TELEMETRY", "1", 0);
    }

    /// <summary>Releases the library's resident code pages once, after the first session was created and run. Returns the kB released.</summary>
    public static long TrimOnce()
    {
        if (Interlocked.Exchange(ref _trimmed, 1) == 1 || !OperatingSystem.IsLinux())
        {
            return 0;
        }
        long released = 0;
        try
        {
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                // start-end perms offset dev inode path; only the library's non-writable mappings (code, constants: clean pages)
                var parts = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
                if (parts.Length < 6 || parts[1] is not ("r-xp" or "r--p") || !parts[5].EndsWith("/" + Library, StringComparison.Ordinal))
                {
                    continue;
                }
                var range = parts[0].Split('-');
                var start = ulong.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                var end = ulong.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (Madvise((nint)start, (nuint)(end - start), MadvPageout) == 0)
                {
                    released += (long)(end - start) / 1024;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException or EntryPointNotFoundException or DllNotFoundException)
        {
            // not Linux-like enough: nothing to release
        }
        Hosting.NativeHeap.Trim();
        return released;
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
