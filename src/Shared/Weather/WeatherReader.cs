using System.Globalization;
using PvEdge.Shared.Cli;

namespace PvEdge.Shared.Weather;

/// <summary>Options of the weather readers.</summary>
/// <param name="Tmy3Year">Year given to every TMY3 row (the last row, 24:00 on 31 December, moves to 1 January of the next
/// year), as pvlib's <c>read_tmy3(coerce_year=1990)</c> does; null keeps each month's source year.</param>
public sealed record WeatherReadOptions(int? Tmy3Year = 1990)
{
    /// <summary>Defaults: TMY3 coerced to 1990 like the pvlib reference data.</summary>
    public static WeatherReadOptions Default { get; } = new();
}

/// <summary>Reads NREL TMY3, NREL PSM3, PVGIS TMY, NREL MIDC raw and the plain CSV of formats.md into a <see cref="WeatherSeries"/>.
/// Sentinels (−9999, −7999), empty cells and NaN become missing values; bad cells fail with file, line and column.
/// Interval convention: every row is an interval average and <see cref="WeatherSample.TimeMid"/> is the interval midpoint:
/// TMY3 and MIDC stamps mark the interval end, PSM3, PVGIS and plain-CSV stamps mark its start.</summary>
public static class WeatherReader
{
    /// <summary>Reads a weather file, detecting its format from the first lines.</summary>
    public static WeatherSeries Load(string path) => Load(path, WeatherReadOptions.Default);

