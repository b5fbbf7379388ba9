using System.Text.Json;

namespace PvEdge.Shared.Cli;

/// <summary>Parses hand-written JSON files (comments and trailing commas allowed); a syntax error becomes an
/// <see cref="InputException"/> naming the file, line and column.</summary>
public static class JsonInput
{
    private static readonly JsonDocumentOptions Options = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <summary>The parsed document (dispose it), or InputException "file:line: column c: not valid JSON".</summary>
    public static JsonDocument Parse(string json, string file)
    {
        try
        {
            return JsonDocument.Parse(json, Options);
        }
        catch (JsonException ex)
        {
            throw InputException.AtLine(file, (int)(ex.LineNumber ?? 0) + 1, $"column {(ex.BytePositionInLine ?? 0) + 1}: not valid JSON");
        }
    }
}
