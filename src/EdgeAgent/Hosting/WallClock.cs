namespace PvEdge.EdgeAgent.Hosting;

/// <summary>The clock of network timing (reconnect back-off, keep-alive checks). In the demo the plant clock runs faster
/// (<see cref="ScaledTimeProvider"/>) but a broker outage still lasts real seconds; tests give both a fake clock.</summary>
public sealed record WallClock(TimeProvider Time);
