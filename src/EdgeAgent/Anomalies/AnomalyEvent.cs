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

    /// <summary>The open events of an anomaly/active payload (<see cref="ActivePayload"/>), as the agent stored it before a restart;
    /// an event that does not read back whole is left out, and a payload that is not one gives none.</summary>
    public static List<AnomalyEvent> ParseActive(string payload)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var list = new List<AnomalyEvent>();
        try
        {
            using var doc = JsonDocument.Parse(payload);
            if (!doc.RootElement.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array)
            {
                return list;
            }
            foreach (var e in events.EnumerateArray())
            {
                if (Parse(e) is { Open: true } open)
                {
                    list.Add(open);
                }
            }
        }
        catch (JsonException)
        {
        }
        return list;
    }

    // one event's fields, or null when one is missing or of the wrong kind
    private static AnomalyEvent? Parse(JsonElement e)
    {
        string? Text(string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        double? Number(JsonElement v) => v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;
        double? Field(string name) => e.TryGetProperty(name, out var v) ? Number(v) : null;
        DateTimeOffset? Time(string name) => DateTimeOffset.TryParse(Text(name), System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? t.ToUniversalTime() : null;
        if (e.ValueKind != JsonValueKind.Object || Text("id") is not { } id || Text("type") is not { } type || Text("severity") is not { } severity
            || Time("start") is not { } start || Field("expected_w") is not { } expected || Field("measured_w") is not { } measured
            || Field("energy_lost_kwh") is not { } lost)
        {
            return null;
        }
        var evidence = new Dictionary<string, double>(StringComparer.Ordinal);
        if (e.TryGetProperty("evidence", out var ev) && ev.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in ev.EnumerateObject())
            {
                if (Number(p.Value) is { } v)
                {
                    evidence[p.Name] = v;
                }
            }
        }
        return new AnomalyEvent(id, type, severity, Text("state") == "open", start, Time("end"), expected, measured, lost, evidence);
    }

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