    /// <summary>Reads a weather file, detecting its format from the first lines.</summary>
    public static WeatherSeries Load(string path, WeatherReadOptions options)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw InputException.InFile(path, $"cannot read the weather file ({ex.Message})");
        }
        return Parse(lines, path, options);
    }

    /// <summary>Parses the lines of a weather file; <paramref name="fileName"/> names it in errors.</summary>
    public static WeatherSeries Parse(string[] lines, string fileName, WeatherReadOptions? options = null)
    {
        options ??= WeatherReadOptions.Default;
        var cursor = new CsvCursor(fileName, lines);
        var format = Detect(lines, fileName);
        return format switch
        {
            WeatherFormat.Tmy3 => Tmy3(cursor, options),
            WeatherFormat.Psm3 => Psm3(cursor),
            WeatherFormat.PvgisTmy => Pvgis(cursor),
            WeatherFormat.MidcRaw => Midc(cursor),
            _ => Plain(cursor),
        };
    }

    /// <summary>Recognises the format from the first three lines.</summary>
    public static WeatherFormat Detect(string[] lines, string fileName)
    {
        var first = lines.Length > 0 ? lines[0].TrimStart('\uFEFF') : "";
        var second = lines.Length > 1 ? lines[1] : "";
        if (second.StartsWith("Date (MM/DD/YYYY)", StringComparison.Ordinal))
        {
            return WeatherFormat.Tmy3;
        }
        if (first.StartsWith("Source,", StringComparison.Ordinal))
        {
            return WeatherFormat.Psm3;
        }
        if (first.StartsWith("Latitude (decimal degrees):", StringComparison.Ordinal))
        {
            return WeatherFormat.PvgisTmy;
        }
        if (first.StartsWith("time,", StringComparison.Ordinal))
        {
            return WeatherFormat.PlainCsv;
        }
        if (first.Contains(",Year,DOY,", StringComparison.Ordinal) || first.StartsWith("Year,DOY,", StringComparison.Ordinal))
        {
            return WeatherFormat.MidcRaw;
        }
        throw InputException.InFile(fileName,
            "line 1: unknown weather format (expected NREL TMY3, NREL PSM3, PVGIS TMY CSV, NREL MIDC raw, or a CSV starting with the header \"time,ghi_wm2,dni_wm2,dhi_wm2,temp_air_c,wind_speed_ms\")");
    }

    private static WeatherSeries Tmy3(CsvCursor c, WeatherReadOptions options)
    {
        var meta = CsvCursor.Split(c.Next("the TMY3 station line"));
        if (meta.Length < 7)
        {
            throw c.Error($"expected 7 station fields (id, name, state, UTC offset, latitude, longitude, elevation), got {meta.Length}");
        }
        var tz = c.Number(meta, 3, "UTC offset");
        var lat = c.Number(meta, 4, "latitude");
        var lon = c.Number(meta, 5, "longitude");
        var elev = c.Number(meta, 6, "elevation");
        if (double.IsNaN(tz) || double.IsNaN(lat) || double.IsNaN(lon))
        {
            throw c.Error("expected numeric UTC offset, latitude and longitude in the station line");
        }
        var offset = TimeSpan.FromHours(tz);
        var header = CsvCursor.Split(c.Next("the TMY3 header"));
        int date = c.Column(header, "Date (MM/DD/YYYY)"), time = c.Column(header, "Time (HH:MM)"), ghi = c.Column(header, "GHI (W/m^2)"),
            dni = c.Column(header, "DNI (W/m^2)"), dhi = c.Column(header, "DHI (W/m^2)"), temp = c.Column(header, "Dry-bulb (C)"),
            pres = c.Column(header, "Pressure (mbar)"), wind = c.Column(header, "Wspd (m/s)");
        var rows = new List<WeatherSample>(8760);
        DateTimeOffset? previous = null;
        while (c.TryNext(out var line))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var f = CsvCursor.Split(line);
            var d = date < f.Length ? f[date] : "";
            if (!DateTime.TryParseExact(d, "MM/dd/yyyy", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                throw c.CellError(date, header[date], $"expected a date MM/DD/YYYY, got \"{d}\"");
            }
            var t = time < f.Length ? f[time] : "";
            var parts = t.Split(':');
            if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var hh) || hh > 24
                || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var mm) || mm > 59)
            {
                throw c.CellError(time, header[time], $"expected a time HH:MM (01:00..24:00), got \"{t}\"");
            }
            if (options.Tmy3Year is { } year)
            {
                day = new DateTime(year, day.Month, Math.Min(day.Day, DateTime.DaysInMonth(year, day.Month)), 0, 0, 0, DateTimeKind.Unspecified);
            }
            var end = new DateTimeOffset(day, offset).AddHours(hh).AddMinutes(mm);
            var step = previous is { } p && end > p ? end - p : TimeSpan.FromHours(1);
            previous = end;
            rows.Add(new WeatherSample(end - step / 2, c.Number(f, ghi, header[ghi]), c.Number(f, dni, header[dni]), c.Number(f, dhi, header[dhi]),
                c.Number(f, temp, header[temp]), c.Number(f, wind, header[wind]), c.Number(f, pres, header[pres]) * 100.0));
        }
        return Finish(c, new WeatherMetadata(c.File, WeatherFormat.Tmy3, lat, lon, elev, offset), rows);
    }

    private static WeatherSeries Psm3(CsvCursor c)
    {
        var names = CsvCursor.Split(c.Next("the PSM3 metadata names"));
        var values = CsvCursor.Split(c.Next("the PSM3 metadata values"));
        double Meta(string key)
        {
            var i = Array.IndexOf(names, key);
            if (i < 0)
            {
                throw InputException.InFile(c.File, $"line 1: missing metadata \"{key}\"");
            }
            var v = c.Number(values, i, key);
            return double.IsNaN(v) ? throw c.CellError(i, key, "expected a number") : v;
        }
        var lat = Meta("Latitude");
        var lon = Meta("Longitude");
        var tz = Meta("Time Zone");
        var elev = Meta("Elevation");
        var offset = TimeSpan.FromHours(tz);
        var header = CsvCursor.Split(c.Next("the PSM3 column header"));
        int year = c.Column(header, "Year"), month = c.Column(header, "Month"), day = c.Column(header, "Day"), hour = c.Column(header, "Hour"),
            minute = c.Column(header, "Minute"), ghi = c.Column(header, "GHI"), dni = c.Column(header, "DNI"), dhi = c.Column(header, "DHI"),
            temp = c.Column(header, "Temperature"), wind = c.Column(header, "Wind Speed");
        var pres = Array.IndexOf(header, "Pressure");
        var rows = new List<WeatherSample>();
        while (c.TryNext(out var line))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var f = CsvCursor.Split(line);
            var start = Stamp(c, f, header, year, month, day, hour, minute, offset);
            rows.Add(new WeatherSample(start, c.Number(f, ghi, "GHI"), c.Number(f, dni, "DNI"), c.Number(f, dhi, "DHI"), c.Number(f, temp, "Temperature"),
                c.Number(f, wind, "Wind Speed"), c.Number(f, pres, "Pressure") * 100.0));
        }
        return FinishFromStarts(c, new WeatherMetadata(c.File, WeatherFormat.Psm3, lat, lon, elev, offset), rows);
    }

    private static WeatherSeries Pvgis(CsvCursor c)
    {
        double lat = double.NaN, lon = double.NaN, elev = double.NaN;
        string[]? header = null;
        while (header is null)
        {
            var line = c.Next("the PVGIS column header \"time(UTC),...\"");
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (line.StartsWith("time(UTC)", StringComparison.Ordinal))
            {
                header = CsvCursor.Split(line);
            }
            else if (colon > 0 && line.StartsWith("Latitude", StringComparison.Ordinal))
            {
                lat = c.Number([line[(colon + 1)..]], 0, "Latitude");
            }
            else if (colon > 0 && line.StartsWith("Longitude", StringComparison.Ordinal))
            {
                lon = c.Number([line[(colon + 1)..]], 0, "Longitude");
            }
            else if (colon > 0 && line.StartsWith("Elevation", StringComparison.Ordinal))
            {
                elev = c.Number([line[(colon + 1)..]], 0, "Elevation");
            }
        }
        int time = 0, ghi = c.Column(header, "G(h)"), dni = c.Column(header, "Gb(n)"), dhi = c.Column(header, "Gd(h)"), temp = c.Column(header, "T2m"),
            wind = c.Column(header, "WS10m");
        var pres = Array.IndexOf(header, "SP");
        var rows = new List<WeatherSample>(8760);
        while (c.TryNext(out var line))
        {
            if (line.Length == 0)
            {
                break;
            }
            var f = CsvCursor.Split(line);
            if (!DateTime.TryParseExact(f[time], "yyyyMMdd:HHmm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var t))
            {
                throw c.CellError(time, header[time], $"expected a time yyyyMMdd:HHmm, got \"{f[time]}\"");
            }
            rows.Add(new WeatherSample(new DateTimeOffset(t, TimeSpan.Zero), c.Number(f, ghi, "G(h)"), c.Number(f, dni, "Gb(n)"), c.Number(f, dhi, "Gd(h)"),
                c.Number(f, temp, "T2m"), c.Number(f, wind, "WS10m"), c.Number(f, pres, "SP")));
        }
        // A TMY is a sequence of months from different years: every interval is one hour long.
        var mid = rows.Select(r => r with { TimeMid = r.TimeMid.AddMinutes(30) }).ToList();
        return Finish(c, new WeatherMetadata(c.File, WeatherFormat.PvgisTmy, Nullable(lat), Nullable(lon), Nullable(elev), TimeSpan.Zero), mid);
    }

    private static WeatherSeries Midc(CsvCursor c)
    {
        var header = CsvCursor.Split(c.Next("the MIDC header"));
        int year = c.Column(header, "Year"), doy = c.Column(header, "DOY");
        var time = doy + 1;
        var zone = header[time].Trim();
        var offset = zone switch
        {
            "UTC" or "GMT" => TimeSpan.Zero,
            "EST" => TimeSpan.FromHours(-5),
            "CST" => TimeSpan.FromHours(-6),
            "MST" => TimeSpan.FromHours(-7),
            "PST" => TimeSpan.FromHours(-8),
            "HST" => TimeSpan.FromHours(-10),
            _ => throw InputException.InFile(c.File, $"line 1, column {time + 1}: expected a time column named UTC, EST, CST, MST, PST or HST, got \"{zone}\""),
        };
        int ghi = CsvCursor.ColumnStartingWith(header, "Global Horiz"), dni = CsvCursor.ColumnStartingWith(header, "Direct Normal"),
            dhi = CsvCursor.ColumnStartingWith(header, "Diffuse Horiz"), temp = CsvCursor.ColumnStartingWith(header, "Air Temperature"),
            wind = CsvCursor.ColumnStartingWith(header, "Avg Wind Speed"), pres = CsvCursor.ColumnStartingWith(header, "Station Pressure");
        if (ghi < 0)
        {
            throw c.Error("missing column \"Global Horiz ...\"");
        }
        if (temp < 0)
        {
            throw c.Error("missing column \"Air Temperature ...\"");
        }
        var ends = new List<DateTimeOffset>();
        var rows = new List<WeatherSample>();
        while (c.TryNext(out var line))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var f = CsvCursor.Split(line);
            var y = c.Integer(f, year, "Year");
            var d = c.Integer(f, doy, "DOY");
            var hhmm = c.Integer(f, time, zone);
            if (d is < 1 or > 366 || hhmm % 100 > 59 || hhmm / 100 > 24)
            {
                throw c.CellError(time, zone, $"expected day of year 1..366 and HHMM, got {d} and {hhmm}");
            }
            var end = new DateTimeOffset(y, 1, 1, 0, 0, 0, offset).AddDays(d - 1).AddHours(hhmm / 100).AddMinutes(hhmm % 100);
            ends.Add(end);
            rows.Add(new WeatherSample(end, c.Number(f, ghi, header[ghi]), c.Number(f, dni, dni < 0 ? "" : header[dni]), c.Number(f, dhi, dhi < 0 ? "" : header[dhi]),
                c.Number(f, temp, header[temp]), c.Number(f, wind, wind < 0 ? "" : header[wind]), c.Number(f, pres, pres < 0 ? "" : header[pres]) * 100.0));
        }
        var step = ends.Count > 1 ? ends[1] - ends[0] : TimeSpan.FromMinutes(1);
        var mid = rows.Select(r => r with { TimeMid = r.TimeMid - step / 2 }).ToList();
        return Finish(c, new WeatherMetadata(c.File, WeatherFormat.MidcRaw, null, null, null, offset) { Step = step }, mid);
    }

    private static WeatherSeries Plain(CsvCursor c)
    {
        var header = CsvCursor.Split(c.Next("the header")).Select(h => h.Trim()).ToArray();
        int time = c.Column(header, "time"), ghi = c.Column(header, "ghi_wm2"), dni = c.Column(header, "dni_wm2"), dhi = c.Column(header, "dhi_wm2"),
            temp = c.Column(header, "temp_air_c"), wind = c.Column(header, "wind_speed_ms");
        var pres = Array.IndexOf(header, "pressure_pa");
        var rows = new List<WeatherSample>();
        DateTimeOffset? offsetOf = null;
        while (c.TryNext(out var line))
        {
            if (line.Length == 0)
            {
                continue;
            }
            var f = CsvCursor.Split(line);
            var s = time < f.Length ? f[time].Trim() : "";
            if (!DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out var start) || !HasOffset(s))
            {
                throw c.CellError(time, "time", $"expected an ISO-8601 time with an offset such as 2024-06-01T12:00:00+02:00, got \"{s}\"");
            }
            offsetOf ??= start;
            rows.Add(new WeatherSample(start, c.Number(f, ghi, "ghi_wm2"), c.Number(f, dni, "dni_wm2"), c.Number(f, dhi, "dhi_wm2"),
                c.Number(f, temp, "temp_air_c"), c.Number(f, wind, "wind_speed_ms"), c.Number(f, pres, "pressure_pa")));
        }
        return FinishFromStarts(c, new WeatherMetadata(c.File, WeatherFormat.PlainCsv, null, null, null, offsetOf?.Offset ?? TimeSpan.Zero), rows);
    }

    private static DateTimeOffset Stamp(CsvCursor c, string[] f, string[] header, int year, int month, int day, int hour, int minute, TimeSpan offset)
    {
        int y = c.Integer(f, year, header[year]), mo = c.Integer(f, month, header[month]), d = c.Integer(f, day, header[day]),
            h = c.Integer(f, hour, header[hour]), mi = c.Integer(f, minute, header[minute]);
        if (mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(Math.Clamp(y, 1, 9999), mo) || h is < 0 or > 23 || mi is < 0 or > 59)
        {
            throw c.Error($"expected a valid date and time, got {y}-{mo}-{d} {h}:{mi}");
        }
        return new DateTimeOffset(y, mo, d, h, mi, 0, offset);
    }

    /// <summary>Rows whose TimeMid holds the interval start: the midpoint is start + half the distance to the next start
    /// (the last row reuses the previous step; a lone row is one hour long).</summary>
    private static WeatherSeries FinishFromStarts(CsvCursor c, WeatherMetadata meta, List<WeatherSample> rows)
    {
        var starts = rows.Select(r => r.TimeMid).ToArray();
        for (var i = 0; i < rows.Count; i++)
        {
            var step = i + 1 < rows.Count ? starts[i + 1] - starts[i]
                : i > 0 ? starts[i] - starts[i - 1] : TimeSpan.FromHours(1);
            if (step <= TimeSpan.Zero)
            {
                throw InputException.InFile(c.File, $"data row {i + 1}: expected times to increase, got {starts[i]:O} followed by {starts[i + 1]:O}");
            }
            rows[i] = rows[i] with { TimeMid = starts[i] + step / 2 };
        }
        return Finish(c, meta with { Step = starts.Length > 1 ? starts[1] - starts[0] : TimeSpan.FromHours(1) }, rows);
    }

    private static WeatherSeries Finish(CsvCursor c, WeatherMetadata meta, List<WeatherSample> rows)
    {
        if (rows.Count == 0)
        {
            throw InputException.InFile(c.File, "expected at least one data row, got none");
        }
        return new WeatherSeries(meta, rows);
    }

    private static double? Nullable(double v) => double.IsNaN(v) ? null : v;

    private static bool HasOffset(string s) =>
        s.EndsWith('Z') || (s.Length > 6 && (s[^6] is '+' or '-') && s[^3] == ':') || (s.Length > 5 && (s[^5] is '+' or '-') && char.IsDigit(s[^1]));
}
