namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The stages whose progress decides whether the agent is healthy.</summary>
public enum PipelineStage
{
    /// <summary>At least one reading source answered.</summary>
    Acquisition,
    /// <summary>An interval was committed to the SQLite history.</summary>
    Storage,
    /// <summary>A message reached the broker, or was spooled to the outbox while the broker is away.</summary>
    Publishing,
}

/// <summary>One stage's state: when it last made progress and whether it is overdue.</summary>
public readonly record struct StageHealth(PipelineStage Stage, DateTimeOffset LastProgressUtc, TimeSpan Silence, bool Healthy);

/// <summary>Where the stages report progress and the systemd watchdog asks whether to keep feeding. A stage is checked only after it
/// announced itself with <see cref="Expect"/> (a gateway without any reading source has no acquisition to wait for); from then on it is
/// healthy while its last progress (or the announcement) is younger than <see cref="MaxSilence"/>. Thread-safe, allocation-free reports.</summary>
public sealed class PipelineHealth
{
    /// <summary>Default silence allowed per stage: telemetry flows every minute, so five minutes of nothing is a hang, not a lull.</summary>
    public static readonly TimeSpan DefaultMaxSilence = TimeSpan.FromMinutes(5);

    private static readonly PipelineStage[] Stages = Enum.GetValues<PipelineStage>();
    private readonly long[] _lastTicks = new long[Stages.Length];
    private readonly TimeProvider _time;

    /// <param name="time">A real-time clock (the wall clock, never the demo's accelerated plant clock).</param>
    public PipelineHealth(TimeProvider time, TimeSpan? maxSilence = null)
    {
        _time = time;
        MaxSilence = maxSilence ?? DefaultMaxSilence;
        if (MaxSilence <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSilence), MaxSilence, "the allowed silence must be positive");
        }
    }

    public TimeSpan MaxSilence { get; }

    /// <summary>The stage exists on this gateway and is checked from now on (its first report is due within <see cref="MaxSilence"/>).</summary>
    public void Expect(PipelineStage stage) => Report(stage);

    /// <summary>The stage made progress now.</summary>
    public void Report(PipelineStage stage) => Volatile.Write(ref _lastTicks[(int)stage], _time.GetUtcNow().UtcTicks);

    /// <summary>True while every expected stage made progress within <see cref="MaxSilence"/>.</summary>
    public bool IsHealthy
    {
        get
        {
            var now = _time.GetUtcNow().UtcTicks;
            foreach (var stage in Stages)
            {
                var last = Volatile.Read(ref _lastTicks[(int)stage]);
                if (last != 0 && now - last > MaxSilence.Ticks)
                {
                    return false;
                }
            }
            return true;
        }
    }

    /// <summary>Every expected stage with its silence, for the systemd status line and logs.</summary>
    public List<StageHealth> Snapshot()
    {
        var now = _time.GetUtcNow();
        var list = new List<StageHealth>(Stages.Length);
        foreach (var stage in Stages)
        {
            var last = Volatile.Read(ref _lastTicks[(int)stage]);
            if (last == 0)
            {
                continue;
            }
            var at = new DateTimeOffset(last, TimeSpan.Zero);
            var silence = now - at;
            list.Add(new StageHealth(stage, at, silence, silence.Ticks <= MaxSilence.Ticks));
        }
        return list;
    }
}
