using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Hosting;

namespace PvEdge.EdgeAgent.Tests.Hosting;

public sealed class SystemdWatchdogTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 10, 0, 0, TimeSpan.Zero);

    [Fact]
    public void IsHealthy_StageNeverExpected_IsNotChecked()
    {
        var time = new FakeTimeProvider(Start);
        var health = new PipelineHealth(time, TimeSpan.FromSeconds(10));
        time.Advance(TimeSpan.FromHours(1));
        Assert.True(health.IsHealthy);
        Assert.Empty(health.Snapshot());
    }

    [Fact]
    public void IsHealthy_ExpectedStageSilentLongerThanAllowed_IsFalseUntilItReports()
    {
        var time = new FakeTimeProvider(Start);
        var health = new PipelineHealth(time, TimeSpan.FromSeconds(10));
        health.Expect(PipelineStage.Acquisition);
        health.Expect(PipelineStage.Storage);
        time.Advance(TimeSpan.FromSeconds(8));
        health.Report(PipelineStage.Storage);
        time.Advance(TimeSpan.FromSeconds(3));
        Assert.False(health.IsHealthy);
        var overdue = Assert.Single(health.Snapshot(), s => !s.Healthy);
        Assert.Equal(PipelineStage.Acquisition, overdue.Stage);
        Assert.Equal(TimeSpan.FromSeconds(11), overdue.Silence);
        health.Report(PipelineStage.Acquisition);
        Assert.True(health.IsHealthy);
    }

    [Fact]
    public void FromEnvironment_WatchdogForAnotherPid_HasNoWatchdog()
    {
        var env = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = "/run/systemd/notify", ["WATCHDOG_USEC"] = "120000000", ["WATCHDOG_PID"] = "4242" };
        var ours = SystemdNotifySettings.FromEnvironment(k => env.GetValueOrDefault(k), 4242);
        var theirs = SystemdNotifySettings.FromEnvironment(k => env.GetValueOrDefault(k), 17);
        Assert.Equal(TimeSpan.FromSeconds(120), ours.WatchdogTimeout);
        Assert.True(ours.WatchdogEnabled);
        Assert.Null(theirs.WatchdogTimeout);
        Assert.False(theirs.WatchdogEnabled);
    }

    [Fact]
    public async Task ExecuteAsync_NoNotifySocket_SendsNothingAndEnds()
    {
        var time = new FakeTimeProvider(Start);
        using var watchdog = new SystemdWatchdog(new PipelineHealth(time), new WallClock(time), SystemdNotifySettings.FromEnvironment(_ => null, 1),
            NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        await watchdog.ExecuteTask!.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(0, watchdog.Fed);
    }

    [Fact]
    public async Task ExecuteAsync_StageStalls_StopsFeedingAndResumesWhenItRecovers()
    {
        var path = Path.Combine(Path.GetTempPath(), $"pvedge-notify-{Guid.NewGuid():N}.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(path));
        try
        {
            var time = new FakeTimeProvider(Start);
            var health = new PipelineHealth(time, TimeSpan.FromSeconds(3));
            health.Expect(PipelineStage.Storage);
            var settings = new SystemdNotifySettings(path, TimeSpan.FromSeconds(2));
            using var watchdog = new SystemdWatchdog(health, new WallClock(time), settings, NullLogger<SystemdWatchdog>.Instance);
            await watchdog.StartAsync(CancellationToken.None);

            var messages = new List<string> { await ReceiveAsync(listener) };
            for (var tick = 1; tick <= 4; tick++)
            {
                time.Advance(TimeSpan.FromSeconds(1));
                messages.Add(await ReceiveAsync(listener));
            }
            health.Report(PipelineStage.Storage);
            time.Advance(TimeSpan.FromSeconds(1));
            messages.Add(await ReceiveAsync(listener));
            await watchdog.StopAsync(CancellationToken.None);

            var fed = messages.Select(m => m.Split('\n').Contains("WATCHDOG=1")).ToArray();
            Assert.Equal([true, true, true, true, false, true], fed);
            Assert.StartsWith("STATUS=unhealthy", messages[4], StringComparison.Ordinal);
            Assert.Contains("storage 4 s ago (overdue)", messages[4], StringComparison.Ordinal);
            Assert.Equal(5, watchdog.Fed);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task ExecuteAsync_AbstractSocketName_FeedsTheAbstractSocket()
    {
        var name = $"pvedge-notify-{Guid.NewGuid():N}";
        using var listener = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint("\0" + name));
        var time = new FakeTimeProvider(Start);
        var env = new Dictionary<string, string?> { ["NOTIFY_SOCKET"] = "@" + name, ["WATCHDOG_USEC"] = "60000000" };
        using var watchdog = new SystemdWatchdog(new PipelineHealth(time), new WallClock(time), SystemdNotifySettings.FromEnvironment(k => env.GetValueOrDefault(k), 1),
            NullLogger<SystemdWatchdog>.Instance);
        await watchdog.StartAsync(CancellationToken.None);
        var first = await ReceiveAsync(listener);
        time.Advance(TimeSpan.FromSeconds(30));
        var second = await ReceiveAsync(listener);
        await watchdog.StopAsync(CancellationToken.None);
        Assert.StartsWith("WATCHDOG=1\nSTATUS=healthy", first, StringComparison.Ordinal);
        Assert.StartsWith("WATCHDOG=1\n", second, StringComparison.Ordinal);
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        var buffer = new byte[1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
