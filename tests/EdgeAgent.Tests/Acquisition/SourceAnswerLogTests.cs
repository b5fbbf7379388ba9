using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Acquisition.SunSpec;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.Modbus.Client;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Acquisition;

/// <summary>An installer's view of a configured device that does not answer: one warning when it stops answering (or has not
/// answered since start), one information line when it answers again, never a line per failed poll.</summary>
public sealed class SourceAnswerLogTests
{
    private const int SourceFailed = 201;
    private const int NotAnswering = 204;
    private const int AnswersAgain = 205;
    private static readonly DateTimeOffset Start = new(2026, 6, 21, 10, 0, 5, TimeSpan.Zero);

    /// <summary>Answers or not at each poll as its script says (the last entry repeats), as a Modbus source does: a device that
    /// does not answer gives every quantity Missing with the reason; null: the read throws (a faulty source).</summary>
    private sealed class ScriptedSource(TimeProvider clock, params bool?[] script) : IReadingSource
    {
        private int _polls;

        public int Polls => Volatile.Read(ref _polls);

        public string Name => "inverter";

        public TimeSpan Cadence => TimeSpan.FromSeconds(10);

        public string Endpoint => "192.0.2.10:502 unit 1";

        public Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
        {
            var answers = script[Math.Min(_polls, script.Length - 1)];
            Interlocked.Increment(ref _polls);
            if (answers is null)
            {
                throw new InvalidOperationException("decoder bug");
            }
            var now = clock.GetUtcNow();
            IReadOnlyList<Reading> readings = answers.Value
                ? [Reading.Good("ac_power_w", 1000, now, "inverter/unit1"), Reading.Good("inverter_state", 4, now, "inverter/unit1")]
                : [Reading.Missing("ac_power_w", now, "inverter/unit1", "no reply from unit 1 within 1000 ms"),
                    Reading.Missing("inverter_state", now, "inverter/unit1", "no reply from unit 1 within 1000 ms")];
            return Task.FromResult(readings);
        }
    }

