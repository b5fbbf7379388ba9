using System.Buffers;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Protocol;

namespace PvEdge.FleetLoad;

/// <summary>Per-gateway bookkeeping of the telemetry sequence numbers: which arrived, how many twice, how many out of order.</summary>
internal sealed class SequenceTracker
{
    private readonly Lock _gate = new();
    private bool[] _seen = new bool[256];
    private long _max;

    public long Unique { get; private set; }

    public long Duplicates { get; private set; }

    public long OutOfOrder { get; private set; }

    public void Add(long seq)
    {
        lock (_gate)
        {
            if (seq >= _seen.Length)
            {
                Array.Resize(ref _seen, (int)Math.Max(seq + 1, _seen.Length * 2L));
            }
            if (_seen[seq])
            {
                Duplicates++;
                return;
            }
            _seen[seq] = true;
            Unique++;
            if (seq < _max)
            {
                OutOfOrder++;
            }
            _max = Math.Max(_max, seq);
        }
    }
}

/// <summary>The utility's side: consumers on one shared subscription (<c>$share/fleet/&lt;prefix&gt;/+/…</c>), or one wildcard subscriber
/// where the broker has no shared subscriptions, counting every message by kind and checking per-gateway telemetry sequences.</summary>
public sealed class FleetConsumer : IDisposable
{
    private readonly FleetOptions _options;
    private readonly List<IMqttClient> _clients = [];
    private readonly SequenceTracker[] _sequences;
    private long _telemetry;
    private long _forecasts;
    private long _online;
    private long _offline;
    private long _bytes;
    private long _malformed;
    private readonly bool[] _wentOffline;

    public FleetConsumer(FleetOptions options)
    {
        _options = options;
        _sequences = Enumerable.Range(0, options.Gateways).Select(_ => new SequenceTracker()).ToArray();
        _wentOffline = new bool[options.Gateways];
    }

    public long Telemetry => Interlocked.Read(ref _telemetry);

    public long Forecasts => Interlocked.Read(ref _forecasts);

    public long Online => Interlocked.Read(ref _online);

    public long Offline => Interlocked.Read(ref _offline);

    public long Bytes => Interlocked.Read(ref _bytes);

    public long Malformed => Interlocked.Read(ref _malformed);

    /// <summary>How many of the gateways [0, count) were announced offline (their last will arrived).</summary>
    public int OfflineAmong(int count) => _wentOffline.Take(count).Count(o => o);

    /// <summary>Gateways from <paramref name="from"/> on that were announced offline although they disconnected cleanly.</summary>
    public int OfflineFrom(int from) => _wentOffline.Skip(from).Count(o => o);

    public long Messages => Telemetry + Forecasts + Online + Offline;

    public long UniqueTelemetry => _sequences.Sum(s => s.Unique);

    public long Duplicates => _sequences.Sum(s => s.Duplicates);

    public long OutOfOrder => _sequences.Sum(s => s.OutOfOrder);

    public string Describe => _options.SharedConsumers > 0
        ? $"{_options.SharedConsumers} consumers on $share/fleet/{_options.Prefix}/+/{{telemetry,forecast/hourly,status}}"
        : $"1 subscriber on {_options.Prefix}/+/{{telemetry,forecast/hourly,status}} (no shared subscription)";

    public async Task StartAsync(MqttClientFactory factory, CancellationToken ct)
    {
        var count = Math.Max(1, _options.SharedConsumers);
        var prefix = _options.SharedConsumers > 0 ? $"$share/fleet/{_options.Prefix}" : _options.Prefix;
        for (var i = 0; i < count; i++)
        {
            var client = factory.CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                Count(e.ApplicationMessage.Topic, e.ApplicationMessage.Payload);
                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer(_options.Host, _options.Port)
                .WithClientId($"fleet-consumer-{i}")
                .WithProtocolVersion(_options.Protocol)
                .WithCleanSession(true)
                .WithTimeout(TimeSpan.FromSeconds(30))
                .Build(), ct).ConfigureAwait(false);
            var subscribe = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter($"{prefix}/+/telemetry", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"{prefix}/+/forecast/hourly", MqttQualityOfServiceLevel.AtLeastOnce)
                .WithTopicFilter($"{prefix}/+/status", MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();
            var result = await client.SubscribeAsync(subscribe, ct).ConfigureAwait(false);
            foreach (var item in result.Items)
            {
                if ((int)item.ResultCode > 2)
                {
                    throw new InvalidOperationException($"the broker refused the subscription {item.TopicFilter.Topic}: {item.ResultCode}");
                }
            }
            _clients.Add(client);
        }
    }

    private void Count(string topic, ReadOnlySequence<byte> payload)
    {
        Interlocked.Add(ref _bytes, payload.Length);
        // <prefix>/gw-00042/<leaf>
        var first = topic.IndexOf('/', StringComparison.Ordinal);
        var second = first < 0 ? -1 : topic.IndexOf('/', first + 1);
        if (second < 0 || !int.TryParse(topic.AsSpan(first + 4, second - first - 4), out var index) || index < 0 || index >= _sequences.Length)
        {
            Interlocked.Increment(ref _malformed);
            return;
        }
        var leaf = topic.AsSpan(second + 1);
        if (leaf.SequenceEqual("telemetry"))
        {
            Interlocked.Increment(ref _telemetry);
            var seq = ReadSeq(payload);
            if (seq > 0)
            {
                _sequences[index].Add(seq);
            }
            else
            {
                Interlocked.Increment(ref _malformed);
            }
        }
        else if (leaf.SequenceEqual("forecast/hourly"))
        {
            Interlocked.Increment(ref _forecasts);
        }
        else if (leaf.SequenceEqual("status"))
        {
            var online = payload.FirstSpan.SequenceEqual("online"u8);
            Interlocked.Increment(ref online ? ref _online : ref _offline);
            if (!online)
            {
                Volatile.Write(ref _wentOffline[index], true);
            }
        }
    }

    private static long ReadSeq(ReadOnlySequence<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals("seq"u8) && reader.Read())
            {
                return reader.GetInt64();
            }
        }
        return -1;
    }

    public async Task StopAsync()
    {
        foreach (var c in _clients.Where(c => c.IsConnected))
        {
            await c.DisconnectAsync().ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        foreach (var c in _clients)
        {
            c.Dispose();
        }
    }
}
