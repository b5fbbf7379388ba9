using System.Globalization;
using PvEdge.ModelExport.Import;
using PvEdge.Shared.Cli;
using PvEdge.Shared.Features;

namespace PvEdge.ModelExport.Commands;

/// <summary><c>modelexport import-history --csv F[,G] --map "ac_power_w=…;poa_wm2=…" --out H</c>: a measured system's logger
/// files as a history CSV (see <see cref="HistoryImport"/>).</summary>
public sealed class ImportHistoryCommand : ICliCommand
{
    public string Name => "import-history";

    public string Usage => "import-history --csv F[,G…] --map \"ac_power_w=EXPR;poa_wm2=EXPR;…\" --out H [--utc-offset -07:00] [--time COLUMN] [--header-line 0] [--data-line 1] " +
        "[--time-is-end] [--step-minutes 0] [--timezone Europe/Berlin]  logger CSV files (PVDAQ, Campbell TOA5 with --header-line 1 --data-line 4 --time-is-end) as a history CSV; --timezone reads naive wall-clock times with daylight saving time (a portal's export) instead of one --utc-offset";

    public Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(context);
        var files = args.Required("csv").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mapText = args.Required("map");
        var output = args.Required("out");
        var offsetGiven = args.Optional("utc-offset");
        var offsetText = offsetGiven ?? "+00:00";
        var time = args.Optional("time");
        var header = args.Int("header-line", 0, 0);
        var data = args.Int("data-line", header + 1, header + 1);
        var end = args.Flag("time-is-end");
        var step = args.Int("step-minutes", 0, 0, 1440);
        var zoneId = args.Optional("timezone");
        args.RejectUnknown();
        TimeZoneInfo? zone = null;
        if (zoneId is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out zone))
        {
            throw new InputException($"option --timezone: '{zoneId}' is not a time zone this system knows (expected an IANA id such as Europe/Berlin)");
        }
        if (zone is not null && offsetGiven is not null)
        {
            throw new InputException("options --timezone and --utc-offset: give one of them");
        }
        if (!TimeSpan.TryParseExact(offsetText!.TrimStart('+', '-'), ["hh\\:mm", "h\\:mm"], CultureInfo.InvariantCulture, out var offset)
            || offset > TimeSpan.FromHours(14))
        {
            throw new InputException($"option --utc-offset: '{offsetText}' is not an offset (expected ±hh:mm)");
        }
        if (offsetText.StartsWith('-'))
        {
            offset = offset.Negate();
        }
        var map = mapText.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(m =>
        {
            var eq = m.IndexOf('=', StringComparison.Ordinal);
            return eq > 0 ? (m[..eq].Trim(), m[(eq + 1)..].Trim()) : throw new InputException($"option --map: '{m}' is not column=formula");
        }).ToArray();
        var (times, columns) = HistoryImport.Read(files, new HistoryImportOptions(header, data, time, offset, end, map, step, zone));
        History.Write(output, times, columns);
        context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"wrote {output}: {times.Length} rows from {(times.Length > 0 ? times[0].ToString("yyyy-MM-ddTHH:mmzzz", CultureInfo.InvariantCulture) : "-")}, columns {string.Join(", ", columns.Keys)}"));
        return Task.FromResult(0);
    }
}
