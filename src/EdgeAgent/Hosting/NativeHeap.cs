using System.Runtime.InteropServices;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The C library's heap (glibc): free pages left inside it by native code (SQLite, ONNX Runtime) stay resident until asked back.</summary>
internal static partial class NativeHeap
{
    /// <summary>Returns the heap's free pages to the kernel (<c>malloc_trim(0)</c>); false where the C library has no such call (musl, not Linux).</summary>
    public static bool Trim()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }
        try
        {
            _ = MallocTrim(0);
            return true;
        }
        catch (Exception ex) when (ex is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "malloc_trim")]
    private static partial int MallocTrim(nuint pad);
}
