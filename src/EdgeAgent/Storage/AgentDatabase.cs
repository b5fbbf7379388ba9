using System.Globalization;
using Microsoft.Data.Sqlite;
using PvEdge.Shared.Cli;

namespace PvEdge.EdgeAgent.Storage;

/// <summary>One message waiting in the outbox.</summary>
public sealed record OutboxMessage(long Id, string Topic, string Payload, bool Retain, DateTimeOffset CreatedUtc);

/// <summary>One aggregated value of the history.</summary>
public sealed record HistoryValue(DateTimeOffset StartUtc, int StepS, string Quantity, double? Value);

/// <summary>The agent's SQLite database (WAL): measured history with retention, the outbox of QoS 1 messages (and of telemetry the
/// broker has not confirmed), and the last payload of each retained topic. One connection, serialised by a lock; every call is short.
/// The outbox is bounded by a message count and a size in bytes, so a week-long broker outage cannot fill the SD card: beyond either
/// limit the oldest telemetry goes first, then the oldest of anything, and <see cref="OutboxDropped"/> counts what was dropped.</summary>
public sealed partial class AgentDatabase : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _gate = new();
    private readonly int _outboxMax;
    private readonly long _outboxMaxBytes;
    private long _outboxCount;
    private long _outboxBytes;

    /// <param name="path">database file</param>
    /// <param name="outboxMaxMessages">most messages kept in the outbox</param>
    /// <param name="outboxMaxBytes">most bytes (topic + payload, UTF-8) kept in the outbox</param>
    public AgentDatabase(string path, int outboxMaxMessages = 200_000, long outboxMaxBytes = 64L * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outboxMaxMessages, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outboxMaxBytes, 1024);
        _outboxMax = outboxMaxMessages;
        _outboxMaxBytes = outboxMaxBytes;
        var dir = System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(dir))
        {
            Directory.CreateDirectory(dir);
        }
        Path = path;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        try
        {
            Initialise();
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <summary>SQLite's answers for a file that is not a database (11 malformed, 26 not a database): an SD card after a power cut.</summary>
    private static bool Corrupt(SqliteException e) => e.SqliteErrorCode is 11 or 26;

    /// <summary>Opens the agent's database at its configured path. A file SQLite cannot read as a database is moved aside, with its WAL
    /// and shared-memory files, to <c>&lt;path&gt;.corrupt-&lt;UTC time&gt;</c> (kept for recovery, <paramref name="movedAside"/> told)
    /// and a new database started: a gateway must not stop for good on a card corrupted by a power cut. A database that opens but fails
    /// SQLite's quick check (a damaged page deep in a table: a worn SD card) is moved aside too, and what can still be read of it is
    /// copied into the new one (<see cref="SalvageFrom"/>). A path where no database can be opened or created is a configuration error
    /// naming <c>Storage:Path</c>.</summary>
    public static AgentDatabase Open(string path, int outboxMaxMessages, long outboxMaxBytes, DateTimeOffset nowUtc, Action<string> movedAside)
    {
        ArgumentNullException.ThrowIfNull(movedAside);
        try
        {
            // a file without SQLite's header is moved aside before SQLite touches it (closing, SQLite would delete its WAL)
            if (!LooksLikeSqlite(path))
            {
                movedAside(NotReadable(path, "it does not begin with SQLite's header", MoveAside(path, nowUtc)));
            }
            AgentDatabase db;
            try
            {
                db = new AgentDatabase(path, outboxMaxMessages, outboxMaxBytes);
            }
            catch (SqliteException e) when (Corrupt(e))
            {
                movedAside(NotReadable(path, $"SQLite: {e.Message}", MoveAside(path, nowUtc)));
                return new AgentDatabase(path, outboxMaxMessages, outboxMaxBytes);
            }
            if (db.QuickCheck() is not { } damage)
            {
                return db;
            }
            db.Dispose();
            var aside = MoveAside(path, nowUtc);
            var fresh = new AgentDatabase(path, outboxMaxMessages, outboxMaxBytes);
            string salvaged;
            try
            {
                salvaged = $"started a new one with what could be read of it: {fresh.SalvageFrom(aside, nowUtc)}";
            }
            catch (SqliteException e)
            {
                // the new database is whole; what the old one holds stays aside for recovery by hand
                salvaged = $"started a new one; nothing could be read of it ({e.Message})";
            }
            movedAside($"{path} is damaged (SQLite's quick check: {damage}); moved aside to {aside} and {salvaged}");
            return fresh;
        }
        catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InputException($"configuration key 'Storage:Path' = '{path}': no database can be opened or created there ({e.Message}); the agent must be able to write to that folder");
        }
    }

    /// <summary>What the agent will find at a database path, without creating or changing anything: for <c>check-config</c>. Throws
    /// <see cref="InputException"/> naming <c>Storage:Path</c> where no database can be created (a folder that is a file, or one
    /// this user may not write to).</summary>
    public static string Describe(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string Refuse(string why) => throw new InputException($"configuration key 'Storage:Path' = '{path}': {why}");
        try
        {
            var full = System.IO.Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                return Refuse("is a folder, expected a database file's path");
            }
            if (File.Exists(full))
            {
                var mb = new FileInfo(full).Length / (1024.0 * 1024.0);
                return LooksLikeSqlite(full)
                    ? string.Create(CultureInfo.InvariantCulture, $"{full} ({mb:0.0} MB)")
                    : $"{full} is not a readable database: the agent will move it aside and start a new one";
            }
            // the nearest folder that exists must take a new file
            var folder = System.IO.Path.GetDirectoryName(full);
            while (folder is not null && !Directory.Exists(folder))
            {
                if (File.Exists(folder))
                {
                    return Refuse($"{folder} is a file, not a folder");
                }
                folder = System.IO.Path.GetDirectoryName(folder);
            }
            var probe = System.IO.Path.Combine(folder ?? "/", $".edgeagent-check-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return $"{full} (created at start)";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refuse($"no database can be created there ({e.Message}); the agent must be able to write to that folder");
        }
    }

    // false for an existing, non-empty file that does not begin with SQLite's header ("SQLite format 3\0")
    private static bool LooksLikeSqlite(string path)
    {
        if (!File.Exists(path) || new FileInfo(path).Length == 0)
        {
            return true;
        }
        using var file = File.OpenRead(path);
        Span<byte> header = stackalloc byte[16];
        return file.ReadAtLeast(header, 16, throwOnEndOfStream: false) == 16 && header.SequenceEqual("SQLite format 3\0"u8);
    }

    private static string NotReadable(string path, string why, string aside) =>
        $"{path} is not a readable database ({why}); moved aside to {aside} and started a new one: history and outbox start empty";

    // moves the database and its WAL and shared-memory files to <path>.corrupt-<UTC time>[-n]; returns that path
    private static string MoveAside(string path, DateTimeOffset nowUtc)
    {
        var stamp = nowUtc.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = $"{path}.corrupt-{stamp}";
        for (var n = 2; File.Exists(aside); n++)
        {
            aside = string.Create(CultureInfo.InvariantCulture, $"{path}.corrupt-{stamp}-{n}");
        }
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            if (File.Exists(path + suffix))
            {
                File.Move(path + suffix, aside + suffix);
            }
        }
        return aside;
    }

    private void Initialise()
    {
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS history (
              start_ms INTEGER NOT NULL, step_s INTEGER NOT NULL, quantity TEXT NOT NULL, value REAL,
              PRIMARY KEY (step_s, start_ms, quantity)) WITHOUT ROWID;
            CREATE TABLE IF NOT EXISTS outbox (
              id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload TEXT NOT NULL,
              retain INTEGER NOT NULL, kind TEXT NOT NULL, created_ms INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS retained (topic TEXT PRIMARY KEY, payload TEXT NOT NULL, updated_ms INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS performance_days (day_ms INTEGER PRIMARY KEY, pr REAL NOT NULL, expected_kwh REAL NOT NULL);
            """);
        CountOutbox();
    }

    // the outbox's message count and size, which the limits keep up to date from here on
    private void CountOutbox()
    {
        using var totals = _connection.CreateCommand();
        totals.CommandText = $"SELECT COUNT(*), COALESCE(SUM({SizeSql}), 0) FROM outbox";
        using var r = totals.ExecuteReader();
        r.Read();
        _outboxCount = r.GetInt64(0);
        _outboxBytes = r.GetInt64(1);
    }

    /// <summary>The size of one outbox row as the limit counts it: topic and payload in UTF-8 bytes.</summary>
    private const string SizeSql = "length(CAST(topic AS BLOB)) + length(CAST(payload AS BLOB))";

    /// <summary>Messages dropped from the outbox since the database was opened because it was over its limits.</summary>
    public long OutboxDropped { get; private set; }

    /// <summary>Bytes (topic + payload) waiting in the outbox.</summary>
    public long OutboxBytes
    {
        get
        {
            lock (_gate)
            {
                return _outboxBytes;
            }
        }
    }

    public string Path { get; }

    /// <summary>Stores aggregated values (replacing a value already stored for the same interval).</summary>
    public void WriteHistory(DateTimeOffset startUtc, TimeSpan step, IEnumerable<KeyValuePair<string, double?>> values)
    {
        lock (_gate)
        {
            using var tx = _connection.BeginTransaction();
            using var cmd = _connection.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = "INSERT OR REPLACE INTO history (start_ms, step_s, quantity, value) VALUES ($s, $st, $q, $v)";
            var pS = cmd.Parameters.Add("$s", SqliteType.Integer);
            var pSt = cmd.Parameters.Add("$st", SqliteType.Integer);
            var pQ = cmd.Parameters.Add("$q", SqliteType.Text);
            var pV = cmd.Parameters.Add("$v", SqliteType.Real);
            foreach (var (q, v) in values)
            {
                pS.Value = startUtc.ToUnixTimeMilliseconds();
                pSt.Value = (int)step.TotalSeconds;
                pQ.Value = q;
                pV.Value = v is { } d && double.IsFinite(d) ? d : DBNull.Value;
                cmd.ExecuteNonQuery();
            }
            tx.Commit();
        }
    }

    /// <summary>The values of one resolution in [from, to), ordered by time.</summary>
    public List<HistoryValue> ReadHistory(DateTimeOffset fromUtc, DateTimeOffset toUtc, TimeSpan step)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT start_ms, quantity, value FROM history WHERE step_s = $st AND start_ms >= $f AND start_ms < $t ORDER BY start_ms, quantity";
            cmd.Parameters.AddWithValue("$st", (int)step.TotalSeconds);
            cmd.Parameters.AddWithValue("$f", fromUtc.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$t", toUtc.ToUnixTimeMilliseconds());
            using var r = cmd.ExecuteReader();
            var list = new List<HistoryValue>();
            while (r.Read())
            {
                list.Add(new HistoryValue(DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), (int)step.TotalSeconds, r.GetString(1), r.IsDBNull(2) ? null : r.GetDouble(2)));
            }
            return list;
        }
    }

    /// <summary>Deletes history older than the cutoff; returns the number of values removed.</summary>
    public int DeleteHistoryBefore(DateTimeOffset cutoffUtc)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "DELETE FROM history WHERE start_ms < $c";
            cmd.Parameters.AddWithValue("$c", cutoffUtc.ToUnixTimeMilliseconds());
            return cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Queues a QoS 1 message. <paramref name="kind"/> ("telemetry", "anomaly"...) decides what is dropped first when the outbox is full:
    /// telemetry goes before events. Returns the outbox id, or -1 when the database could not take it (the disk is full, the card
    /// read-only): the message is then dropped and counted in <see cref="OutboxDropped"/>, and <see cref="LastWriteError"/> says
    /// why, so a full SD card costs the messages that arrive while it is full and nothing else.</summary>
    public long Enqueue(string topic, string payload, bool retain, string kind, DateTimeOffset nowUtc)
    {
        try
        {
            var id = Insert(topic, payload, retain, kind, nowUtc);
            LastWriteError = null;
            return id;
        }
        catch (SqliteException ex)
        {
            lock (_gate)
            {
                OutboxDropped++;
                LastWriteError = ex.Message;
            }
            return -1;
        }
    }

    /// <summary>The last write the database refused (<see cref="Enqueue"/>), or null.</summary>
    public string? LastWriteError { get; private set; }

    /// <summary>Tests: caps the database file at <paramref name="pages"/> pages, after which SQLite answers every write that needs
    /// a new page with SQLITE_FULL, as on a full disk.</summary>
    internal void LimitPagesForTests(long pages) => Execute($"PRAGMA max_page_count={pages};");

    private long Insert(string topic, string payload, bool retain, string kind, DateTimeOffset nowUtc)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT INTO outbox (topic, payload, retain, kind, created_ms) VALUES ($t, $p, $r, $k, $c); SELECT last_insert_rowid();";
            cmd.Parameters.AddWithValue("$t", topic);
            cmd.Parameters.AddWithValue("$p", payload);
            cmd.Parameters.AddWithValue("$r", retain ? 1 : 0);
            cmd.Parameters.AddWithValue("$k", kind);
            cmd.Parameters.AddWithValue("$c", nowUtc.ToUnixTimeMilliseconds());
            var id = (long)cmd.ExecuteScalar()!;
            _outboxCount++;
            _outboxBytes += System.Text.Encoding.UTF8.GetByteCount(topic) + System.Text.Encoding.UTF8.GetByteCount(payload);
            TrimOutbox();
            return id;
        }
    }

    /// <summary>Drops the oldest telemetry, then the oldest of anything, until the outbox is within both limits.</summary>
    private void TrimOutbox()
    {
        while (_outboxCount > _outboxMax || _outboxBytes > _outboxMaxBytes)
        {
            // the excess in messages, or one at a time while only the byte limit is exceeded
            using var del = _connection.CreateCommand();
            del.CommandText = $"""
                DELETE FROM outbox WHERE id IN (
                  SELECT id FROM outbox ORDER BY CASE kind WHEN 'telemetry' THEN 0 ELSE 1 END, id LIMIT $n)
                RETURNING {SizeSql}
                """;
            del.Parameters.AddWithValue("$n", _outboxCount > _outboxMax ? _outboxCount - _outboxMax : 1);
            using var r = del.ExecuteReader();
            var removed = 0;
            while (r.Read())
            {
                _outboxBytes -= r.GetInt64(0);
                removed++;
            }
            if (removed == 0)
            {
                return;
            }
            _outboxCount -= removed;
            OutboxDropped += removed;
        }
    }

    /// <summary>The oldest waiting messages, in the order they were queued.</summary>
    public List<OutboxMessage> PeekOutbox(int max)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT id, topic, payload, retain, created_ms FROM outbox ORDER BY id LIMIT $n";
            cmd.Parameters.AddWithValue("$n", max);
            using var r = cmd.ExecuteReader();
            var list = new List<OutboxMessage>();
            while (r.Read())
            {
                list.Add(new OutboxMessage(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetInt64(3) != 0, DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(4))));
            }
            return list;
        }
    }

    /// <summary>Removes a message the broker acknowledged.</summary>
    public void Acknowledge(long id)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = $"DELETE FROM outbox WHERE id = $id RETURNING {SizeSql}";
            cmd.Parameters.AddWithValue("$id", id);
            using var r = cmd.ExecuteReader();
            if (r.Read())
            {
                _outboxCount--;
                _outboxBytes -= r.GetInt64(0);
            }
        }
    }

    /// <summary>Messages waiting in the outbox.</summary>
    public long OutboxCount()
    {
        lock (_gate)
        {
            return _outboxCount;
        }
    }

    /// <summary>Remembers the latest payload of a retained topic (re-published after every reconnect and restart).</summary>
    public void SetRetained(string topic, string payload, DateTimeOffset nowUtc)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO retained (topic, payload, updated_ms) VALUES ($t, $p, $u)";
            cmd.Parameters.AddWithValue("$t", topic);
            cmd.Parameters.AddWithValue("$p", payload);
            cmd.Parameters.AddWithValue("$u", nowUtc.ToUnixTimeMilliseconds());
            cmd.ExecuteNonQuery();
        }
    }

    public List<KeyValuePair<string, string>> ReadRetained()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT topic, payload FROM retained ORDER BY topic";
            using var r = cmd.ExecuteReader();
            var list = new List<KeyValuePair<string, string>>();
            while (r.Read())
            {
                list.Add(new(r.GetString(0), r.GetString(1)));
            }
            return list;
        }
    }

    /// <summary>Stores one day's performance ratio (the degradation detector's memory across restarts; a few bytes a day, kept for good).</summary>
    public void WritePerformanceDay(DateTimeOffset dayUtc, double performanceRatio, double expectedKwh)
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "INSERT OR REPLACE INTO performance_days (day_ms, pr, expected_kwh) VALUES ($d, $p, $e)";
            cmd.Parameters.AddWithValue("$d", dayUtc.ToUnixTimeMilliseconds());
            cmd.Parameters.AddWithValue("$p", performanceRatio);
            cmd.Parameters.AddWithValue("$e", expectedKwh);
            cmd.ExecuteNonQuery();
        }
    }

    /// <summary>Every stored day's (start, performance ratio, expected kWh), oldest first.</summary>
    public List<(DateTimeOffset DayUtc, double PerformanceRatio, double ExpectedKwh)> ReadPerformanceDays()
    {
        lock (_gate)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT day_ms, pr, expected_kwh FROM performance_days ORDER BY day_ms";
            using var r = cmd.ExecuteReader();
            var list = new List<(DateTimeOffset, double, double)>();
            while (r.Read())
            {
                list.Add((DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(0)), r.GetDouble(1), r.GetDouble(2)));
            }
            return list;
        }
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public void Dispose()
    {
        _connection.Dispose();
    }

    internal static string Invariant(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
