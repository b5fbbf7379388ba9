using System.Text.Json;

namespace PvEdge.EdgeAgent.Publishing;

/// <summary>Home Assistant device discovery (one config message per device, components inside): AC power, lifetime energy,
/// forecast today / tomorrow / next hour, and the anomaly as a "problem" binary sensor (on for any open event but those of severity
/// info, such as clipping); availability is the status topic.</summary>
public static class HomeAssistantDiscovery
{
    public static string Payload(Topics topics, string version)
    {
        var gw = topics.Gateway;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartObject("dev");
            w.WriteString("ids", $"pvedge_{gw}");
            w.WriteString("name", $"PV Edge {gw}");
            w.WriteString("mf", "PV Edge");
            w.WriteString("mdl", "edgeagent");
            w.WriteString("sw", version);
            w.WriteEndObject();
            w.WriteStartObject("o");
            w.WriteString("name", "edgeagent");
            w.WriteString("sw", version);
            w.WriteEndObject();
            w.WriteString("avty_t", topics.Status);
            w.WriteString("pl_avail", "online");
            w.WriteString("pl_not_avail", "offline");
            w.WriteNumber("qos", 1);
            w.WriteStartObject("cmps");
            Sensor(w, gw, "ac_power", "PV power", "sensor", topics.Telemetry, "{{ value_json.readings.ac_power_w.value }}", "power", "W", "measurement");
            Sensor(w, gw, "energy_total", "PV lifetime energy", "sensor", topics.Telemetry, "{{ value_json.readings.energy_total_kwh.value }}", "energy", "kWh", "total_increasing");
            Sensor(w, gw, "forecast_today", "PV forecast today", "sensor", topics.ForecastHourly, "{{ value_json.energy_today_kwh }}", "energy", "kWh", null);
            Sensor(w, gw, "forecast_tomorrow", "PV forecast tomorrow", "sensor", topics.ForecastHourly, "{{ value_json.energy_tomorrow_kwh }}", "energy", "kWh", null);
            Sensor(w, gw, "forecast_next_hour", "PV forecast next hour", "sensor", topics.ForecastHourly, "{{ value_json.points[1].p50_w if value_json.points|length > 1 else 0 }}", "power", "W", null);
            Sensor(w, gw, "anomaly", "PV problem", "binary_sensor", topics.AnomalyActive, "{{ 'ON' if value_json.events|rejectattr('severity', 'eq', 'info')|list|length > 0 else 'OFF' }}", "problem", null, null);
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Sensor(Utf8JsonWriter w, string gw, string key, string name, string platform, string stateTopic, string template, string deviceClass, string? unit, string? stateClass)
    {
        w.WriteStartObject(key);
        w.WriteString("p", platform);
        w.WriteString("name", name);
        w.WriteString("unique_id", $"pvedge_{gw}_{key}");
        w.WriteString("state_topic", stateTopic);
        w.WriteString("value_template", template);
        w.WriteString("device_class", deviceClass);
        if (unit is not null)
        {
            w.WriteString("unit_of_measurement", unit);
        }
        if (stateClass is not null)
        {
            w.WriteString("state_class", stateClass);
        }
        w.WriteEndObject();
    }
}
