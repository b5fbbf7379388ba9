using System.Globalization;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;
using PvEdge.Shared.Formulas;

namespace PvEdge.ModelExport.Import;

/// <summary>How to read a logger's CSV files into a history.</summary>
/// <param name="HeaderLine">0-based line of the column names (1 in a Campbell TOA5 file)</param>
/// <param name="FirstDataLine">0-based first line of data (4 in a TOA5 file)</param>
/// <param name="TimeColumn">name of the time column; null = the first column</param>
/// <param name="UtcOffset">offset of the files' naive local times (when <paramref name="TimeZone"/> is null)</param>
/// <param name="TimeIsIntervalEnd">true when a row's time labels the end of its averaging interval (TOA5 averages)</param>
/// <param name="Map">history column → formula over the files' column names (formats.md grammar), e.g. <c>ac_power_w = Sys1Wac_Avg + Sys2Wac_Avg</c></param>
/// <param name="StepMinutes">resample to this step by averaging (0 = keep the files' own step)</param>
/// <param name="TimeZone">the time zone of the files' naive local times, daylight saving time included (a portal's or logger's
/// wall-clock export); null = <paramref name="UtcOffset"/> all year. Times written with an offset keep theirs either way.</param>
public sealed record HistoryImportOptions(int HeaderLine, int FirstDataLine, string? TimeColumn, TimeSpan UtcOffset, bool TimeIsIntervalEnd,
    IReadOnlyList<(string Column, string Formula)> Map, int StepMinutes, TimeZoneInfo? TimeZone = null)
{
    /// <summary>The offset the history writes at an instant.</summary>
    public TimeSpan OffsetAt(DateTimeOffset time) => TimeZone?.GetUtcOffset(time) ?? UtcOffset;
}

