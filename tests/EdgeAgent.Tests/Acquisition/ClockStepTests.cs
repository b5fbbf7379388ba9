using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Acquisition;

/// <summary>The system clock stepping under a running agent: a Raspberry Pi has no real-time clock, boots at the time it was shut
/// down and is set by NTP a little later, hours or days forward; a manual correction can step it back.</summary>
public sealed class ClockStepTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 21, 10, 0, 5, TimeSpan.Zero);

    /// <summary>A fake clock whose wall time can be stepped while its monotonic timestamps and timers go on undisturbed.</summary>
    private sealed class SteppableClock(FakeTimeProvider inner) : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

        public override long GetTimestamp() => inner.GetTimestamp();

        public override long TimestampFrequency => inner.TimestampFrequency;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
            inner.CreateTimer(callback, state, dueTime, period);
    }

    /// <summary>Reads 1000 W, stamped by the clock it is given, every 10 s.</summary>
    private sealed class SteadySource(TimeProvider clock) : IReadingSource
    {
        public string Name => "steady";

        public TimeSpan Cadence => TimeSpan.FromSeconds(10);

        public Task<IReadOnlyList<Reading>> ReadAsync(CancellationToken cancellationToken) =>
            Task.FromResult<IReadOnlyList<Reading>>([Reading.Good("ac_power_w", 1000, clock.GetUtcNow(), "steady")]);
    }

    private static async Task RunFor(FakeTimeProvider fake, TimeSpan span)
    {
        for (var t = TimeSpan.Zero; t < span; t += TimeSpan.FromSeconds(10))
        {
            fake.Advance(TimeSpan.FromSeconds(10));
            await Task.Delay(5);
        }
    }

    private static List<IntervalRecord> Drain(StageChannels channels)
    {
        var list = new List<IntervalRecord>();
        while (channels.ToRecorder.Reader.TryRead(out var r))
        {
            list.Add(r);
        }
        return list.Where(r => r.Step == TimeSpan.FromMinutes(1)).ToList();
    }

    [Theory]
    [InlineData(2 * 24 * 60)] // NTP after a two-day power cut
    [InlineData(-3 * 60)] // set back three hours
    public async Task Acquisition_ClockSteps_NoFloodOfEmptyIntervalsAndReadingGoesOnAtTheNewTime(int stepMinutes)
    {
        var fake = new FakeTimeProvider(Start);
        var clock = new SteppableClock(fake);
        var channels = new StageChannels();
        var logger = new TestLogger<AcquisitionService>();
        using var service = new AcquisitionService([new SteadySource(clock)], channels, clock, Options.Create(new AcquisitionOptions { StaleAfterS = 30 }),
            new LiveState(), logger, new PipelineHealth(clock));
        await service.StartAsync(CancellationToken.None);
        try
        {
            await RunFor(fake, TimeSpan.FromMinutes(3));
            var before = Drain(channels);
            Assert.InRange(before.Count, 2, 4);
            Assert.All(before.Skip(1), r => Assert.Equal(1000, r.Get("ac_power_w")));

            clock.Offset = TimeSpan.FromMinutes(stepMinutes);
            var stepped = clock.GetUtcNow();
            await RunFor(fake, TimeSpan.FromMinutes(3));
            var after = Drain(channels);

            // a few minutes after the step, a few minutes of intervals: no 2,880 empty ones, and readings again, at the new time
            Assert.InRange(after.Count, 2, 4);
            Assert.All(after, r => Assert.InRange(r.StartUtc, stepped.AddMinutes(-1), stepped.AddMinutes(4)));
            Assert.Contains(after, r => r.Get("ac_power_w") == 1000);
            var line = Assert.Single(logger.Lines, l => l.EventId == 203);
            Assert.Contains(stepMinutes > 0 ? "stepped by +172800 s" : "stepped by -10800 s", line.Message, StringComparison.Ordinal);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }
}
