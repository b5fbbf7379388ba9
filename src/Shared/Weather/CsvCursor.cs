using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Weather;

/// <summary>Reads a text file line by line, splits comma-separated fields (double quotes allowed) and turns bad cells into
/// one-line <see cref="InputException"/>s naming the file, line and column.</summary>
internal sealed class CsvCursor
{
    private readonly string[] _lines;

    public CsvCursor(string file, string[] lines)
    {
        File = file;
        _lines = lines;
    }

    public string File { get; }

    /// <summary>1-based number of the line last returned.</summary>
    public int LineNumber { get; private set; }

    public bool TryNext(out string line)
    {
        while (LineNumber < _lines.Length)
        {
            line = _lines[LineNumber++].TrimEnd('\r');
            return true;
        }
        line = "";
        return false;
    }

    public string Next(string expected)
    {
        if (!TryNext(out var line))
        {
            throw InputException.InFile(File, $"line {LineNumber + 1}: unexpected end of file (expected {expected})");
        }
        return line;
    }

    public static string[] Split(string line)
    {
        if (!line.Contains('"', StringComparison.Ordinal))
        {
            return line.Split(',');
        }
        var fields = new List<string>();
        var current = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in line)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (c == ',' && !quoted)
            {
                fields.Add(current.ToString());
                current.Clear();
            }
            else
            {
                current.Append(c);
            }
        }
        fields.Add(current.ToString());
        return [.. fields];
    }

    public InputException Error(string message) => InputException.InFile(File, $"line {LineNumber}: {message}");

    public InputException CellError(int column, string name, string message) =>
        InputException.InFile(File, $"line {LineNumber}, column {column + 1} ({name}): {message}");

    /// <summary>Finds a header column by exact name, else fails naming the missing column.</summary>
    public int Column(string[] header, string name)
    {
        var i = Array.IndexOf(header, name);
        return i >= 0 ? i : throw Error($"missing column \"{name}\"");
    }

    /// <summary>Finds the first header column starting with <paramref name="prefix"/>, or -1.</summary>
    public static int ColumnStartingWith(string[] header, string prefix)
    {
        for (var i = 0; i < header.Length; i++)
        {
            if (header[i].StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>A numeric cell: empty, NaN and the sentinels −9999 and −7999 are missing (NaN); anything else non-numeric fails.</summary>
    public double Number(string[] fields, int column, string name)
    {
        if (column < 0)
        {
            return double.NaN;
        }
        if (column >= fields.Length)
        {
            throw CellError(column, name, $"expected a number, got a row with only {fields.Length} columns");
        }
        var s = fields[column].Trim();
        if (s.Length == 0)
        {
            return double.NaN;
        }
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            throw CellError(column, name, $"expected a number, got \"{s}\"");
        }
        return double.IsNaN(v) || v == -9999.0 || v == -7999.0 ? double.NaN : v;
    }

    /// <summary>An integer cell that must be present.</summary>
    public int Integer(string[] fields, int column, string name)
    {
        var s = column < fields.Length ? fields[column].Trim() : "";
        return int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw CellError(column, name, $"expected an integer, got \"{s}\"");
    }
}
