using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Features;

/// <summary>A site's measured history (formats.md "History (CSV)"): interval-start times and named columns,
/// NaN where a cell is empty.</summary>
public sealed class History
{
    /// <summary>Every column the format defines, in order; <c>dc_power_w__mppt&lt;k&gt;</c> columns are kept as well.</summary>
    public static readonly IReadOnlyList<string> KnownColumns =
    [
        "ac_power_w", "dc_power_w", "poa_wm2", "ghi_wm2", "dni_wm2", "dhi_wm2",
        "temp_air_c", "temp_module_c", "wind_speed_ms", "inverter_state",
    ];

    public History(DateTimeOffset[] times, Dictionary<string, double[]> columns, string source)
    {
        Times = times ?? throw new ArgumentNullException(nameof(times));
        Columns = columns ?? throw new ArgumentNullException(nameof(columns));
        Source = source;
    }

    public IReadOnlyList<DateTimeOffset> Times { get; }

    public IReadOnlyDictionary<string, double[]> Columns { get; }

    public string Source { get; }

    public int Rows => Times.Count;

    public bool Has(string column) => Columns.ContainsKey(column);

    /// <summary>The column's values (NaN = missing), or null when the file has no such column.</summary>
    public double[]? Column(string name) => Columns.TryGetValue(name, out var c) ? c : null;

    /// <summary>The sampling step: the median spacing of consecutive rows.</summary>
    public TimeSpan Step
    {
        get
        {
            if (Rows < 2)
            {
                return TimeSpan.FromMinutes(15);
            }
            var d = new long[Rows - 1];
            for (var i = 1; i < Rows; i++)
            {
                d[i - 1] = (Times[i] - Times[i - 1]).Ticks;
            }
            Array.Sort(d);
            return TimeSpan.FromTicks(d[d.Length / 2]);
        }
    }

    /// <summary>Reads a history CSV. With <paramref name="requireAc"/> a file without <c>ac_power_w</c> is rejected.
    /// Throws <see cref="InputException"/> naming the file, line and column for every malformed cell, and for a time
    /// that does not increase.</summary>
    public static History Read(string path, bool requireAc = true)
    {
        if (!File.Exists(path))
        {
            throw new InputException($"{path}: file not found");
        }
        using var reader = new StreamReader(path);
        return Read(reader, path, requireAc);
    }

    public static History Read(TextReader reader, string source, bool requireAc = true)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var header = reader.ReadLine();
        if (header is null)
        {
            throw new InputException($"{source}: empty file, expected a header line starting with 'time'");
        }
        var names = header.Split(',').Select(h => h.Trim()).ToArray();
        if (names[0] != "time")
        {
            throw new InputException($"{source}: line 1 column 1: expected 'time', got '{names[0]}'");
        }
        if (requireAc && !names.Contains("ac_power_w"))
        {
            throw new InputException($"{source}: line 1: no 'ac_power_w' column (required for training and evaluation)");
        }
        var keep = new int[names.Length];
        var lists = new Dictionary<string, List<double>>(StringComparer.Ordinal);
        for (var c = 1; c < names.Length; c++)
        {
            var n = names[c];
            if (KnownColumns.Contains(n) || n.StartsWith("dc_power_w__mppt", StringComparison.Ordinal))
            {
                if (lists.ContainsKey(n))
                {
                    throw new InputException($"{source}: line 1 column {c + 1}: '{n}' appears twice");
                }
                lists[n] = [];
                keep[c] = 1;
            }
        }
        var times = new List<DateTimeOffset>();
        var lineNo = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNo++;
            if (line.Length == 0)
            {
                continue;
            }
            var cells = line.Split(',');
            if (cells.Length != names.Length)
            {
                throw new InputException($"{source}: line {lineNo}: {cells.Length} cells, expected {names.Length} as in the header");
            }
            if (!DateTimeOffset.TryParse(cells[0].Trim(), CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                || !HasOffset(cells[0]))
            {
                throw new InputException($"{source}: line {lineNo} column 1: expected an ISO-8601 time with an offset, got '{cells[0]}'");
            }
            if (times.Count > 0 && t <= times[^1])
            {
                throw new InputException($"{source}: line {lineNo} column 1: time {cells[0].Trim()} does not come after {times[^1]:O} (time must increase)");
            }
            times.Add(t);
            for (var c = 1; c < names.Length; c++)
            {
                if (keep[c] == 0)
                {
                    continue;
                }
                var s = cells[c].Trim();
                double v;
                if (s.Length == 0)
                {
                    v = double.NaN;
                }
                else if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out v))
                {
                    throw new InputException($"{source}: line {lineNo} column {c + 1} ({names[c]}): expected a number, got '{s}'");
                }
                else if (v is -9999 or -7999)
                {
                    v = double.NaN;
                }
                lists[names[c]].Add(v);
            }
        }
        if (times.Count == 0)
        {
            throw new InputException($"{source}: no data rows");
        }
        return new History([.. times], lists.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal), source);
    }

    /// <summary>True when an ISO-8601 time text carries an offset or <c>Z</c> after its time of day.</summary>
    public static bool HasOffset(string s)
    {
        s = s.Trim();
        var tIndex = s.IndexOf('T', StringComparison.Ordinal);
        if (tIndex < 0)
        {
            tIndex = s.IndexOf(' ', StringComparison.Ordinal);
        }
        if (tIndex < 0)
        {
            return false;
        }
        var rest = s[tIndex..];
        return rest.EndsWith('Z') || rest.Contains('+', StringComparison.Ordinal) || rest.LastIndexOf('-') > 0;
    }

    /// <summary>Writes the history in the same CSV format (columns in <see cref="KnownColumns"/> order, then MPPT columns).</summary>
    public static void Write(string path, IReadOnlyList<DateTimeOffset> times, IReadOnlyDictionary<string, double[]> columns)
    {
        ArgumentNullException.ThrowIfNull(times);
        ArgumentNullException.ThrowIfNull(columns);
        var order = KnownColumns.Where(columns.ContainsKey)
            .Concat(columns.Keys.Where(k => k.StartsWith("dc_power_w__mppt", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            .ToArray();
        using var w = new StreamWriter(path);
        w.Write("time");
        foreach (var c in order)
        {
            w.Write(',');
            w.Write(c);
        }
        w.Write('\n');
        for (var i = 0; i < times.Count; i++)
        {
            w.Write(times[i].ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture));
            foreach (var c in order)
            {
                w.Write(',');
                var v = columns[c][i];
                if (!double.IsNaN(v))
                {
                    w.Write(v.ToString("0.###", CultureInfo.InvariantCulture));
                }
            }
            w.Write('\n');
        }
    }
}
