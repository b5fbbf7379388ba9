using System.Globalization;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Storage;

/// <summary>The history CSV of formats.md: <c>time</c> (interval start, with offset) then the measured columns in a fixed order
/// (ac_power_w, dc_power_w, dc_power_w__mppt&lt;k&gt;, poa_wm2, ghi_wm2, dni_wm2, dhi_wm2, temp_air_c, temp_module_c, wind_speed_ms,
/// inverter_state), then, after formats.md's columns, an S0 energy meter's meter_power_w and meter_energy_kwh (readers take the
/// columns they know by name, so these two are ignored by modelexport); only those present; an empty cell is a missing value.</summary>
public static class HistoryCsv
{
    private static readonly string[] Order =
        ["ac_power_w", "dc_power_w", "poa_wm2", "ghi_wm2", "dni_wm2", "dhi_wm2", "temp_air_c", "temp_module_c", "wind_speed_ms", "inverter_state", "meter_power_w", "meter_energy_kwh"];

    /// <summary>History columns present among the quantities, in the file's order (others, such as the inverter's energy counter,
    /// humidity or pressure, are not history columns).</summary>
    public static List<string> Columns(IEnumerable<string> quantities)
    {
        var set = quantities.ToHashSet(StringComparer.Ordinal);
        var cols = new List<string>();
        foreach (var c in Order)
        {
            if (set.Contains(c))
            {
                cols.Add(c);
            }
            if (c == "dc_power_w")
            {
                cols.AddRange(set.Where(q => q.StartsWith("dc_power_w__mppt", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
            }
        }
        return cols;
    }

    /// <summary>Writes the values (already of one resolution) as rows by time. Returns the number of rows.</summary>
    public static int Write(TextWriter writer, IReadOnlyList<HistoryValue> values)
    {
        var cols = Columns(values.Select(v => v.Quantity));
        writer.Write("time");
        foreach (var c in cols)
        {
            writer.Write(',');
            writer.Write(c);
        }
        writer.Write('\n');
        var rows = 0;
        foreach (var group in values.GroupBy(v => v.StartUtc).OrderBy(g => g.Key))
        {
            var byQ = group.ToDictionary(v => v.Quantity, v => v.Value, StringComparer.Ordinal);
            writer.Write(group.Key.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'+00:00'", CultureInfo.InvariantCulture));
            foreach (var c in cols)
            {
                writer.Write(',');
                if (byQ.TryGetValue(c, out var v) && v is { } d)
                {
                    writer.Write(Math.Round(d, 3).ToString("R", CultureInfo.InvariantCulture));
                }
            }
            writer.Write('\n');
            rows++;
        }
        return rows;
    }

    /// <summary>Reads a history CSV into interval records (the step is the spacing of the first two rows). Bad input: one line naming the line and column.</summary>
    public static List<IntervalRecord> Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        using var reader = new StreamReader(path);
        var header = reader.ReadLine() ?? throw InputException.InFile(path, "empty file, expected a header starting with 'time'");
        var cols = header.Trim().Split(',').Select(c => c.Trim()).ToArray();
        if (cols.Length == 0 || cols[0] != "time")
        {
            throw InputException.AtLine(path, 1, "expected the first column to be 'time'");
        }
        var rows = new List<(DateTimeOffset Time, Dictionary<string, double?> Values)>();
        string? line;
        var n = 1;
        while ((line = reader.ReadLine()) is not null)
        {
            n++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length != cols.Length)
            {
                throw InputException.AtLine(path, n, $"expected {cols.Length} cells, found {cells.Length}");
            }
            if (!DateTimeOffset.TryParse(cells[0], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                throw InputException.AtLine(path, n, $"column time: expected an ISO-8601 time with an offset, got '{cells[0]}'");
            }
            var values = new Dictionary<string, double?>(StringComparer.Ordinal);
            for (var c = 1; c < cols.Length; c++)
            {
                var s = cells[c].Trim();
                if (s.Length == 0 || s is "NaN" or "nan")
                {
                    values[cols[c]] = null;
                }
                else if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d is not (-9999 or -7999))
                {
                    values[cols[c]] = d;
                }
                else if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    values[cols[c]] = null;
                }
                else
                {
                    throw InputException.AtLine(path, n, $"column {cols[c]}: expected a number or an empty cell, got '{s}'");
                }
            }
            rows.Add((t.ToUniversalTime(), values));
        }
        if (rows.Count < 2)
        {
            throw InputException.InFile(path, "expected at least two rows");
        }
        var step = rows[1].Time - rows[0].Time;
        if (step <= TimeSpan.Zero)
        {
            throw InputException.AtLine(path, 3, "expected times ascending");
        }
        return rows.Select(r => new IntervalRecord(r.Time, step, r.Values, r.Values.Count(v => v.Value is not null))).ToList();
    }
}
