using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Acquisition.RegisterMaps;

/// <summary>Which Modbus table a point lives in.</summary>
public enum RegisterTable
{
    Holding,
    Input,
}

/// <summary>How a point's registers are read (words high first, as nearly every inverter sends them).</summary>
public enum RegisterType
{
    Uint16,
    Int16,
    Uint32,
    Int32,
    Float32,
}

/// <summary>One quantity of a register map: where it is, how to decode it, and for <c>inverter_state</c> how raw codes map to SunSpec states.</summary>
public sealed record RegisterPoint(string Quantity, RegisterTable Table, ushort Address, RegisterType Type, double Scale, double? NotImplemented,
    IReadOnlyDictionary<int, SunSpecInverterState>? States)
{
    public int Size => Type is RegisterType.Uint16 or RegisterType.Int16 ? 1 : 2;

    /// <summary>Decodes the point from its registers; null when the value is the not-implemented sentinel.</summary>
    public double? Decode(ReadOnlySpan<ushort> registers)
    {
        double raw = Type switch
        {
            RegisterType.Uint16 => registers[0],
            RegisterType.Int16 => (short)registers[0],
            RegisterType.Uint32 => (uint)(registers[0] << 16 | registers[1]),
            RegisterType.Int32 => (int)(registers[0] << 16 | registers[1]),
            _ => BitConverter.UInt32BitsToSingle((uint)(registers[0] << 16 | registers[1])),
        };
        if (double.IsNaN(raw) || NotImplemented is { } sentinel && raw == sentinel)
        {
            return null;
        }
        return raw * Scale;
    }
}

/// <summary>A register map for an inverter that does not speak SunSpec: one JSON file per device model, validated when loaded.</summary>
public sealed partial record RegisterMap(string Manufacturer, string Model, IReadOnlyList<RegisterPoint> Points, string File)
{
    /// <summary>The history columns a map may fill (formats.md).</summary>
    public static readonly IReadOnlySet<string> Quantities = new HashSet<string>(StringComparer.Ordinal)
    {
        "ac_power_w", "dc_power_w", "energy_total_kwh", "inverter_state", "poa_wm2", "ghi_wm2", "temp_module_c", "temp_air_c", "wind_speed_ms",
    };

    [GeneratedRegex(@"^dc_power_w__mppt[1-9][0-9]?$")]
    private static partial Regex MpptQuantity();

    /// <summary>The folder of maps shipped beside the executable.</summary>
    public static string ShippedFolder => Path.Combine(AppContext.BaseDirectory, "RegisterMaps");

    /// <summary>Resolves a map given as a path or as the name of a shipped map ("growatt-min-tl-x").</summary>
    public static string Resolve(string nameOrPath)
    {
        if (System.IO.File.Exists(nameOrPath))
        {
            return nameOrPath;
        }
        var shipped = Path.Combine(ShippedFolder, nameOrPath.EndsWith(".json", StringComparison.Ordinal) ? nameOrPath : nameOrPath + ".json");
        if (System.IO.File.Exists(shipped))
        {
            return shipped;
        }
        var known = Directory.Exists(ShippedFolder) ? string.Join(", ", Directory.GetFiles(ShippedFolder, "*.json").Select(Path.GetFileNameWithoutExtension).Order()) : "none";
        throw new InputException($"register map '{nameOrPath}' not found (a file path, or one of the shipped maps: {known})");
    }

