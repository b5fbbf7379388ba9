using System.Runtime.InteropServices;

namespace PvEdge.Benchmarks.Physics;

/// <summary>CPU time consumed by the calling thread (Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>), in nanoseconds resolution.
/// On a machine shared by many processes, wall-clock benchmarks mostly measure the others; this measures our work.</summary>
internal static partial class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    /// <summary>Thread CPU time in milliseconds, or NaN where the clock is unavailable (not Linux).</summary>
    public static double NowMs()
    {
        if (!OperatingSystem.IsLinux() || ClockGetTime(ClockThreadCpuTimeId, out var t) != 0)
        {
            return double.NaN;
        }
        return t.Seconds * 1e3 + t.Nanoseconds / 1e6;
    }
}
