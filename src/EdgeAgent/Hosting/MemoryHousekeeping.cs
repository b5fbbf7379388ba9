using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace PvEdge.EdgeAgent.Hosting;

/// <summary>Keeps a long-running gateway's resident memory near what it really holds (about 5 MB of live objects). Without it the
/// heap's older generation only grows by promotion between the rare full collections, and the GC keeps the regions it has
/// committed: the demo's resident set climbed about 1 MB a minute and fell back only when a full collection came (seen over an hour
/// at speed 60). Every <see cref="Period"/> of wall time: one blocking, compacting full collection that gives free regions back to
/// the system (<see cref="GCCollectionMode.Aggressive"/>; a few milliseconds on this heap), then the C heap's free pages
/// (<see cref="NativeHeap.Trim"/>).</summary>
public sealed partial class MemoryHousekeeping : BackgroundService
{
    public static readonly TimeSpan Period = TimeSpan.FromMinutes(2);
    private readonly TimeProvider _time;
    private readonly ILogger<MemoryHousekeeping> _logger;

    public MemoryHousekeeping(WallClock wall, ILogger<MemoryHousekeeping> logger)
    {
        ArgumentNullException.ThrowIfNull(wall);
        _time = wall.Time;
        _logger = logger;
        _next = _time.GetUtcNow() + Period;
    }

    private DateTimeOffset _next;

    /// <summary>Rounds done since start.</summary>
    public int Rounds { get; private set; }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // a fixed cadence from construction (the loop may start a little later on its own thread)
                var wait = _next - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, stoppingToken).ConfigureAwait(false);
                }
                // the next round one period on; after a long stall (a suspended machine), one period from now rather than a burst of rounds
                _next = _next + Period > _time.GetUtcNow() ? _next + Period : _time.GetUtcNow() + Period;
                var before = GC.GetGCMemoryInfo().TotalCommittedBytes;
                Collect();
                Rounds++;
                LogRound(_logger, before / 1024, GC.GetGCMemoryInfo().TotalCommittedBytes / 1024);
            }
        }
        catch (OperationCanceledException)
        {
            // stopping
        }
    }

    /// <summary>One round: the compacting full collection and the C heap's trim.</summary>
    public static void Collect()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        NativeHeap.Trim();
    }

    [LoggerMessage(120, LogLevel.Debug, "memory housekeeping: GC committed {BeforeKb} kB -> {AfterKb} kB")]
    private static partial void LogRound(ILogger logger, long beforeKb, long afterKb);
}
