namespace PvEdge.EdgeAgent.Demo;

/// <summary>A clock set by hand, for offline evaluations that step through simulated time as fast as they can compute.</summary>
public sealed class ManualClock : TimeProvider
{
    public ManualClock(DateTimeOffset startUtc)
    {
        UtcNow = startUtc;
    }

    public DateTimeOffset UtcNow { get; set; }

    public override DateTimeOffset GetUtcNow() => UtcNow;
}
