using System.Text.Json;
using System.Text.Json.Serialization;

namespace PvEdge.Shared.Learning;

/// <summary>Named tensors saved as versioned JSON: <c>{"format":"pvedge-weights","version":1,"tensors":[{"name","rows","cols","data"}]}</c>.
/// Floats are written round-trip exact.</summary>
public static class WeightsFile
{
    public const string Format = "pvedge-weights";
    public const int Version = 1;

    private sealed record Entry(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("rows")] int Rows,
        [property: JsonPropertyName("cols")] int Cols,
        [property: JsonPropertyName("data")] float[] Data);

    private sealed record Document(
        [property: JsonPropertyName("format")] string Format,
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("tensors")] Entry[] Tensors);

    public static void Save(string path, IEnumerable<Tensor> tensors) => File.WriteAllText(path, ToJson(tensors));

    /// <summary>The file's content as UTF-8 bytes (what <see cref="Save"/> writes).</summary>
    public static byte[] ToJsonBytes(IEnumerable<Tensor> tensors) => System.Text.Encoding.UTF8.GetBytes(ToJson(tensors));

    private static string ToJson(IEnumerable<Tensor> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var list = tensors.ToList();
        var dup = list.GroupBy(t => t.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null)
        {
            throw new ArgumentException($"two tensors are named '{dup.Key}'", nameof(tensors));
        }
        var doc = new Document(Format, Version, [.. list.Select(t => new Entry(t.Name, t.Rows, t.Cols, t.Data))]);
        return JsonSerializer.Serialize(doc);
    }

    /// <summary>Reads every tensor by name. Throws <see cref="Cli.InputException"/> for a file that is not a weights file.</summary>
    public static Dictionary<string, Tensor> Load(string path) => Parse(File.ReadAllText(path), path);

    /// <summary>Reads every tensor by name from the text of a weights file; <paramref name="path"/> names it in errors.</summary>
    public static Dictionary<string, Tensor> Parse(string json, string path)
    {
        Document? doc;
        try
        {
            doc = JsonSerializer.Deserialize<Document>(json);
        }
        catch (JsonException e)
        {
            throw new Cli.InputException($"{path}: not a weights file ({e.Message})");
        }
        if (doc is null || doc.Format != Format || doc.Tensors is null)
        {
            throw new Cli.InputException($"{path}: expected \"format\": \"{Format}\"");
        }
        if (doc.Version != Version)
        {
            throw new Cli.InputException($"{path}: weights version {doc.Version}, this build reads {Version}");
        }
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var e in doc.Tensors)
        {
            if (e.Data is null || e.Data.Length != e.Rows * e.Cols)
            {
                throw new Cli.InputException($"{path}: tensor '{e.Name}' has {e.Data?.Length ?? 0} values for {e.Rows}×{e.Cols}");
            }
            result[e.Name] = new Tensor(e.Rows, e.Cols, e.Data, e.Name);
        }
        return result;
    }

    /// <summary>Copies saved values into existing tensors matched by name and shape; every target must be present.</summary>
    public static void LoadInto(string path, IEnumerable<Tensor> targets) => CopyInto(Load(path), path, targets);

    /// <summary>Copies tensors read by <see cref="Parse"/> into existing tensors matched by name and shape.</summary>
    public static void CopyInto(IReadOnlyDictionary<string, Tensor> saved, string path, IEnumerable<Tensor> targets)
    {
        ArgumentNullException.ThrowIfNull(saved);
        ArgumentNullException.ThrowIfNull(targets);
        foreach (var t in targets)
        {
            if (!saved.TryGetValue(t.Name, out var s))
            {
                throw new Cli.InputException($"{path}: tensor '{t.Name}' is missing");
            }
            if (!s.SameShape(t))
            {
                throw new Cli.InputException($"{path}: tensor '{t.Name}' is {s.Rows}×{s.Cols}, expected {t.Rows}×{t.Cols}");
            }
            s.Data.CopyTo(t.Data, 0);
        }
    }
}
