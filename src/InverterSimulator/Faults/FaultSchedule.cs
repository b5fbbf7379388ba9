using System.Globalization;
using System.Text.Json;
using PvEdge.Shared.Cli;

namespace PvEdge.InverterSimulator.Faults;

/// <summary>Kinds of fault the simulator can inject.</summary>
public enum FaultKind
{
    /// <summary>MPPT 2's string is disconnected: its DC power, current and voltage are zero, AC drops with it.</summary>
    Mppt2Outage,
    /// <summary>The inverter reports FAULT and produces nothing.</summary>
    InverterFault,
    /// <summary>The inverter derates to <see cref="Fault.LimitPct"/> % of its rating and reports THROTTLED.</summary>
    Throttle,
    /// <summary>A met-station value stops changing (<see cref="Fault.Sensor"/>: poa, ghi, temp_module, temp_air, wind or all).</summary>
    FrozenSensor,
    /// <summary>No Modbus reply at all.</summary>
    CommStall,
    /// <summary>Replies are corrupt (bad byte count on TCP, bad CRC on RTU).</summary>
    MalformedReplies,
    /// <summary>The grid or the AC breaker is off: no AC and no DC power, the inverter reports OFF (not FAULT), values still answer.</summary>
    Outage,
    /// <summary>The array loses <see cref="Fault.RatePctPerYear"/> % of its power per year from Start (linearly; nothing at Start), until End.</summary>
    Degradation,
}

/// <summary>One scheduled fault, active for simulated time in [Start, End).</summary>
public sealed record Fault(FaultKind Kind, DateTimeOffset Start, DateTimeOffset End, double LimitPct = 100, string Sensor = "all", double RatePctPerYear = 0)
{
    public bool IsActive(DateTimeOffset timeUtc) => timeUtc >= Start && timeUtc < End;

    /// <summary>For a degradation fault: the share of the power left at <paramref name="timeUtc"/> (1 at Start).</summary>
    public double RemainingShare(DateTimeOffset timeUtc) => Math.Max(0, 1 - RatePctPerYear / 100 * (timeUtc - Start).TotalDays / 365.25);
}

/// <summary>A fault schedule read from JSON:
/// <c>{ "faults": [ { "type": "throttle", "start": "2026-06-01T12:00:00Z", "end": "2026-06-01T13:00:00Z", "limit_pct": 50 } ] }</c>.
/// Types: mppt2_outage, inverter_fault, throttle (limit_pct), frozen_sensor (sensor), comm_stall, malformed_replies, outage,
/// degradation (rate_pct_per_year).</summary>
public sealed record FaultSchedule(IReadOnlyList<Fault> Faults)
{
    public static FaultSchedule None { get; } = new([]);

    private static readonly Dictionary<string, FaultKind> Names = new(StringComparer.Ordinal)
    {
        ["mppt2_outage"] = FaultKind.Mppt2Outage,
        ["inverter_fault"] = FaultKind.InverterFault,
        ["throttle"] = FaultKind.Throttle,
        ["frozen_sensor"] = FaultKind.FrozenSensor,
        ["comm_stall"] = FaultKind.CommStall,
        ["malformed_replies"] = FaultKind.MalformedReplies,
        ["outage"] = FaultKind.Outage,
        ["degradation"] = FaultKind.Degradation,
    };

    /// <summary>The file name of a kind ("mppt2_outage"...).</summary>
    public static string NameOf(FaultKind kind) => Names.First(kv => kv.Value == kind).Key;

    /// <summary>The schedule as the JSON that <see cref="Parse"/> reads.</summary>
    public string ToJson()
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("faults");
            foreach (var f in Faults)
            {
                w.WriteStartObject();
                w.WriteString("type", NameOf(f.Kind));
                w.WriteString("start", f.Start.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                w.WriteString("end", f.End.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                switch (f.Kind)
                {
                    case FaultKind.Throttle:
                        w.WriteNumber("limit_pct", f.LimitPct);
                        break;
                    case FaultKind.FrozenSensor:
                        w.WriteString("sensor", f.Sensor);
                        break;
                    case FaultKind.Degradation:
                        w.WriteNumber("rate_pct_per_year", f.RatePctPerYear);
                        break;
                }
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static readonly string[] Sensors = ["all", "poa", "ghi", "temp_module", "temp_air", "wind"];

    public Fault? Active(FaultKind kind, DateTimeOffset timeUtc) => Faults.FirstOrDefault(f => f.Kind == kind && f.IsActive(timeUtc));

    public static FaultSchedule Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw InputException.InFile(path, "cannot read: " + ex.Message);
        }
        return Parse(text, path);
    }

    public static FaultSchedule Parse(string json, string file)
    {
        using (var doc = JsonInput.Parse(json, file))
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("faults", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                throw InputException.InFile(file, "faults: expected an array of faults");
            }
            var faults = new List<Fault>();
            var i = 0;
            foreach (var f in list.EnumerateArray())
            {
                var where = $"faults[{i++}]";
                var type = Text(f, "type", file, where);
                if (!Names.TryGetValue(type, out var kind))
                {
                    throw InputException.InFile(file, $"{where}.type: expected one of {string.Join(", ", Names.Keys)}, got '{type}'");
                }
                var start = Time(f, "start", file, where);
                var end = Time(f, "end", file, where);
                if (end <= start)
                {
                    throw InputException.InFile(file, $"{where}.end: must be after start");
                }
                var limit = 100.0;
                if (kind == FaultKind.Throttle)
                {
                    if (!f.TryGetProperty("limit_pct", out var l) || l.ValueKind != JsonValueKind.Number || (limit = l.GetDouble()) is < 0 or > 100)
                    {
                        throw InputException.InFile(file, $"{where}.limit_pct: expected a number in [0, 100]");
                    }
                }
                var sensor = "all";
                if (kind == FaultKind.FrozenSensor && f.TryGetProperty("sensor", out var s))
                {
                    sensor = s.ValueKind == JsonValueKind.String ? s.GetString()! : "";
                    if (!Sensors.Contains(sensor))
                    {
                        throw InputException.InFile(file, $"{where}.sensor: expected one of {string.Join(", ", Sensors)}, got '{sensor}'");
                    }
                }
                var rate = 0.0;
                if (kind == FaultKind.Degradation
                    && (!f.TryGetProperty("rate_pct_per_year", out var r) || r.ValueKind != JsonValueKind.Number || (rate = r.GetDouble()) is <= 0 or > 100))
                {
                    throw InputException.InFile(file, $"{where}.rate_pct_per_year: expected a number in (0, 100]");
                }
                faults.Add(new Fault(kind, start, end, limit, sensor, rate));
            }
            return new FaultSchedule(faults);
        }
    }

    private static string Text(JsonElement e, string key, string file, string where) =>
        e.TryGetProperty(key, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s
            ? s
            : throw InputException.InFile(file, $"{where}.{key}: expected a non-empty string");

    private static DateTimeOffset Time(JsonElement e, string key, string file, string where)
    {
        var text = Text(e, key, file, where);
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) || !HasOffset(text))
        {
            throw InputException.InFile(file, $"{where}.{key}: expected an ISO-8601 time with an offset (e.g. 2026-06-01T12:00:00Z), got '{text}'");
        }
        return t.ToUniversalTime();
    }

    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || text.EndsWith('z') || (text.Length > 6 && (text[^6] is '+' or '-') && text[^3] == ':');
}