    /// <summary>Loads and validates a map; any problem is an <see cref="InputException"/> naming the file, key and what was expected.</summary>
    public static RegisterMap Load(string path)
    {
        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw InputException.InFile(path, "cannot read: " + ex.Message);
        }
        return Parse(text, path);
    }

    public static RegisterMap Parse(string json, string file)
    {
        using (var doc = JsonInput.Parse(json, file))
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw InputException.InFile(file, "expected a JSON object at the top");
            }
            if (!root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Number || schema.GetInt32() != 1)
            {
                throw InputException.InFile(file, "schema: expected 1");
            }
            var manufacturer = RequiredString(root, "manufacturer", file);
            var model = RequiredString(root, "model", file);
            if (!root.TryGetProperty("points", out var pointsElement) || pointsElement.ValueKind != JsonValueKind.Array || pointsElement.GetArrayLength() == 0)
            {
                throw InputException.InFile(file, "points: expected a non-empty array");
            }
            var points = new List<RegisterPoint>();
            var i = 0;
            foreach (var p in pointsElement.EnumerateArray())
            {
                var point = ParsePoint(p, $"points[{i}]", file);
                if (points.Any(q => q.Quantity == point.Quantity))
                {
                    throw InputException.InFile(file, $"points[{i}].quantity: '{point.Quantity}' appears twice");
                }
                points.Add(point);
                i++;
            }
            return new RegisterMap(manufacturer, model, points, file);
        }
    }

    private static RegisterPoint ParsePoint(JsonElement p, string where, string file)
    {
        if (p.ValueKind != JsonValueKind.Object)
        {
            throw InputException.InFile(file, $"{where}: expected an object");
        }
        var quantity = RequiredString(p, "quantity", file, where);
        if (!Quantities.Contains(quantity) && !MpptQuantity().IsMatch(quantity))
        {
            throw InputException.InFile(file, $"{where}.quantity: expected a history column ({string.Join(", ", Quantities.Order())}, dc_power_w__mppt<k>), got '{quantity}'");
        }
        var tableText = p.TryGetProperty("table", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "holding";
        if (!Enum.TryParse<RegisterTable>(tableText, true, out var table) || int.TryParse(tableText, out _))
        {
            throw InputException.InFile(file, $"{where}.table: expected holding or input, got '{tableText}'");
        }
        if (!p.TryGetProperty("address", out var a) || a.ValueKind != JsonValueKind.Number || !a.TryGetInt32(out var address) || address is < 0 or > 65535)
        {
            throw InputException.InFile(file, $"{where}.address: expected an integer register address in [0, 65535] (PDU address, 0-based)");
        }
        var typeText = RequiredString(p, "type", file, where);
        if (!Enum.TryParse<RegisterType>(typeText, true, out var type) || int.TryParse(typeText, out _))
        {
            throw InputException.InFile(file, $"{where}.type: expected one of uint16, int16, uint32, int32, float32, got '{typeText}'");
        }
        var scale = 1.0;
        if (p.TryGetProperty("scale", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !double.IsFinite(scale = s.GetDouble()) || scale == 0)
            {
                throw InputException.InFile(file, $"{where}.scale: expected a non-zero number");
            }
        }
        double? notImplemented = p.TryGetProperty("not_implemented", out var ni) && ni.ValueKind == JsonValueKind.Number ? ni.GetDouble() : null;
        Dictionary<int, SunSpecInverterState>? states = null;
        if (p.TryGetProperty("states", out var st))
        {
            if (quantity != "inverter_state" || st.ValueKind != JsonValueKind.Object)
            {
                throw InputException.InFile(file, $"{where}.states: only inverter_state takes states, as an object {{\"raw code\": \"STATE\"}}");
            }
            states = [];
            foreach (var kv in st.EnumerateObject())
            {
                var label = kv.Value.ValueKind == JsonValueKind.String ? kv.Value.GetString()! : "";
                var state = Enum.GetValues<SunSpecInverterState>().Cast<SunSpecInverterState?>().FirstOrDefault(x => SunSpecInverterStates.Label((int)x!.Value) == label);
                if (!int.TryParse(kv.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) || state is null)
                {
                    throw InputException.InFile(file, $"{where}.states.{kv.Name}: expected an integer code mapped to one of OFF, SLEEPING, STARTING, MPPT, THROTTLED, SHUTTING_DOWN, FAULT, STANDBY");
                }
                states[code] = state.Value;
            }
        }
        var point = new RegisterPoint(quantity, table, (ushort)address, type, scale, notImplemented, states);
        if (address + point.Size > 65536)
        {
            throw InputException.InFile(file, $"{where}.address: a {typeText} at {address} runs past register 65535");
        }
        return point;
    }

    private static string RequiredString(JsonElement e, string key, string file, string? where = null)
    {
        var path = where is null ? key : $"{where}.{key}";
        if (!e.TryGetProperty(key, out var v) || v.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(v.GetString()))
        {
            throw InputException.InFile(file, $"{path}: expected a non-empty string");
        }
        return v.GetString()!;
    }
}
