using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace PvEdge.FleetLoad;

/// <summary>One gateway as a utility's broker sees it: its own MQTT client with a retained last will ("offline"), a retained "online"
/// status, a subscription to its weather input, telemetry on a fixed period (with a sequence number) and a retained hourly forecast.</summary>
public sealed class SimulatedGateway : IDisposable
{
    private readonly FleetOptions _options;
    private readonly IMqttClient _client;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Random _random;
    private long _seq;

    public SimulatedGateway(MqttClientFactory factory, FleetOptions options, int index)
    {
        _options = options;
        Index = index;
        Id = GatewayId(index);
        _client = factory.CreateMqttClient();
        _random = new Random(index);
    }

    public int Index { get; }

    public string Id { get; }

    public long TelemetrySent { get; private set; }

    public long ForecastsSent { get; private set; }

    public long PublishFailures { get; private set; }

    public static string GatewayId(int index) => $"gw-{index:D5}";

    private string Topic(string leaf) => $"{_options.Prefix}/{Id}/{leaf}";

    public async Task ConnectAsync(CancellationToken ct)
    {
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(_options.Host, _options.Port)
            .WithClientId($"fleet-{Id}")
            .WithProtocolVersion(_options.Protocol)
            .WithCleanSession(true)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(60))
            .WithTimeout(TimeSpan.FromSeconds(30))
            .WithWillTopic(Topic("status"))
            .WithWillPayload("offline"u8.ToArray())
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        await _client.ConnectAsync(options, ct).ConfigureAwait(false);
        await _client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topic("weather/forecast/set"), MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct).ConfigureAwait(false);
        await PublishAsync(Topic("status"), "online"u8.ToArray(), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, ct).ConfigureAwait(false);
    }

    /// <summary>Publishes until cancelled: telemetry every period (first at a random phase, so the fleet does not publish in step) and the
    /// hourly forecast at start and every forecast period.</summary>
    public async Task RunAsync(DateTimeOffset simulatedStart, CancellationToken ct)
    {
        var telemetry = TimeSpan.FromSeconds(_options.TelemetryPeriodS / _options.TimeFactor);
        var forecast = TimeSpan.FromSeconds(_options.ForecastPeriodS / _options.TimeFactor);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var nextTelemetry = telemetry * _random.NextDouble();
        var nextForecast = TimeSpan.Zero;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var now = clock.Elapsed;
                var simulatedNow = simulatedStart + now * _options.TimeFactor;
                if (now >= nextForecast)
                {
                    await PublishAsync(Topic("forecast/hourly"), Forecast(simulatedNow), MqttQualityOfServiceLevel.AtLeastOnce, retain: true, CancellationToken.None).ConfigureAwait(false);
                    ForecastsSent++;
                    nextForecast += forecast;
                }
                if (now >= nextTelemetry)
                {
                    var qos = _options.TelemetryQos == 1 ? MqttQualityOfServiceLevel.AtLeastOnce : MqttQualityOfServiceLevel.AtMostOnce;
                    // The run's end stops the loop, never a publish in flight (a cancelled QoS 1 publish may have reached the broker unacknowledged).
                    if (await PublishAsync(Topic("telemetry"), Telemetry(simulatedNow, ++_seq), qos, retain: false, CancellationToken.None).ConfigureAwait(false))
                    {
                        TelemetrySent++;
                    }
                    nextTelemetry += telemetry;
                }
                var wait = (nextTelemetry < nextForecast ? nextTelemetry : nextForecast) - clock.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // end of the run
        }
    }

    private async Task<bool> PublishAsync(string topic, byte[] payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken ct)
    {
        try
        {
            var message = new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(qos).WithRetainFlag(retain).Build();
            var result = await _client.PublishAsync(message, ct).ConfigureAwait(false);
            if (result.IsSuccess)
            {
                return true;
            }
        }
        catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException)
        {
            // counted below; the run goes on
        }
        PublishFailures++;
        return false;
    }

    /// <summary>Ends the connection: cleanly (no will), or abruptly so the broker publishes the last will.</summary>
    public async Task StopAsync(bool abrupt)
    {
        if (!_client.IsConnected)
        {
            return;
        }
        if (abrupt && _options.Protocol == MqttProtocolVersion.V500)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptions { Reason = MqttClientDisconnectOptionsReason.DisconnectWithWillMessage }).ConfigureAwait(false);
        }
        else if (abrupt)
        {
            _client.Dispose(); // MQTT 3.1.1: the socket closes without DISCONNECT, so the broker publishes the will
        }
        else
        {
            await _client.DisconnectAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Telemetry of formats.md (one interval of readings with quality flags) plus the sequence number the consumer checks.</summary>
    private byte[] Telemetry(DateTimeOffset ts, long seq)
    {
        _buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_buffer))
        {
            var step = TimeSpan.FromSeconds(_options.TelemetryPeriodS);
            var power = Math.Max(0, 4000 * Math.Sin(Math.PI * ((ts.UtcDateTime.TimeOfDay.TotalHours - 6) / 12)) * (0.9 + 0.1 * _random.NextDouble()));
            w.WriteStartObject();
            w.WriteNumber("schema", 1);
            w.WriteString("gateway", Id);
            w.WriteString("ts", ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("seq", seq);
            w.WriteString("start", (ts - step).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("end", ts.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteNumber("interval_s", (int)step.TotalSeconds);
            w.WriteStartObject("readings");
            Reading(w, "ac_power_w", Math.Round(power, 1));
            Reading(w, "dc_power_w", Math.Round(power * 1.04, 1));
            Reading(w, "energy_total_kwh", Math.Round(12_345 + seq * 0.01, 3));
            Reading(w, "inverter_state", power > 0 ? 4 : 2);
            Reading(w, "temp_module_c", Math.Round(20 + power / 200, 2));
            w.WriteEndObject();
            w.WriteEndObject();
        }
        return _buffer.WrittenSpan.ToArray();
    }

    private static void Reading(Utf8JsonWriter w, string name, double value)
    {
        w.WriteStartObject(name);
        w.WriteNumber("value", value);
        w.WriteString("quality", "good");
        w.WriteEndObject();
    }

    /// <summary>A 48-hour hourly forecast of formats.md.</summary>
    private byte[] Forecast(DateTimeOffset issued)
    {
        _buffer.ResetWrittenCount();
        using (var w = new Utf8JsonWriter(_buffer))
        {
            var start = new DateTimeOffset(issued.UtcDateTime.Date.AddHours(issued.UtcDateTime.Hour), TimeSpan.Zero);
            w.WriteStartObject();
            w.WriteNumber("schema", 1);
            w.WriteString("gateway", Id);
            w.WriteString("ts", issued.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("issued", issued.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteString("model", "fleet-demo");
            w.WriteString("weather_source", "clear-sky");
            w.WriteStartArray("points");
            var today = 0.0;
            for (var h = 0; h < 48; h++)
            {
                var t = start + TimeSpan.FromHours(h);
                var p50 = Math.Round(Math.Max(0, 4000 * Math.Sin(Math.PI * ((t.UtcDateTime.Hour + 0.5 - 6) / 12))), 1);
                if (h < 24)
                {
                    today += p50 / 1000;
                }
                w.WriteStartObject();
                w.WriteString("start", t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteString("end", t.AddHours(1).UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture));
                w.WriteNumber("p50_w", p50);
                w.WriteNumber("p10_w", Math.Round(p50 * 0.7, 1));
                w.WriteNumber("p90_w", Math.Round(p50 * 1.1, 1));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteNumber("energy_today_kwh", Math.Round(today, 2));
            w.WriteNumber("energy_tomorrow_kwh", Math.Round(today, 2));
            w.WriteEndObject();
        }
        return _buffer.WrittenSpan.ToArray();
    }

    public void Dispose() => _client.Dispose();
}
