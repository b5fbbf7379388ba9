using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Hosting;
using Xunit;

namespace PvEdge.EdgeAgent.Tests.Hosting;

public sealed class MemoryHousekeepingTests
{
    [Fact]
    public async Task Execute_PeriodOfWallTimePasses_RunsAFullCollectionEachPeriodOnly()
    {
        var wall = new FakeTimeProvider(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero));
        using var service = new MemoryHousekeeping(new WallClock(wall), NullLogger<MemoryHousekeeping>.Instance);
        await service.StartAsync(CancellationToken.None);
        try
        {
            var fullBefore = GC.CollectionCount(2);
            wall.Advance(MemoryHousekeeping.Period - TimeSpan.FromSeconds(1));
            await Task.Delay(100);
            Assert.Equal(0, service.Rounds);

            wall.Advance(TimeSpan.FromSeconds(1));
            await WaitFor(() => service.Rounds == 1);
            Assert.True(GC.CollectionCount(2) > fullBefore, "a full collection ran");

            wall.Advance(MemoryHousekeeping.Period);
            await WaitFor(() => service.Rounds == 2);
        }
        finally
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    private static async Task WaitFor(Func<bool> condition)
    {
        for (var i = 0; i < 500 && !condition(); i++)
        {
            await Task.Delay(10);
        }
        Assert.True(condition(), "the round did not run within 5 s");
    }
}
