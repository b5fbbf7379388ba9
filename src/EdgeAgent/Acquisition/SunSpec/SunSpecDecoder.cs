using System.Text;

namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>One decoded point: a scaled number, a text, or missing with the reason (not implemented, scale factor missing).</summary>
public readonly record struct SunSpecValue(double? Number, string? Text, string? MissingReason)
{
    public bool IsMissing => MissingReason is not null;

    public static SunSpecValue Missing(string reason) => new(null, null, reason);
}

/// <summary>A decoded model instance: the fixed block's points and each repeating block's points.</summary>
public sealed record SunSpecModelValues(int Id, string Name, ushort Address, IReadOnlyDictionary<string, SunSpecValue> Points, IReadOnlyList<IReadOnlyDictionary<string, SunSpecValue>> Blocks)
{
    public SunSpecValue this[string point] => Points.TryGetValue(point, out var v) ? v : SunSpecValue.Missing($"model {Id} has no point {point}");

    public double? Number(string point) => this[point].Number;

    public string? Text(string point) => this[point].Text;
}

/// <summary>Turns a model's registers into values: applies scale factors, and turns the not-implemented sentinels
/// (0x8000 int16/sunssf, 0xFFFF uint16/enum16/bitfield16, 0x80000000 int32, 0xFFFFFFFF uint32/bitfield32, 0 acc16/acc32, NaN float32,
/// all-zero string) into missing values.</summary>
public static class SunSpecDecoder
{
    /// <summary>Decodes <paramref name="body"/>: the registers after the model's ID and L.</summary>
    public static SunSpecModelValues Decode(SunSpecModelDefinition model, ushort address, ReadOnlySpan<ushort> body)
    {
        var fixedLength = Math.Min(model.FixedLength, body.Length);
        var fixedPoints = DecodeBlock(model.Points, body[..fixedLength], null, model.Id);
        var blocks = new List<IReadOnlyDictionary<string, SunSpecValue>>();
        if (model.RepeatingLength > 0)
        {
            for (var start = model.FixedLength; start + model.RepeatingLength <= body.Length; start += model.RepeatingLength)
            {
                blocks.Add(DecodeBlock(model.RepeatingPoints, body.Slice(start, model.RepeatingLength), fixedPoints, model.Id));
            }
        }
        return new SunSpecModelValues(model.Id, model.Name, address, fixedPoints, blocks);
    }

    private static Dictionary<string, SunSpecValue> DecodeBlock(IReadOnlyList<SunSpecPoint> points, ReadOnlySpan<ushort> regs, IReadOnlyDictionary<string, SunSpecValue>? outer, int modelId)
    {
        var raw = new Dictionary<string, SunSpecValue>(points.Count, StringComparer.Ordinal);
        foreach (var p in points)
        {
            raw[p.Name] = p.Offset + p.Size <= regs.Length ? Raw(p, regs.Slice(p.Offset, p.Size)) : SunSpecValue.Missing("model shorter than its definition");
        }
        var result = new Dictionary<string, SunSpecValue>(raw.Count, StringComparer.Ordinal);
        foreach (var p in points)
        {
            var v = raw[p.Name];
            if (!v.IsMissing && v.Number is { } n && p.ScaleFactor is { } sfName && p.Type != SunSpecPointType.Sunssf)
            {
                int? exponent = p.FixedScaleFactor;
                if (exponent is null)
                {
                    var sf = raw.TryGetValue(sfName, out var s) ? s : outer?.GetValueOrDefault(sfName) ?? SunSpecValue.Missing("absent");
                    if (sf.IsMissing || sf.Number is not { } e || e < -10 || e > 10)
                    {
                        result[p.Name] = SunSpecValue.Missing($"scale factor {sfName} of model {modelId} not implemented");
                        continue;
                    }
                    exponent = (int)e;
                }
                v = new SunSpecValue(n * Math.Pow(10, exponent.Value), null, null);
            }
            result[p.Name] = v;
        }
        return result;
    }

    private static SunSpecValue Raw(SunSpecPoint p, ReadOnlySpan<ushort> r)
    {
        const string NotImplemented = "not implemented";
        switch (p.Type)
        {
            case SunSpecPointType.Int16:
            case SunSpecPointType.Sunssf:
                return r[0] == 0x8000 ? SunSpecValue.Missing(NotImplemented) : new((short)r[0], null, null);
            case SunSpecPointType.Uint16:
            case SunSpecPointType.Enum16:
            case SunSpecPointType.Bitfield16:
            case SunSpecPointType.Count:
                return r[0] == 0xFFFF ? SunSpecValue.Missing(NotImplemented) : new(r[0], null, null);
            case SunSpecPointType.Acc16:
                return r[0] == 0 ? SunSpecValue.Missing(NotImplemented) : new(r[0], null, null);
            case SunSpecPointType.Pad:
                return SunSpecValue.Missing("padding");
            case SunSpecPointType.Int32:
                {
                    var v = (uint)(r[0] << 16 | r[1]);
                    return v == 0x80000000 ? SunSpecValue.Missing(NotImplemented) : new((int)v, null, null);
                }
            case SunSpecPointType.Uint32:
            case SunSpecPointType.Bitfield32:
                {
                    var v = (uint)(r[0] << 16 | r[1]);
                    return v == 0xFFFFFFFF ? SunSpecValue.Missing(NotImplemented) : new(v, null, null);
                }
            case SunSpecPointType.Acc32:
                {
                    var v = (uint)(r[0] << 16 | r[1]);
                    return v == 0 ? SunSpecValue.Missing(NotImplemented) : new(v, null, null);
                }
            case SunSpecPointType.Float32:
                {
                    var f = BitConverter.UInt32BitsToSingle((uint)(r[0] << 16 | r[1]));
                    return float.IsNaN(f) ? SunSpecValue.Missing(NotImplemented) : new(f, null, null);
                }
            case SunSpecPointType.String:
                {
                    var text = DecodeString(r);
                    return text.Length == 0 ? SunSpecValue.Missing(NotImplemented) : new(null, text, null);
                }
            default:
                return SunSpecValue.Missing("unsupported type");
        }
    }

    /// <summary>ASCII, two characters per register, high byte first; NUL-terminated or padded.</summary>
    public static string DecodeString(ReadOnlySpan<ushort> registers)
    {
        var sb = new StringBuilder(registers.Length * 2);
        foreach (var reg in registers)
        {
            foreach (var c in new[] { (char)(reg >> 8), (char)(reg & 0xFF) })
            {
                if (c == '\0')
                {
                    return sb.ToString().Trim();
                }
                sb.Append(c is >= ' ' and < (char)127 ? c : '?');
            }
        }
        return sb.ToString().Trim();
    }
}