    /// <summary>Runs the acquisition loop over <paramref name="script"/> (one poll per 10 s) and one poll more, so that the last
    /// scripted poll has been looked at; returns the log lines of the source's answers and failures.</summary>
    private static async Task<List<(LogLevel Level, int EventId, string Message)>> RunAsync(params bool?[] script)
    {
        var clock = new FakeTimeProvider(Start);
        var source = new ScriptedSource(clock, script);
        var logger = new TestLogger<AcquisitionService>();
        using var service = new AcquisitionService([source], new StageChannels(), clock, Options.Create(new AcquisitionOptions()),
            new LiveState(), logger, new PipelineHealth(clock));
        await service.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await Poll.UntilAsync(() => source.Polls >= 1, TimeSpan.FromSeconds(10), 5), "first poll");
            for (var n = 2; n <= script.Length + 1; n++)
            {
                clock.Advance(source.Cadence);
                Assert.True(await Poll.UntilAsync(() => source.Polls >= n, TimeSpan.FromSeconds(10), 5), $"poll {n}");
            }
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
        return logger.Lines.Where(l => l.EventId is SourceFailed or NotAnswering or AnswersAgain).ToList();
    }

    [Fact]
    public async Task DeviceStopsAnsweringTwiceThenAnswers_OneWarningThenOneInformation()
    {
        var lines = await RunAsync(true, true, false, false, true, true);
        Assert.Collection(lines,
            warning =>
            {
                Assert.Equal((LogLevel.Warning, NotAnswering), (warning.Level, warning.EventId));
                Assert.Equal("source inverter at 192.0.2.10:502 unit 1 does not answer: no reply from unit 1 within 1000 ms "
                    + "(last answer: 2026-06-21 10:00:15 UTC); its readings count as missing, and this is said again only when it answers",
                    warning.Message);
            },
            information =>
            {
                Assert.Equal((LogLevel.Information, AnswersAgain), (information.Level, information.EventId));
                Assert.Equal("source inverter at 192.0.2.10:502 unit 1 answers again, after 20 s without values", information.Message);
            });
    }

    [Fact]
    public async Task DeviceNeverAnswersSinceStart_OneWarningAfterTheFirstPollAndNoMore()
    {
        var lines = await RunAsync(false, false, false, false, false);
        var warning = Assert.Single(lines);
        Assert.Equal((LogLevel.Warning, NotAnswering), (warning.Level, warning.EventId));
        Assert.Contains("source inverter at 192.0.2.10:502 unit 1 does not answer: no reply from unit 1", warning.Message, StringComparison.Ordinal);
        Assert.Contains("(last answer: none since start)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeviceNeverAnsweredThenAnswers_InformationLine()
    {
        var lines = await RunAsync(false, false, true);
        Assert.Equal([(LogLevel.Warning, NotAnswering), (LogLevel.Information, AnswersAgain)], lines.Select(l => (l.Level, l.EventId)));
    }

    [Fact]
    public async Task DeviceAnswersThroughout_NothingLogged()
    {
        Assert.Empty(await RunAsync(true, true, true));
    }

    [Fact]
    public async Task DeviceFlapping_OneLinePerChangeNotPerPoll()
    {
        var lines = await RunAsync(true, false, false, false, true, false, false, true);
        Assert.Equal([NotAnswering, AnswersAgain, NotAnswering, AnswersAgain], lines.Select(l => l.EventId));
    }

    /// <summary>Counts the polls of a real source, passing everything through.</summary>
    private sealed class Counting(IReadingSource inner) : IReadingSource
    {
        private int _polls;

        public int Polls => Volatile.Read(ref _polls);

        public string Name => inner.Name;

        public TimeSpan Cadence => inner.Cadence;

        public string? Endpoint => inner.Endpoint;

        public async Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken)
        {
            var readings = await inner.ReadAsync(cancellationToken);
            Interlocked.Increment(ref _polls);
            return readings;
        }
    }

    [Fact]
    public async Task SunSpecSourceAtClosedPort_OneWarningNamingEndpointAndConnectionRefused()
    {
        var port = ExternalTools.FreeTcpPort();
        var clock = new FakeTimeProvider(Start);
        await using var client = ModbusClient.ForTcp("127.0.0.1", port, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(300), Retries = 0 });
        var source = new Counting(new SunSpecReadingSource("inverter", client, [1], TimeSpan.FromSeconds(10), clock));
        var logger = new TestLogger<AcquisitionService>();
        using var service = new AcquisitionService([source], new StageChannels(), clock, Options.Create(new AcquisitionOptions()),
            new LiveState(), logger, new PipelineHealth(clock));
        await service.StartAsync(CancellationToken.None);
        try
        {
            for (var n = 1; n <= 3; n++)
            {
                Assert.True(await Poll.UntilAsync(() => source.Polls >= n, TimeSpan.FromSeconds(10), 5), $"poll {n}");
                clock.Advance(source.Cadence);
            }
            Assert.True(await Poll.UntilAsync(() => source.Polls >= 4, TimeSpan.FromSeconds(10), 5), "poll 4");
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
        var warning = Assert.Single(logger.Lines, l => l.EventId is NotAnswering or AnswersAgain);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.StartsWith($"source inverter at 127.0.0.1:{port} unit 1 does not answer: ", warning.Message, StringComparison.Ordinal);
        Assert.Contains("connection refused", warning.Message, StringComparison.Ordinal);
        Assert.Contains("(last answer: none since start)", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SourceThrowsAtEveryPollThenAnswers_OneFailureLineThenOneInformation()
    {
        var lines = await RunAsync(true, null, null, null, true);
        Assert.Collection(lines,
            failed =>
            {
                Assert.Equal((LogLevel.Warning, SourceFailed), (failed.Level, failed.EventId));
                Assert.Contains("decoder bug", failed.Message, StringComparison.Ordinal);
            },
            again => Assert.Equal((LogLevel.Information, AnswersAgain), (again.Level, again.EventId)));
    }
}
