using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace PvEdge.EdgeAgent.Acquisition.SunSpec;

/// <summary>SunSpec point types (SunSpec Information Model Specification).</summary>
public enum SunSpecPointType
{
    Uint16,
    Int16,
    Acc16,
    Enum16,
    Bitfield16,
    Uint32,
    Int32,
    Acc32,
    Bitfield32,
    Float32,
    String,
    Sunssf,
    Pad,
    Count,
}

/// <summary>One point of a model: its offset from the first register after ID and L (or from the start of a repeating block),
/// its type and size in registers, and its scale factor: the name of a sunssf point or a fixed exponent.</summary>
public sealed record SunSpecPoint(string Name, int Offset, SunSpecPointType Type, int Size, string? ScaleFactor, string? Units)
{
    /// <summary>A fixed exponent when the scale factor is a number rather than a point name.</summary>
    public int? FixedScaleFactor =>
        ScaleFactor is not null && int.TryParse(ScaleFactor, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v) ? v : null;
}

/// <summary>A SunSpec model as data: fixed block, optional repeating block.</summary>
public sealed record SunSpecModelDefinition(int Id, string Name, int FixedLength, IReadOnlyList<SunSpecPoint> Points, int RepeatingLength, IReadOnlyList<SunSpecPoint> RepeatingPoints);

/// <summary>The models the agent can decode, loaded from the embedded <c>sunspec-models.json</c> and checked at load.</summary>
public sealed class SunSpecModelCatalog
{
    private readonly FrozenDictionary<int, SunSpecModelDefinition> _models;

    private SunSpecModelCatalog(IEnumerable<SunSpecModelDefinition> models) => _models = models.ToFrozenDictionary(m => m.Id);

    // declared before Default: static initialisers run in text order
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, ReadCommentHandling = JsonCommentHandling.Skip };

    /// <summary>The catalog shipped in the assembly.</summary>
    public static SunSpecModelCatalog Default { get; } = LoadEmbedded();

    public IEnumerable<int> ModelIds => _models.Keys.Order();

    public bool TryGet(int id, out SunSpecModelDefinition definition) => _models.TryGetValue(id, out definition!);

    public SunSpecModelDefinition this[int id] => _models[id];

    /// <summary>Parses and validates a catalog; throws <see cref="FormatException"/> with one line naming the model and point.</summary>
    public static SunSpecModelCatalog Parse(string json, string source)
    {
        var file = JsonSerializer.Deserialize<CatalogFile>(json, JsonOptions) ?? throw new FormatException($"{source}: empty");
        var byId = new Dictionary<int, SunSpecModelDefinition>();
        foreach (var (m, i) in file.Models.Select((m, i) => (m, i)))
        {
            var where = $"{source}: models[{i}] (id {m.Id})";
            IReadOnlyList<SunSpecPoint> points;
            if (m.PointsFrom is { } from)
            {
                points = byId.TryGetValue(from, out var source2) ? source2.Points : throw new FormatException($"{where}: points_from {from} is not defined before it");
            }
            else
            {
                points = Convert(m.Points, where + ".points");
            }
            var repeating = m.Repeating is null ? [] : Convert(m.Repeating.Points, where + ".repeating.points");
            var def = new SunSpecModelDefinition(m.Id, m.Name, m.Length, points, m.Repeating?.Length ?? 0, repeating);
            Check(def, points, m.Length, [], where);
            Check(def, repeating, def.RepeatingLength, points, where + ".repeating");
            if (!byId.TryAdd(m.Id, def))
            {
                throw new FormatException($"{where}: model id defined twice");
            }
        }
        return new SunSpecModelCatalog(byId.Values);
    }

    private static SunSpecModelCatalog LoadEmbedded()
    {
        var asm = typeof(SunSpecModelCatalog).Assembly;
        var name = asm.GetManifestResourceNames().Single(n => n.EndsWith("sunspec-models.json", StringComparison.Ordinal));
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd(), "sunspec-models.json");
    }

    private static List<SunSpecPoint> Convert(List<PointDto>? points, string where) =>
        (points ?? []).Select((p, j) =>
        {
            if (!Enum.TryParse<SunSpecPointType>(p.Type, ignoreCase: true, out var type))
            {
                throw new FormatException($"{where}[{j}] ({p.Name}): type '{p.Type}' is not a SunSpec type");
            }
            var size = type switch
            {
                SunSpecPointType.String => p.Size ?? throw new FormatException($"{where}[{j}] ({p.Name}): a string needs a size in registers"),
                SunSpecPointType.Uint32 or SunSpecPointType.Int32 or SunSpecPointType.Acc32 or SunSpecPointType.Bitfield32 or SunSpecPointType.Float32 => 2,
                _ => 1,
            };
            return new SunSpecPoint(p.Name, p.Offset, type, size, p.Sf, p.Units);
        }).ToList();

    private static void Check(SunSpecModelDefinition def, IReadOnlyList<SunSpecPoint> points, int length, IReadOnlyList<SunSpecPoint> outer, string where)
    {
        foreach (var p in points)
        {
            if (p.Offset < 0 || p.Offset + p.Size > length)
            {
                throw new FormatException($"{where}: point {p.Name} at offset {p.Offset} (size {p.Size}) lies outside the block length {length}");
            }
            if (p.ScaleFactor is { } sf && p.FixedScaleFactor is null
                && !points.Concat(outer).Any(q => q.Name == sf && q.Type == SunSpecPointType.Sunssf))
            {
                throw new FormatException($"{where}: point {p.Name} names scale factor {sf}, which is not a sunssf point of model {def.Id}");
            }
        }
    }

    private sealed class CatalogFile
    {
        public List<ModelDto> Models { get; set; } = [];
    }

    private sealed class ModelDto
    {
        public int Id { get; set; }

        public string Name { get; set; } = "";

        public int Length { get; set; }

        [JsonPropertyName("points_from")]
        public int? PointsFrom { get; set; }

        public List<PointDto>? Points { get; set; }

        public RepeatingDto? Repeating { get; set; }
    }

    private sealed class RepeatingDto
    {
        public int Length { get; set; }

        public List<PointDto> Points { get; set; } = [];
    }

    private sealed class PointDto
    {
        public string Name { get; set; } = "";

        public int Offset { get; set; }

        public string Type { get; set; } = "";

        public int? Size { get; set; }

        public string? Sf { get; set; }

        public string? Units { get; set; }
    }
}
