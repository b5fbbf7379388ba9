using System.Diagnostics;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The wall-clock instant the process started (set first thing in Program), for the time-to-first-forecast figure.</summary>
public static class ProcessClock
{
    public static long StartTimestamp { get; set; } = Stopwatch.GetTimestamp();

    public static TimeSpan SinceStart => Stopwatch.GetElapsedTime(StartTimestamp);
}
