using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Storage;

namespace PvEdge.EdgeAgent.Tests.Storage;

public sealed class AgentDatabaseTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-db-").FullName;

    private string Db => Path.Combine(_dir, "a.db");

    [Fact]
    public void Open_CorruptFileWithItsWal_MovedAsideWholeAndANewDatabaseWorks()
    {
        // what a power cut can leave on an SD card: bytes that are not a database, and a WAL beside them
        var garbage = Enumerable.Range(0, 20_000).Select(i => (byte)((i * 7919) % 251)).ToArray();
        File.WriteAllBytes(Db, garbage);
        File.WriteAllBytes(Db + "-wal", [1, 2, 3]);
        var told = new List<string>();

        using (var db = AgentDatabase.Open(Db, 100, 1 << 20, T0, told.Add))
        {
            db.Enqueue("t/a", "after", false, "anomaly", T0);
            Assert.Equal(1, db.OutboxCount());
        }

        var aside = Db + ".corrupt-20260621T120000Z";
        Assert.Equal(garbage, File.ReadAllBytes(aside));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(aside + "-wal"));
        var message = Assert.Single(told);
        Assert.Contains("is not a readable database", message, StringComparison.Ordinal);
        Assert.Contains(aside, message, StringComparison.Ordinal);
        // the next start finds the new database as it was left
        using var again = AgentDatabase.Open(Db, 100, 1 << 20, T0, told.Add);
        Assert.Equal(1, again.OutboxCount());
        Assert.Single(told);
    }

    [Fact]
    public void Open_HeaderIntactSchemaPageDamaged_MovedAsideAndANewDatabaseWorks()
    {
        using (var db = new AgentDatabase(Db))
        {
            db.Enqueue("t/a", "before", false, "anomaly", T0);
        }
        var bytes = File.ReadAllBytes(Db);
        for (var i = 100; i < 4096; i++)
        {
            bytes[i] = 0xA5; // the schema page after SQLite's 100-byte header
        }
        File.WriteAllBytes(Db, bytes);
        var told = new List<string>();

        using var reopened = AgentDatabase.Open(Db, 100, 1 << 20, T0, told.Add);

        Assert.Equal(0, reopened.OutboxCount());
        Assert.Contains("SQLite", Assert.Single(told), StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Db + ".corrupt-20260621T120000Z"));
    }

    [Fact]
    public void Open_OnePageOfHistoryDamaged_MovedAsideAndAllElseCopiedIntoANewDatabase()
    {
        // a worn card: the database opens, but one leaf page of the history reads back as garbage
        var days = 30;
        var start = T0 - TimeSpan.FromDays(days);
        string[] quantities = ["ac_power_w", "dc_power_w", "ghi_wm2", "temp_air_c"];
        long pageSize, damagedPage;
        using (var db = new AgentDatabase(Db))
        {
            for (var i = 0; i < 250; i++)
            {
                db.Enqueue("t/telemetry", $"{{\"n\":{i}}}", false, "telemetry", start);
            }
            for (var t = start; t < T0; t += TimeSpan.FromMinutes(15))
            {
                db.WriteHistory(t, TimeSpan.FromMinutes(15), quantities.Select(q => new KeyValuePair<string, double?>(q, (t - start).TotalMinutes)));
            }
            db.WriteHistory(T0, TimeSpan.FromMinutes(1), [new("ac_power_w", 1234)]);
            for (var d = 0; d < days; d++)
            {
                db.WritePerformanceDay(start + TimeSpan.FromDays(d), 0.8, 30);
            }
            db.SetRetained("t/status", "online", T0);
        }
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA page_size";
            pageSize = (long)cmd.ExecuteScalar()!;
            cmd.CommandText = "SELECT rootpage FROM sqlite_master WHERE name = 'history'";
            var leaves = LeafPages(File.ReadAllBytes(Db), (int)pageSize, (long)cmd.ExecuteScalar()!);
            Assert.True(leaves.Count > 20, $"{leaves.Count} leaf pages of history");
            damagedPage = leaves[leaves.Count / 2];
        }
        var bytes = File.ReadAllBytes(Db);
        Array.Fill(bytes, (byte)0xA5, (int)((damagedPage - 1) * pageSize), (int)pageSize);
        File.WriteAllBytes(Db, bytes);
        var told = new List<string>();

        using var reopened = AgentDatabase.Open(Db, 1000, 1 << 20, T0, told.Add);

        var message = Assert.Single(told);
        Assert.Contains("is damaged (SQLite's quick check:", message, StringComparison.Ordinal);
        Assert.Equal(bytes, File.ReadAllBytes(Db + ".corrupt-20260621T120000Z"));
        // everything but the damaged page's rows is kept, in a database that is whole
        var history = reopened.ReadHistory(start, T0, TimeSpan.FromMinutes(15));
        var all = days * 96 * quantities.Length;
        Assert.InRange(history.Count, all * 0.95, all - 1);
        Assert.All(history, v => Assert.Equal((v.StartUtc - start).TotalMinutes, v.Value));
        Assert.Contains($"history {history.Count + 1} values", message, StringComparison.Ordinal);
        Assert.Matches(@"\(([1-9]\d*) unreadable minute\(s\) lost\)", message);
        Assert.Equal(1234, Assert.Single(reopened.ReadHistory(T0, T0.AddMinutes(1), TimeSpan.FromMinutes(1))).Value);
        Assert.Equal(250, reopened.OutboxCount());
        Assert.Equal(Enumerable.Range(0, 250).Select(i => $"{{\"n\":{i}}}"), reopened.PeekOutbox(1000).Select(m => m.Payload));
        Assert.Equal(days, reopened.ReadPerformanceDays().Count);
        Assert.Equal("online", Assert.Single(reopened.ReadRetained()).Value);
        Assert.Contains("outbox 250 messages (0 lost), performance days 30 (0 lost), retained payloads 1", message, StringComparison.Ordinal);
        using (var c = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={Db};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA integrity_check";
            Assert.Equal("ok", cmd.ExecuteScalar());
        }
        // and the next start finds it whole: nothing said, nothing moved
        reopened.Dispose();
        using var again = AgentDatabase.Open(Db, 1000, 1 << 20, T0, told.Add);
        Assert.Single(told);
        Assert.Equal(history.Count, again.ReadHistory(start, T0, TimeSpan.FromMinutes(15)).Count);
    }

    // the leaf pages of one b-tree of a SQLite file, left to right (the file format's interior pages: type 2 or 5, cell count at +3,
    // right-most child at +8, cell pointers from +12, each cell starting with its left child's page number)
    private static List<long> LeafPages(byte[] file, int pageSize, long root)
    {
        var leaves = new List<long>();
        void Walk(long page)
        {
            var at = (int)((page - 1) * pageSize) + (page == 1 ? 100 : 0);
            var type = file[at];
            if (type is 10 or 13)
            {
                leaves.Add(page);
                return;
            }
            var cells = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at + 3));
            for (var c = 0; c < cells; c++)
            {
                var cell = System.Buffers.Binary.BinaryPrimitives.ReadUInt16BigEndian(file.AsSpan(at + 12 + (2 * c)));
                Walk(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)((page - 1) * pageSize) + cell)));
            }
            Walk(System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan(at + 8)));
        }
        Walk(root);
        return leaves;
    }

    [Fact]
    public void Open_PathWhereNoDatabaseCanBe_ConfigurationErrorNamingTheKey()
    {
        File.WriteAllText(Path.Combine(_dir, "a-file"), "");
        var path = Path.Combine(_dir, "a-file", "agent.db"); // a folder that is a file: refused to root as well

        var e = Assert.Throws<PvEdge.Shared.Cli.InputException>(() => AgentDatabase.Open(path, 100, 1 << 20, T0, _ => { }));

        Assert.StartsWith($"configuration key 'Storage:Path' = '{path}': no database can be opened or created there", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Describe_WhatTheAgentWillFind_WithoutCreatingAnything()
    {
        var fresh = Path.Combine(_dir, "sub", "new.db");
        Assert.Equal($"{fresh} (created at start)", AgentDatabase.Describe(fresh));
        Assert.False(Directory.Exists(Path.Combine(_dir, "sub")));
        Assert.Empty(Directory.GetFiles(_dir)); // the probe file is gone

        using (new AgentDatabase(Db))
        {
        }
        Assert.StartsWith($"{Db} (", AgentDatabase.Describe(Db), StringComparison.Ordinal);
        File.WriteAllText(Db, "not a database at all");
        Assert.EndsWith("is not a readable database: the agent will move it aside and start a new one", AgentDatabase.Describe(Db), StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(_dir, "a-file"), "");
        var e = Assert.Throws<PvEdge.Shared.Cli.InputException>(() => AgentDatabase.Describe(Path.Combine(_dir, "a-file", "x", "agent.db")));
        Assert.Contains("a-file is a file, not a folder", e.Message, StringComparison.Ordinal);
        Assert.Contains("is a folder", Assert.Throws<PvEdge.Shared.Cli.InputException>(() => AgentDatabase.Describe(_dir)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PeekOutbox_AfterAcknowledge_KeepsOrderAndDropsAcknowledged()
    {
        using var db = new AgentDatabase(Db);
        var a = db.Enqueue("t/a", "1", false, "anomaly", T0);
        var b = db.Enqueue("t/b", "2", false, "telemetry", T0);
        var c = db.Enqueue("t/c", "3", true, "anomaly", T0);
        db.Acknowledge(b);
        var left = db.PeekOutbox(10);
        Assert.Equal([a, c], left.Select(m => m.Id));
        Assert.True(left[1].Retain);
    }

    [Fact]
    public void Enqueue_DiskFull_DroppedCountedExplainedAndWhatWasStoredKept()
    {
        using var db = new AgentDatabase(Db);
        var first = db.Enqueue("t/a", "kept", false, "anomaly", T0);
        db.LimitPagesForTests(1); // below the file's size: every write that needs a page is refused, as on a full card
        var big = new string('x', 20_000);
        var refused = Enumerable.Range(0, 5).Select(_ => db.Enqueue("t/b", big, false, "telemetry", T0)).ToList();

        Assert.All(refused, id => Assert.Equal(-1, id));
        Assert.Equal(5, db.OutboxDropped);
        Assert.Contains("full", db.LastWriteError, StringComparison.OrdinalIgnoreCase);
        Assert.Equal([first], db.PeekOutbox(10).Select(m => m.Id));
        Assert.Equal(1, db.OutboxCount());
    }

    [Fact]
    public void PublishRetained_DiskFull_StillPublishedFromMemory()
    {
        using var db = new AgentDatabase(Db);
        var queue = new PvEdge.EdgeAgent.Publishing.PublishQueue(db, TimeProvider.System);
        queue.PublishRetained("t/forecast", "old");
        queue.TakeDirtyRetained();
        db.LimitPagesForTests(1);

        queue.PublishRetained("t/forecast", new string('n', 20_000));

        var dirty = Assert.Single(queue.TakeDirtyRetained());
        Assert.Equal(20_000, dirty.Value.Length);
        Assert.Equal("old", Assert.Single(db.ReadRetained()).Value); // the copy for the next start could not be written
    }

    [Fact]
    public void Enqueue_OverCapacity_DropsOldestTelemetryBeforeEvents()
    {
        using var db = new AgentDatabase(Db, outboxMaxMessages: 3);
        db.Enqueue("e", "event1", false, "anomaly", T0);
        db.Enqueue("t", "tel1", false, "telemetry", T0);
        db.Enqueue("t", "tel2", false, "telemetry", T0);
        db.Enqueue("e", "event2", false, "anomaly", T0);
        Assert.Equal(["event1", "tel2", "event2"], db.PeekOutbox(10).Select(m => m.Payload));
    }

    [Fact]
    public void Enqueue_OverByteLimit_DropsOldestTelemetryAndCountsIt()
    {
        using var db = new AgentDatabase(Db, outboxMaxMessages: 1000, outboxMaxBytes: 4096);
        var payload = new string('x', 999); // 1000 bytes with the one-byte topic
        db.Enqueue("e", "event" + payload[5..], false, "anomaly", T0);
        for (var i = 0; i < 6; i++)
        {
            db.Enqueue("t", $"{i}" + payload[1..], false, "telemetry", T0);
        }
        var left = db.PeekOutbox(10);
        Assert.Equal(4, left.Count);
        Assert.StartsWith("event", left[0].Payload, StringComparison.Ordinal);
        Assert.Equal(["3", "4", "5"], left.Skip(1).Select(m => m.Payload[..1]));
        Assert.Equal(3, db.OutboxDropped);
        Assert.Equal(4000, db.OutboxBytes);
        Assert.Equal(4, db.OutboxCount());
    }

    [Fact]
    public void OutboxCount_AfterAcknowledgeAndReopen_MatchesStoredMessages()
    {
        using (var db = new AgentDatabase(Db))
        {
            var a = db.Enqueue("t", "abc", false, "telemetry", T0);
            db.Enqueue("t", "defg", false, "telemetry", T0);
            db.Acknowledge(a);
            db.Acknowledge(a); // twice: counted once
            Assert.Equal(1, db.OutboxCount());
            Assert.Equal(5, db.OutboxBytes);
        }
        using var again = new AgentDatabase(Db);
        Assert.Equal(1, again.OutboxCount());
        Assert.Equal(5, again.OutboxBytes);
        Assert.Equal(0, again.OutboxDropped);
    }

    [Fact]
    public void ReadPerformanceDays_AfterReopen_OrderedWithLatestValuePerDay()
    {
        using (var db = new AgentDatabase(Db))
        {
            db.WritePerformanceDay(T0.AddDays(1), 0.97, 20);
            db.WritePerformanceDay(T0, 0.99, 21);
            db.WritePerformanceDay(T0.AddDays(1), 0.96, 19);
        }
        using var again = new AgentDatabase(Db);
        Assert.Equal([(T0, 0.99, 21.0), (T0.AddDays(1), 0.96, 19.0)], again.ReadPerformanceDays());
    }

    [Fact]
    public void Outbox_ReopenedAfterDispose_StillHoldsMessages()
    {
        using (var db = new AgentDatabase(Db))
        {
            db.Enqueue("t", "kept", false, "anomaly", T0);
        }
        using var again = new AgentDatabase(Db);
        Assert.Equal("kept", Assert.Single(again.PeekOutbox(10)).Payload);
    }

    [Fact]
    public void DeleteHistoryBefore_Cutoff_RemovesOnlyOlderValues()
    {
        using var db = new AgentDatabase(Db);
        db.WriteHistory(T0, TimeSpan.FromMinutes(1), [new("ac_power_w", 1.0)]);
        db.WriteHistory(T0.AddDays(2), TimeSpan.FromMinutes(1), [new("ac_power_w", 2.0)]);
        Assert.Equal(1, db.DeleteHistoryBefore(T0.AddDays(1)));
        var left = db.ReadHistory(T0.AddDays(-10), T0.AddDays(10), TimeSpan.FromMinutes(1));
        Assert.Equal(2.0, Assert.Single(left).Value);
    }

    [Fact]
    public void HistoryCsv_WriteThenRead_RoundTripsValuesAndMissingCells()
    {
        using var db = new AgentDatabase(Db);
        var step = TimeSpan.FromMinutes(15);
        db.WriteHistory(T0, step, [new("ac_power_w", 1500.5), new("dc_power_w__mppt1", 800.0), new("poa_wm2", null), new("energy_total_kwh", 5.0)]);
        db.WriteHistory(T0 + step, step, [new("ac_power_w", null), new("dc_power_w__mppt1", 810.0), new("poa_wm2", 700.0)]);
        var path = Path.Combine(_dir, "h.csv");
        using (var w = new StreamWriter(path))
        {
            Assert.Equal(2, HistoryCsv.Write(w, db.ReadHistory(T0, T0.AddHours(1), step)));
        }
        var lines = File.ReadAllLines(path);
        Assert.Equal("time,ac_power_w,dc_power_w__mppt1,poa_wm2", lines[0]);
        Assert.Equal("2026-06-21T12:00:00+00:00,1500.5,800,", lines[1]);
        var records = HistoryCsv.Read(path);
        Assert.Equal(step, records[0].Step);
        Assert.Null(records[1].Get("ac_power_w"));
        Assert.Equal(700, records[1].Get("poa_wm2"));
    }

    [Fact]
    public void HistoryCsvRead_BadCell_NamesLineAndColumn()
    {
        var path = Path.Combine(_dir, "bad.csv");
        File.WriteAllText(path, "time,ac_power_w\n2026-06-21T12:00:00+00:00,1\n2026-06-21T12:15:00+00:00,abc\n");
        var ex = Assert.Throws<PvEdge.Shared.Cli.InputException>(() => HistoryCsv.Read(path));
        Assert.Contains(":3:", ex.Message, StringComparison.Ordinal);
        Assert.Contains("ac_power_w", ex.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
