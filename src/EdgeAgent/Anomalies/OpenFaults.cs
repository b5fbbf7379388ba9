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

    private volatile IReadOnlyList<AnomalyEvent> _events = [];

    /// <summary>The open faults, oldest first.</summary>
    public IReadOnlyList<AnomalyEvent> Events => _events;

    /// <summary>Takes the anomaly stage's open events (the faults among them).</summary>
    public void Update(IEnumerable<AnomalyEvent> open)
    {
        ArgumentNullException.ThrowIfNull(open);
        _events = [.. open.Where(e => e.Open && Types.Contains(e.Type)).OrderBy(e => e.StartUtc)];
    }
}
