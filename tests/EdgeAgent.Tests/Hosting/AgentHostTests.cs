using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Storage;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Hosting;

/// <summary>The whole host on a fake clock with no broker reachable: six simulated hours in a few seconds.</summary>
public sealed class AgentHostTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-host-").FullName;

    [Fact]
    public async Task Run_SixHoursOnFakeClockBrokerAway_HistoryOutboxForecastAndOutageEvent()
    {
        var start = new DateTimeOffset(2026, 6, 21, 15, 0, 0, TimeSpan.Zero);
        var fake = new FakeTimeProvider(start);
        var settings = OfflineHost.Settings(_dir, fake, "hosttest", new Dictionary<string, string?>
        {
            ["Mqtt:ReconnectMinS"] = "5",
            ["Acquisition:SimulatedCadenceS"] = "10",
            ["Demo:Faults"] = "outage@60+40",
        });
        var setup = AgentHost.Configure(settings);
        using var host = AgentHost.Build(settings, setup);
        await host.StartAsync();
        try
        {
            for (var i = 0; i < 360; i++)
            {
                fake.Advance(TimeSpan.FromMinutes(1));
                await Task.Delay(4);
            }
            await Task.Delay(300);
            var db = host.Services.GetRequiredService<AgentDatabase>();
            var minutes = db.ReadHistory(start, start.AddHours(7), TimeSpan.FromMinutes(1)).Where(v => v.Quantity == "ac_power_w").ToList();
            var quarters = db.ReadHistory(start, start.AddHours(7), TimeSpan.FromMinutes(15)).Where(v => v.Quantity == "ac_power_w").ToList();
            Assert.True(minutes.Count >= 340, $"{minutes.Count} one-minute values");
            Assert.True(quarters.Count >= 22, $"{quarters.Count} quarter-hour values");
            Assert.Contains(minutes, v => v.Value > 1000);
            var outbox = db.PeekOutbox(10_000);
            Assert.True(outbox.Count(m => m.Topic == "pvedge/hosttest/telemetry") >= 340, "telemetry kept in the outbox while the broker is away");
            var outage = outbox.Where(m => m.Topic == "pvedge/hosttest/anomaly").Select(m => JsonDocument.Parse(m.Payload).RootElement)
                .Where(e => e.GetProperty("type").GetString() == "outage").ToList();
            Assert.Contains(outage, e => e.GetProperty("state").GetString() == "open");
            Assert.Contains(outage, e => e.GetProperty("state").GetString() == "closed");
            var opened = DateTimeOffset.Parse(outage[0].GetProperty("start").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.InRange((opened - start).TotalMinutes, 59, 62);
            var retained = db.ReadRetained().ToDictionary(kv => kv.Key, kv => kv.Value);
            Assert.Contains("pvedge/hosttest/forecast/hourly", retained.Keys);
            Assert.Contains("pvedge/hosttest/forecast/intraday", retained.Keys);
            Assert.Contains("homeassistant/device/hosttest/config", retained.Keys);
            var hourly = JsonDocument.Parse(retained["pvedge/hosttest/forecast/hourly"]).RootElement;
            var issued = DateTimeOffset.Parse(hourly.GetProperty("issued").GetString()!, System.Globalization.CultureInfo.InvariantCulture);
            Assert.True(issued >= start.AddHours(5), $"forecast recomputed hourly on the fake clock, last issued {issued:o}");
        }
        finally
        {
            await host.StopAsync();
        }
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