/// <summary>Reads measured logger files (PVDAQ CSV exports, Campbell TOA5 and the like) into the history format: joins the
/// files on their time stamps, computes each history column from a formula over the files' columns (units, sums of
/// inverters), and averages to the history step (an interval needs half of its samples). Non-numeric cells (NAN, empty) are missing.</summary>
public static class HistoryImport
{
    public static (DateTimeOffset[] Times, Dictionary<string, double[]> Columns) Read(IReadOnlyList<string> paths, HistoryImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(paths);
        ArgumentNullException.ThrowIfNull(options);
        var rows = new SortedDictionary<DateTimeOffset, Dictionary<string, double>>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            ReadFile(path, options, rows, names);
        }
        var formulas = options.Map.Select(m =>
        {
            if (!History.KnownColumns.Contains(m.Column) && !m.Column.StartsWith("dc_power_w__mppt", StringComparison.Ordinal))
            {
                throw new InputException($"option --map: '{m.Column}' is not a history column (expected one of {string.Join(", ", History.KnownColumns)})");
            }
            var expr = FormulaParser.Parse(m.Formula, names, $"option --map {m.Column}");
            var vars = expr.Variables();
            return (m.Column, Vars: vars, Run: FormulaCompiler.CompileRow(expr, vars));
        }).ToArray();
        var times = rows.Keys.ToArray();
        var raw = formulas.ToDictionary(f => f.Column, _ => new double[times.Length]);
        var args = new double[names.Count];
        for (var i = 0; i < times.Length; i++)
        {
            var row = rows[times[i]];
            foreach (var f in formulas)
            {
                for (var k = 0; k < f.Vars.Count; k++)
                {
                    args[k] = row.GetValueOrDefault(f.Vars[k], double.NaN);
                }
                raw[f.Column][i] = f.Run(args);
            }
        }
        return options.StepMinutes > 0 ? Resample(times, raw, TimeSpan.FromMinutes(options.StepMinutes), options.OffsetAt) : (times, raw);
    }

    private static void ReadFile(string path, HistoryImportOptions options, SortedDictionary<DateTimeOffset, Dictionary<string, double>> rows, HashSet<string> names)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        var lines = File.ReadAllLines(path);
        if (lines.Length <= options.HeaderLine)
        {
            throw new InputException($"{path}: {lines.Length} lines, expected the column names on line {options.HeaderLine + 1}");
        }
        var header = Split(lines[options.HeaderLine]);
        var timeIndex = options.TimeColumn is null ? 0 : Array.IndexOf(header, options.TimeColumn);
        if (timeIndex < 0)
        {
            throw new InputException($"{path}:{options.HeaderLine + 1}: no column '{options.TimeColumn}' (option --time)");
        }
        foreach (var h in header)
        {
            names.Add(h);
        }
        var parsed = new List<(DateTimeOffset Time, string[] Cells)>();
        for (var l = options.FirstDataLine; l < lines.Length; l++)
        {
            if (lines[l].Length == 0)
            {
                continue;
            }
            var cells = Split(lines[l]);
            var t = ParseTime(cells[timeIndex], options, parsed.Count > 0 ? parsed[^1].Time : null, $"{path}:{l + 1}")
                ?? throw new InputException($"{path}:{l + 1}: column {timeIndex + 1}: '{cells[timeIndex]}' is not a time");
            if (parsed.Count > 0 && t <= parsed[^1].Time)
            {
                throw new InputException($"{path}:{l + 1}: time {cells[timeIndex]} does not come after the previous row's");
            }
            parsed.Add((t, cells));
        }
        // a time that labels the end of its averaging interval moves to the interval start (the history's convention)
        var shift = options.TimeIsIntervalEnd && parsed.Count > 1 ? parsed[1].Time - parsed[0].Time : TimeSpan.Zero;
        foreach (var (time, cells) in parsed)
        {
            var t = time - shift;
            if (!rows.TryGetValue(t, out var row))
            {
                rows[t] = row = new Dictionary<string, double>(StringComparer.Ordinal);
            }
            for (var c = 0; c < Math.Min(cells.Length, header.Length); c++)
            {
                if (c != timeIndex && !row.ContainsKey(header[c]))
                {
                    row[header[c]] = double.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : double.NaN;
                }
            }
        }
    }

    // a time with its own offset keeps it; a naive local time takes the option's offset, or its zone's at that date. In the hour a
    // zone's clock falls back, the same wall time comes twice: the first is read as daylight saving time, a repeat (a time not after
    // the previous row's) as standard time. A wall time the clock jumped over is refused.
    private static DateTimeOffset? ParseTime(string text, HistoryImportOptions options, DateTimeOffset? previous, string where)
    {
        if (History.HasOffset(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out var stamped))
        {
            return stamped;
        }
        if (!DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces | DateTimeStyles.NoCurrentDateDefault, out var local))
        {
            return null;
        }
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (options.TimeZone is not { } zone)
        {
            return new DateTimeOffset(local, options.UtcOffset);
        }
        if (zone.IsInvalidTime(local))
        {
            throw new InputException($"{where}: '{text}' does not exist in {zone.Id} (the clock jumps over it when daylight saving time begins)");
        }
        if (zone.IsAmbiguousTime(local))
        {
            var offsets = zone.GetAmbiguousTimeOffsets(local).OrderByDescending(o => o).ToArray();
            var summer = new DateTimeOffset(local, offsets[0]);
            return previous is { } p && summer <= p ? new DateTimeOffset(local, offsets[^1]) : summer;
        }
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string[] Split(string line) => [.. line.Split(',').Select(c => c.Trim().Trim('"'))];

    private static (DateTimeOffset[] Times, Dictionary<string, double[]> Columns) Resample(DateTimeOffset[] times, Dictionary<string, double[]> columns,
        TimeSpan step, Func<DateTimeOffset, TimeSpan> offset)
    {
        if (times.Length == 0)
        {
            return (times, columns);
        }
        DateTimeOffset Floor(DateTimeOffset t) => new(t.UtcTicks - (t.UtcTicks % step.Ticks), TimeSpan.Zero);
        var first = Floor(times[0]);
        var count = (int)((Floor(times[^1]) - first) / step) + 1;
        var native = times.Length > 1 ? times[1] - times[0] : step;
        var expected = Math.Max(1, (int)Math.Round(step / native));
        var outTimes = Enumerable.Range(0, count).Select(k => first + (k * step)).Select(t => t.ToOffset(offset(t))).ToArray();
        var result = new Dictionary<string, double[]>(StringComparer.Ordinal);
        foreach (var (name, values) in columns)
        {
            var sum = new double[count];
            var n = new int[count];
            for (var i = 0; i < times.Length; i++)
            {
                if (!double.IsNaN(values[i]))
                {
                    var k = (int)((Floor(times[i]) - first) / step);
                    sum[k] += values[i];
                    n[k]++;
                }
            }
            result[name] = [.. Enumerable.Range(0, count).Select(k => 2 * n[k] >= expected ? sum[k] / n[k] : double.NaN)];
        }
        return (outTimes, result);
    }
}
