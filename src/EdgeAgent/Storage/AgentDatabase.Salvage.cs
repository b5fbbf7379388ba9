using System.Globalization;
using Microsoft.Data.Sqlite;

namespace PvEdge.EdgeAgent.Storage;

/// <summary>Damage found at start, and what is kept of a damaged database.</summary>
public sealed partial class AgentDatabase
{
    /// <summary>Steps the recorder writes (1 and 15 minutes): tried when the history's own steps cannot be read.</summary>
    private static readonly long[] RecordedStepsS = [60, 900];

    private const long HourMs = 3_600_000;
    private const long DayMs = 24 * HourMs;
    private const long MinuteMs = 60_000;

    /// <summary>SQLite's quick check of the open database (every page of every table and index read once: 0.5 s for 200 MB of
    /// history on the development machine with the file cached; on a Pi, reading the card sets the pace): null when it passes, else
    /// its first findings.</summary>
    private string? QuickCheck()
    {
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "PRAGMA quick_check(3)";
            using var r = cmd.ExecuteReader();
            var lines = new List<string>();
            while (r.Read())
            {
                lines.Add(r.GetString(0));
            }
            return lines is ["ok"] ? null : string.Join("; ", lines);
        }
        catch (SqliteException e)
        {
            return e.Message;
        }
    }

    /// <summary>Copies into this (new, empty) database what can still be read of a damaged one: history per step and day (a day
    /// SQLite cannot read is tried again by the hour, then by the minute, and a minute it still cannot read is lost), the outbox by
    /// ranges of ids (down to single messages), the degradation detector's performance days, and the retained payloads. Returns one
    /// line saying what was kept and what was lost; throws when the damaged file cannot be attached at all.</summary>
    private string SalvageFrom(string damagedPath, DateTimeOffset nowUtc)
    {
        lock (_gate)
        {
            using (var attach = _connection.CreateCommand())
            {
                attach.CommandText = "ATTACH DATABASE $p AS old";
                attach.Parameters.AddWithValue("$p", damagedPath);
                attach.ExecuteNonQuery();
            }
            try
            {
                // keys outside what the agent keeps (a value a damaged page made up) are not looked for
                var (oldest, newest) = (nowUtc.ToUnixTimeMilliseconds() - (3650 * DayMs), nowUtc.ToUnixTimeMilliseconds() + DayMs);
                // a table's keys [lo, hi) from its first and last row (each one path of its index), within the bounds given, and
                // at most `longest` wide, counted back from the top
                (long Lo, long Hi) Span(string table, string column, string where, long lo, long hi, long longest)
                {
                    var from = TryScalar($"SELECT MIN({column}) FROM old.{table}{where}", out var first) && first is { } f ? Math.Max(lo, f) : lo;
                    var to = TryScalar($"SELECT MAX({column}) FROM old.{table}{where}", out var last) && last is { } l ? Math.Min(hi, l + 1) : hi;
                    return (Math.Max(from, to - longest), to);
                }
                long historyRows = 0, lostMinutes = 0;
                foreach (var step in Steps())
                {
                    var (lo, hi) = Span("history", "start_ms", $" WHERE step_s = {step}", oldest, newest, newest - oldest);
                    var (rows, lost) = CopyRanges(
                        $"INSERT OR IGNORE INTO main.history SELECT * FROM old.history WHERE step_s = {step} AND start_ms >= $a AND start_ms < $b",
                        lo, hi, [DayMs, HourMs, MinuteMs]);
                    historyRows += rows;
                    lostMinutes += lost;
                }
                var lastId = TryScalar("SELECT seq FROM old.sqlite_sequence WHERE name = 'outbox'", out var seq) && seq is { } q ? q : _outboxMax;
                var ids = Span("outbox", "id", "", 1, lastId + 1, _outboxMax);
                var (outboxRows, lostMessages) = CopyRanges("INSERT OR IGNORE INTO main.outbox SELECT * FROM old.outbox WHERE id >= $a AND id < $b",
                    ids.Lo, ids.Hi, [1000, 10, 1]);
                var daySpan = Span("performance_days", "day_ms", "", oldest, newest, newest - oldest);
                var (days, lostDays) = CopyRanges("INSERT OR IGNORE INTO main.performance_days SELECT * FROM old.performance_days WHERE day_ms >= $a AND day_ms < $b",
                    daySpan.Lo, daySpan.Hi, [365 * DayMs, DayMs]);
                // a few payloads the agent publishes again as it runs: all or none
                var retained = TryExecute("INSERT OR IGNORE INTO main.retained SELECT * FROM old.retained", out var n) ? n.ToString(CultureInfo.InvariantCulture) : "unreadable (sent again as the agent runs)";
                CountOutbox();
                return string.Create(CultureInfo.InvariantCulture,
                    $"history {historyRows} values ({lostMinutes} unreadable minute(s) lost), outbox {outboxRows} messages ({lostMessages} lost), performance days {days} ({lostDays} lost), retained payloads {retained}");
            }
            finally
            {
                TryExecute("DETACH DATABASE old", out _);
            }
        }
    }

    // the history's steps, found by seeking from one to the next (each seek reads one path of the index), with the recorder's own
    // when a seek fails
    private List<long> Steps()
    {
        var steps = new List<long>();
        var sql = "SELECT MIN(step_s) FROM old.history";
        while (steps.Count < 100)
        {
            if (!TryScalar(sql, out var step))
            {
                return [.. steps.Union(RecordedStepsS)];
            }
            if (step is not { } s)
            {
                break;
            }
            steps.Add(s);
            sql = $"SELECT MIN(step_s) FROM old.history WHERE step_s > {s}";
        }
        return steps;
    }

    // one integer SQLite answers (null for NULL); false when the damage makes it unreadable
    private bool TryScalar(string sql, out long? value)
    {
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            value = cmd.ExecuteScalar() is long v ? v : null;
            return true;
        }
        catch (SqliteException)
        {
            value = null;
            return false;
        }
    }

    private bool TryExecute(string sql, out int rows)
    {
        try
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = sql;
            rows = cmd.ExecuteNonQuery();
            return true;
        }
        catch (SqliteException)
        {
            rows = 0;
            return false;
        }
    }

    // runs an INSERT ... SELECT over [lo, hi) in chunks of sizes[0] ($a, $b); a chunk that fails (an unreadable page) is tried again
    // in chunks of the next size; a chunk of the last size that fails is counted lost. Returns the rows copied and the chunks lost.
    private (long Rows, long Lost) CopyRanges(string sql, long lo, long hi, long[] sizes, int level = 0)
    {
        long rows = 0, lost = 0;
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        var a = cmd.Parameters.Add("$a", SqliteType.Integer);
        var b = cmd.Parameters.Add("$b", SqliteType.Integer);
        for (var from = lo; from < hi; from += sizes[level])
        {
            var to = Math.Min(hi, from + sizes[level]);
            a.Value = from;
            b.Value = to;
            try
            {
                rows += cmd.ExecuteNonQuery();
            }
            catch (SqliteException)
            {
                var (r, l) = level + 1 < sizes.Length ? CopyRanges(sql, from, to, sizes, level + 1) : (0, 1);
                rows += r;
                lost += l;
            }
        }
        return (rows, lost);
    }
}
