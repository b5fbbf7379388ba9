namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>The faults the anomaly stage has open (outage, inverter fault, string loss, underperformance), for what must not learn
/// from them: the nightly re-tuning waits while one is open, or a fault that lasts would become the model's idea of normal within a
/// week (a string lost for 7 of the 14 days learnt from: the re-tuned model then expected 73 % of the healthy plant's energy, and at
/// 70 % the underperformance check lets go).</summary>
public sealed class OpenFaults
{
    /// <summary>The event types that say the plant itself is not producing as it should.</summary>
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
        { AnomalyTypes.Outage, AnomalyTypes.InverterFault, AnomalyTypes.MpptImbalance, AnomalyTypes.Underperformance };

    /// <summary>Daylight the anomaly stage must have judged since the agent started before its open faults say everything: a fault
    /// that began while the agent was down shows only once the sun is up (events open before the restart are taken up at once).</summary>
    public const double WatchedMinutes = 60;

    private volatile IReadOnlyList<AnomalyEvent> _events = [];
    private double _judgedMinutes;

    /// <summary>The open faults, oldest first.</summary>
    public IReadOnlyList<AnomalyEvent> Events => _events;

    /// <summary>True once the anomaly stage has judged <see cref="WatchedMinutes"/> of daylight since the start.</summary>
    public bool Watched => Volatile.Read(ref _judgedMinutes) >= WatchedMinutes;

    /// <summary>Takes the anomaly stage's open events (the faults among them) and the daylight it has judged since the start.</summary>
    public void Update(IEnumerable<AnomalyEvent> open, double judgedMinutes)
    {
        ArgumentNullException.ThrowIfNull(open);
        _events = [.. open.Where(e => e.Open && Types.Contains(e.Type)).OrderBy(e => e.StartUtc)];
        Volatile.Write(ref _judgedMinutes, judgedMinutes);
    }
}
