using System.Collections.Concurrent;
using System.Threading.Channels;
using PvEdge.EdgeAgent.Storage;

namespace PvEdge.EdgeAgent.Publishing;

/// <summary>A QoS 0 message on its way to the publisher (telemetry). If the broker is away it goes to the outbox instead.</summary>
public sealed record OutgoingMessage(string Topic, string Payload, string Kind);

/// <summary>What the stages hand to the publisher. Reliable (QoS 1) messages are written to the SQLite outbox first, so a broker
/// outage or a SIGKILL loses nothing; retained state is kept per topic (only the latest matters) and re-sent after each reconnect.
/// Nothing here ever blocks a producer: the telemetry channel is bounded and drops its oldest entry when full.</summary>
public sealed class PublishQueue
{
    private readonly AgentDatabase _database;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, byte> _dirtyRetained = new(StringComparer.Ordinal);

    /// <summary>The latest payload of every retained topic. The database keeps a copy for the next start; when it cannot (a full
    /// disk) the state is still published from here.</summary>
    private readonly ConcurrentDictionary<string, string> _retained = new(StringComparer.Ordinal);
    private readonly Channel<int> _wake = Channel.CreateBounded<int>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    public PublishQueue(AgentDatabase database, TimeProvider time, int telemetryCapacity = 4096)
    {
        _database = database;
        _time = time;
        Telemetry = Channel.CreateBounded<OutgoingMessage>(new BoundedChannelOptions(telemetryCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        foreach (var (topic, payload) in database.ReadRetained())
        {
            _retained[topic] = payload;
            _dirtyRetained[topic] = 0;
        }
    }

    /// <summary>QoS 0 messages; the publisher is the only reader.</summary>
    public Channel<OutgoingMessage> Telemetry { get; }

    /// <summary>Completes when there is something new for the publisher.</summary>
    public ChannelReader<int> Wake => _wake.Reader;

    public void PublishTelemetry(string topic, string payload)
    {
        Telemetry.Writer.TryWrite(new OutgoingMessage(topic, payload, "telemetry"));
        _wake.Writer.TryWrite(0);
    }

    /// <summary>Queues a QoS 1 message durably (an anomaly event). Returns its outbox id, or -1 when the disk refused it
    /// (<see cref="AgentDatabase.Enqueue"/>).</summary>
    public long PublishReliable(string topic, string payload, string kind)
    {
        var id = _database.Enqueue(topic, payload, retain: false, kind, _time.GetUtcNow());
        _wake.Writer.TryWrite(0);
        return id;
    }

    /// <summary>Sets the retained state of a topic (forecasts, model, anomaly/active, discovery).</summary>
    public void PublishRetained(string topic, string payload)
    {
        _retained[topic] = payload;
        try
        {
            _database.SetRetained(topic, payload, _time.GetUtcNow());
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            // published from memory all the same; only a restart before the disk has room again forgets it
        }
        _dirtyRetained[topic] = 0;
        _wake.Writer.TryWrite(0);
    }

    /// <summary>Marks every retained topic for re-publication (after a reconnect).</summary>
    public void MarkAllRetainedDirty()
    {
        foreach (var topic in _retained.Keys)
        {
            _dirtyRetained[topic] = 0;
        }
    }

    /// <summary>Retained topics waiting to be published, with their latest payload; the caller re-marks them on failure.</summary>
    public List<KeyValuePair<string, string>> TakeDirtyRetained()
    {
        if (_dirtyRetained.IsEmpty)
        {
            return [];
        }
        var result = new List<KeyValuePair<string, string>>();
        foreach (var kv in _retained.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (_dirtyRetained.TryRemove(kv.Key, out _))
            {
                result.Add(kv);
            }
        }
        return result;
    }

    public void MarkRetainedDirty(string topic)
    {
        _dirtyRetained[topic] = 0;
        _wake.Writer.TryWrite(0);
    }

    public void Signal() => _wake.Writer.TryWrite(0);
}
