using System.Text.Json;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Writes the <c>modelexport sr</c> JSON of formats.md:
/// <c>{ "target", "best": { "expression", "complexity", "r2", "rmse" }, "pareto": [ ... ] }</c> (plus search statistics).</summary>
public static class SrJson
{
    public static void Write(Stream stream, string target, SrResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        using var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        w.WriteStartObject();
        w.WriteNumber("schema", Shared.SharedLibrary.SchemaVersion);
        w.WriteString("target", target);
        w.WritePropertyName("best");
        Candidate(w, result.Best);
        w.WriteStartArray("pareto");
        foreach (var c in result.Pareto)
        {
            Candidate(w, c);
        }
        w.WriteEndArray();
        w.WriteStartObject("search");
        w.WriteNumber("iterations", result.Iterations);
        w.WriteNumber("evaluations", result.Evaluations);
        w.WriteNumber("seconds", Math.Round(result.Elapsed.TotalSeconds, 3));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void Candidate(Utf8JsonWriter w, SrCandidate c)
    {
        w.WriteStartObject();
        w.WriteString("expression", c.Expression.ToString());
        w.WriteNumber("complexity", c.Complexity);
        Number(w, "r2", c.R2);
        Number(w, "rmse", c.Rmse);
        Number(w, "score", c.Score);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v))
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
