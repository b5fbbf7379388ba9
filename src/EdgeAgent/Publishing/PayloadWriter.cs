using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using PvEdge.EdgeAgent.Acquisition;

namespace PvEdge.EdgeAgent.Publishing;

/// <summary>Writes the JSON payloads of formats.md (schema 1): every payload carries "schema", "gateway" and "ts" (UTC, Z).</summary>
public static class PayloadWriter
{
    public const int Schema = 1;

    public static string Timestamp(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Builds a payload: the header, then the caller's fields.</summary>
    public static string Build(string gateway, DateTimeOffset tsUtc, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("schema", Schema);
            w.WriteString("gateway", gateway);
            w.WriteString("ts", Timestamp(tsUtc));
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Writes a number, or null for a missing value (never zero).</summary>
    public static void WriteNumberOrNull(Utf8JsonWriter w, string name, double? value, int decimals = 3)
    {
        if (value is { } v && double.IsFinite(v))
        {
            w.WriteNumber(name, Math.Round(v, decimals));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>The telemetry id: unique per gateway and interval, so a consumer can drop replayed duplicates.</summary>
    public static string TelemetryId(string gateway, IntervalRecord record) => $"{gateway}-t{record.Step.TotalSeconds:0}-{record.StartUtc.ToUnixTimeSeconds()}";

    /// <summary>Telemetry of one interval: every quantity with its value (null when missing) and quality flag.</summary>
    public static string Telemetry(string gateway, IntervalRecord record, DateTimeOffset tsUtc) => Build(gateway, tsUtc, w =>
    {
        w.WriteString("id", TelemetryId(gateway, record));
        w.WriteString("start", Timestamp(record.StartUtc));
        w.WriteString("end", Timestamp(record.EndUtc));
        w.WriteNumber("interval_s", (int)record.Step.TotalSeconds);
        w.WriteStartObject("readings");
        foreach (var (q, v) in record.Values)
        {
            w.WriteStartObject(q);
            WriteNumberOrNull(w, "value", v);
            w.WriteString("quality", v is null ? "missing" : "good");
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });
}
