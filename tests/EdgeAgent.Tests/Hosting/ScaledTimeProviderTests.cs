using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Hosting;

public sealed class ScaledTimeProviderTests
{
    [Fact]
    public void GetUtcNow_InnerAdvances_RunsSpeedTimesFaster()
    {
        var inner = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var start = new DateTimeOffset(2026, 6, 21, 15, 0, 0, TimeSpan.Zero);
        var scaled = new ScaledTimeProvider(inner, start, 60);
        inner.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(start.AddMinutes(2), scaled.GetUtcNow());
    }

    [Fact]
    public void CreateTimer_Period_FiresAtScaledInterval()
    {
        var inner = new FakeTimeProvider();
        var scaled = new ScaledTimeProvider(inner, inner.GetUtcNow(), 60);
        var fired = 0;
        using var timer = scaled.CreateTimer(_ => Interlocked.Increment(ref fired), null, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        inner.Advance(TimeSpan.FromSeconds(0.9));
        Assert.Equal(0, fired);
        inner.Advance(TimeSpan.FromSeconds(2.1));
        Assert.Equal(3, fired);
    }
}
