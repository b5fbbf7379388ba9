using System.Text.Json;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Anomalies;

/// <summary>The anomaly types of formats.md.</summary>
public static class AnomalyTypes
{
    public const string Outage = "outage";
    public const string Underperformance = "underperformance";
    public const string MpptImbalance = "mppt_imbalance";
    public const string Clipping = "clipping";
    public const string SensorStuck = "sensor_stuck";
    public const string SensorOutOfRange = "sensor_out_of_range";
    public const string CommunicationLost = "communication_lost";
    public const string InverterFault = "inverter_fault";
    public const string Degradation = "degradation";
}

/// <summary>One anomaly event as published on the anomaly topic. <see cref="EndUtc"/> is null while open.
/// Expected and measured are means over the event so far; energy lost is integrated.</summary>
public sealed record AnomalyEvent(
    string Id,
    string Type,
    string Severity,
    bool Open,
    DateTimeOffset StartUtc,
    DateTimeOffset? EndUtc,
    double ExpectedW,
    double MeasuredW,
    double EnergyLostKwh,
    IReadOnlyDictionary<string, double> Evidence)
{
    /// <summary>The fields of the event, written into an open JSON object.</summary>
    public void WriteFields(Utf8JsonWriter w)
    {
        w.WriteString("id", Id);
        w.WriteString("type", Type);
        w.WriteString("severity", Severity);
        w.WriteString("state", Open ? "open" : "closed");
        w.WriteString("start", PayloadWriter.Timestamp(StartUtc));
        if (EndUtc is { } end)
        {
            w.WriteString("end", PayloadWriter.Timestamp(end));
        }
        else
        {
            w.WriteNull("end");
        }
        w.WriteNumber("expected_w", Math.Round(ExpectedW, 1));
        w.WriteNumber("measured_w", Math.Round(MeasuredW, 1));
        w.WriteNumber("energy_lost_kwh", Math.Round(EnergyLostKwh, 4));
        w.WriteStartObject("evidence");
        foreach (var (k, v) in Evidence)
        {
            PayloadWriter.WriteNumberOrNull(w, k, v, 4);
        }
        w.WriteEndObject();
    }

    /// <summary>The payload of the anomaly topic.</summary>
    public string ToPayload(string gateway, DateTimeOffset tsUtc) => PayloadWriter.Build(gateway, tsUtc, WriteFields);

    /// <summary>The payload of the retained anomaly/active topic: the list of open events.</summary>
    public static string ActivePayload(string gateway, DateTimeOffset tsUtc, IEnumerable<AnomalyEvent> open) => PayloadWriter.Build(gateway, tsUtc, w =>
    {
        w.WriteStartArray("events");
        foreach (var e in open)
        {
            w.WriteStartObject();
            e.WriteFields(w);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });
}
