using System.Text.Json;
using PvEdge.EdgeAgent.Acquisition;
using PvEdge.EdgeAgent.Publishing;

namespace PvEdge.EdgeAgent.Tests.Publishing;

public sealed class PayloadTests
{
    private static readonly DateTimeOffset T0 = new(2026, 6, 21, 16, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Telemetry_MissingValue_NullWithMissingQualityAndStableId()
    {
        var r = new IntervalRecord(T0, TimeSpan.FromMinutes(1), new Dictionary<string, double?> { ["ac_power_w"] = 1234.5678, ["poa_wm2"] = null }, 3);
        using var doc = JsonDocument.Parse(PayloadWriter.Telemetry("gw", r, T0.AddMinutes(1)));
        var root = doc.RootElement;
        Assert.Equal(1, root.GetProperty("schema").GetInt32());
        Assert.Equal("2026-06-21T16:01:00Z", root.GetProperty("ts").GetString());
        Assert.Equal(PayloadWriter.TelemetryId("gw", r), root.GetProperty("id").GetString());
        var readings = root.GetProperty("readings");
        Assert.Equal(1234.568, readings.GetProperty("ac_power_w").GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, readings.GetProperty("poa_wm2").GetProperty("value").ValueKind);
        Assert.Equal("missing", readings.GetProperty("poa_wm2").GetProperty("quality").GetString());
    }

    [Fact]
    public void HomeAssistantDiscovery_Device_ComponentsAndAvailability()
    {
        var topics = new Topics("pvedge", "gw");
        using var doc = JsonDocument.Parse(HomeAssistantDiscovery.Payload(topics, "1.0"));
        var root = doc.RootElement;
        Assert.Equal("homeassistant/device/gw/config", topics.HomeAssistantDiscovery);
        Assert.Equal("pvedge/gw/status", root.GetProperty("avty_t").GetString());
        var cmps = root.GetProperty("cmps");
        Assert.Equal("binary_sensor", cmps.GetProperty("anomaly").GetProperty("p").GetString());
        Assert.Equal("problem", cmps.GetProperty("anomaly").GetProperty("device_class").GetString());
        Assert.Equal("W", cmps.GetProperty("ac_power").GetProperty("unit_of_measurement").GetString());
        Assert.Equal("pvedge/gw/forecast/hourly", cmps.GetProperty("forecast_tomorrow").GetProperty("state_topic").GetString());
    }
}
