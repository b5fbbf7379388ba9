using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.ModelExport.Distillation;

/// <summary>Reads a numeric CSV table (header of column names, comma-separated, invariant culture) into an
/// <see cref="SrDataset"/> with one column as the target and the others as variables.</summary>
public static class SrTable
{
    public static SrDataset Read(string path, string target)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        using var reader = new StreamReader(path);
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw InputException.AtLine(path, 1, "expected a header of column names");
        }
        var names = header.Split(',').Select(s => s.Trim().Trim('"')).ToArray();
        for (var j = 0; j < names.Length; j++)
        {
            if (names[j].Length == 0 || !(char.IsAsciiLetter(names[j][0]) || names[j][0] == '_') ||
                !names[j].All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.'))
            {
                throw InputException.AtLine(path, 1, $"column {j + 1}: '{names[j]}' is not a usable variable name (letters, digits, '_' or '.', starting with a letter)");
            }
        }
        var yIndex = Array.IndexOf(names, target);
        if (yIndex < 0)
        {
            throw InputException.AtLine(path, 1, $"no column '{target}' (columns: {string.Join(", ", names)})");
        }
        var columns = names.Select(_ => new List<double>()).ToArray();
        var line = 1;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }
            var cells = text.Split(',');
            if (cells.Length != names.Length)
            {
                throw InputException.AtLine(path, line, $"expected {names.Length} cells, found {cells.Length}");
            }
            for (var j = 0; j < cells.Length; j++)
            {
                if (!double.TryParse(cells[j], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                {
                    throw InputException.AtLine(path, line, $"column '{names[j]}': expected a finite number, got '{cells[j].Trim()}'");
                }
                columns[j].Add(v);
            }
        }
        if (columns[0].Count < 2)
        {
            throw InputException.InFile(path, "at least two data rows are needed");
        }
        var variables = names.Where((_, j) => j != yIndex).ToList();
        var inputs = columns.Where((_, j) => j != yIndex).Select(c => c.ToArray()).ToList();
        return SrDataset.FromColumns(variables, inputs, [.. columns[yIndex]]);
    }
}
