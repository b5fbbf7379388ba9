using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;

namespace PvEdge.EdgeAgent.Publishing;

/// <summary>The one owner of the MQTT connection. Connects with the last will (status "offline", retained), publishes "online",
/// re-sends retained state and Home Assistant discovery after each connect, drains the outbox in order (deleting only what the broker
/// acknowledged), publishes telemetry at QoS 0, and reconnects with jittered exponential back-off. Inbound: the weather input topic
/// and homeassistant/status.
/// <para>Telemetry is never lost to a broker outage. A QoS 0 message counts as <b>sent</b> only once it was written to the socket
/// of a live connection AND the broker answered a later packet on that same connection (a PINGRESP to the ping sent after each
/// batch, or the PUBACK of a later QoS 1 message): MQTT runs over one ordered TCP stream and a broker handles a client's packets in
/// order, so that answer proves the broker has read the telemetry before it. Telemetry without that proof when the connection is
/// lost, telemetry confirmed in the 10 s before the loss was noticed (a broker killed right after reading it may not have passed it
/// on), and all telemetry produced while the connection is down goes to the SQLite outbox and is delivered in order, at QoS 1,
/// after reconnect (consumers de-duplicate by id). The outbox is bounded (Storage:OutboxMaxMessages, Storage:OutboxMaxMb): past either
/// limit the oldest telemetry is dropped, counted and logged.</para></summary>
public sealed class MqttPublisherService : BackgroundService
{
    private readonly MqttOptions _options;
    private readonly Topics _topics;
    private readonly PublishQueue _queue;
    private readonly AgentDatabase _database;
    private readonly WeatherInbox _weatherInbox;
    private readonly TimeProvider _wall;
    private readonly ILogger<MqttPublisherService> _logger;
    private readonly MqttClientFactory _factory = new();
    private readonly BrokerEndpoint _endpoint;
    private readonly PipelineHealth _health;
    private IMqttClient? _client;

    /// <summary>QoS 0 messages written to the socket, oldest first, with the wall time they were written: the first
    /// <see cref="_confirmed"/> were confirmed by the broker and are kept for <see cref="ResendWindow"/>, the rest are not confirmed yet.
    /// On a connection loss all of them go to the outbox (at QoS 1; consumers de-duplicate by id).</summary>
    private readonly List<(DateTimeOffset WrittenUtc, OutgoingMessage Message)> _written = [];
    private int _confirmed;

    /// <summary>A broker that dies may not have passed on what it had just received (and a subscriber's kernel drops what it had not
    /// read when the dead broker's socket resets), so telemetry confirmed this recently before a loss is sent again too.</summary>
    private static readonly TimeSpan ResendWindow = TimeSpan.FromSeconds(10);

    /// <summary>A connection that lasted this long resets the reconnect back-off; one the broker closes sooner (a second gateway
    /// with the same client id, a broker refusing the gateway after its CONNACK) keeps backing off instead of reconnecting every
    /// second for ever.</summary>
    private static readonly TimeSpan StableConnection = TimeSpan.FromSeconds(30);
    private long _droppedLogged;
    private DateTimeOffset _droppedLoggedAt = DateTimeOffset.MinValue;

    public MqttPublisherService(IOptions<MqttOptions> options, Topics topics, PublishQueue queue, AgentDatabase database, WeatherInbox weatherInbox,
        WallClock wall, BrokerEndpoint endpoint, ILogger<MqttPublisherService> logger, PipelineHealth health)
    {
        _health = health;
        _options = options.Value;
        _topics = topics;
        _queue = queue;
        _database = database;
        _weatherInbox = weatherInbox;
        _wall = wall.Time;
        _endpoint = endpoint;
        _logger = logger;
    }

    /// <summary>True while a connection is up.</summary>
    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Messages delivered since start (QoS 1 acknowledged or QoS 0 written).</summary>
    public long Delivered { get; private set; }

    /// <summary>Messages the broker refused for good since start (dropped; see <see cref="PublishOrDropAsync"/>).</summary>
    public long Refused { get; private set; }

    /// <summary>What the broker refused and was logged once: topics, "subscribe T" and "protocol V".</summary>
    private readonly HashSet<string> _loggedOnce = new(StringComparer.Ordinal);

    public string ClientId => string.IsNullOrEmpty(_options.ClientId) ? $"edgeagent-{_topics.Gateway}" : _options.ClientId;

    /// <summary>True when a failed connect says the broker may not speak the version tried: it answered CONNACK "unsupported
    /// protocol version", or it closed the connection it had accepted before any CONNACK (RabbitMQ before 3.13 does so to an MQTT 5
    /// CONNECT). A refused or timed-out TCP connection says nothing about the protocol.</summary>
    private static bool RefusesProtocol(Exception ex) =>
        ex is ConnectRefusedException { Code: MqttClientConnectResultCode.UnsupportedProtocolVersion } or MQTTnet.Adapter.MqttConnectingFailedException;

    /// <summary>A broker's reason code, and its reason string in brackets when it sent one.</summary>
    private static string WithReason<TCode>(TCode code, string? reasonString) where TCode : struct, Enum =>
        string.IsNullOrEmpty(reasonString) ? code.ToString() : $"{code} ({reasonString})";

    /// <summary>The broker answered CONNACK with a refusal (bad credentials, not authorised, unsupported version…): MQTTnet
    /// returns it as a result, and the agent must not take it for a connection.</summary>
    private sealed class ConnectRefusedException(MqttClientConnectResultCode code, string? reasonString)
        : Exception($"broker refused the connection: {WithReason(code, reasonString)}")
    {
        public MqttClientConnectResultCode Code { get; } = code;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _health.Expect(PipelineStage.Publishing);
        var backoffS = _options.ReconnectMinS;
        var versions = MqttClientSettings.ProtocolVersions(_options);
        var versionIndex = 0;
        var versionKnown = versions.Length == 1;
        MqttClientOptions[] clientOptions;
        try
        {
            clientOptions = [.. versions.Select(v => MqttClientSettings.Build(_options, _endpoint, ClientId, _topics.Status, v))];
        }
        catch (Shared.Cli.InputException ex)
        {
            AgentLog.MqttSettingsInvalid(_logger, ex.Message + "; nothing will be published, the outbox keeps every QoS 1 message");
            await SpoolUntilAsync(Timeout.InfiniteTimeSpan, stoppingToken).ConfigureAwait(false);
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            var client = _factory.CreateMqttClient();
            client.ApplicationMessageReceivedAsync += OnMessageAsync;
            var closed = new TaskCompletionSource<MqttClientDisconnectReason>(TaskCreationOptions.RunContinuationsAsynchronously);
            client.DisconnectedAsync += e =>
            {
                closed.TrySetResult(e.Reason);
                return Task.CompletedTask;
            };
            string reason;
            DateTimeOffset? connectedAt = null;
            try
            {
                var result = await client.ConnectAsync(clientOptions[versionIndex], stoppingToken).ConfigureAwait(false);
                if (result.ResultCode != MqttClientConnectResultCode.Success)
                {
                    throw new ConnectRefusedException(result.ResultCode, result.ReasonString);
                }
                versionKnown = true;
                _client = client;
                AgentLog.MqttConnected(_logger, _endpoint.Host, _endpoint.Port, ClientId, MqttClientSettings.VersionName(versions[versionIndex]));
                connectedAt = _wall.GetUtcNow();
                await PublishOrDropAsync(client, _topics.Status, "online", retain: true, stoppingToken).ConfigureAwait(false);
                await SubscribeInputsAsync(client, stoppingToken).ConfigureAwait(false);
                _queue.MarkAllRetainedDirty();
                await PumpAsync(client, stoppingToken).ConfigureAwait(false);
                reason = "connection closed";
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                await GoOfflineAsync(client).ConfigureAwait(false);
                RequeueUnconfirmed(); // delivered after the next start
                SpoolTelemetry();
                client.Dispose();
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                reason = ex.GetBaseException().Message;
                if (!versionKnown && RefusesProtocol(ex))
                {
                    var refused = MqttClientSettings.VersionName(versions[versionIndex]);
                    versionIndex = (versionIndex + 1) % versions.Length;
                    if (_loggedOnce.Add("protocol " + refused)) // once per version: a broker that closes every connection (TLS expected?) would make both take turns
                    {
                        AgentLog.MqttProtocolFallback(_logger, _endpoint.Host, _endpoint.Port, refused, reason, MqttClientSettings.VersionName(versions[versionIndex]));
                    }
                }
            }
            if (_client is not null && await TakenOverAsync(closed.Task).ConfigureAwait(false))
            {
                // MQTT 5 DISCONNECT 0x8E: another connection logged in with this client id, typically a second gateway cloned
                // from the same image; the two would take the session from each other for ever
                reason = $"the broker gave this client id ({ClientId}) to another connection: does a second gateway use the same Gateway:Id or Mqtt:ClientId?";
            }
            _client = null;
            RequeueUnconfirmed();
            client.ApplicationMessageReceivedAsync -= OnMessageAsync;
            client.Dispose();
            if (connectedAt is { } since && _wall.GetUtcNow() - since >= StableConnection)
            {
                backoffS = _options.ReconnectMinS; // a connection that held: start again from the shortest wait
            }
            var delayS = backoffS * (0.5 + Random.Shared.NextDouble() * 0.5) + Random.Shared.NextDouble() * 0.2 * _options.ReconnectMinS;
            backoffS = Math.Min(backoffS * 2, _options.ReconnectMaxS);
            AgentLog.MqttDisconnected(_logger, _endpoint.Host, _endpoint.Port, reason, delayS, _database.OutboxCount());
            try
            {
                await SpoolUntilAsync(TimeSpan.FromSeconds(delayS), stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Subscribes to the gateway's inputs (the weather topic, Home Assistant's status); a subscription the broker refuses
    /// is one log line, once per topic.</summary>
    private async Task SubscribeInputsAsync(IMqttClient client, CancellationToken ct)
    {
        var subscribe = _factory.CreateSubscribeOptionsBuilder()
            .WithTopicFilter(_topics.WeatherSet, MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(_topics.HomeAssistantStatus, MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var subscribed = await client.SubscribeAsync(subscribe, ct).ConfigureAwait(false);
        foreach (var item in subscribed.Items.Where(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2))
        {
            if (_loggedOnce.Add("subscribe " + item.TopicFilter.Topic))
            {
                AgentLog.SubscriptionRefused(_logger, item.TopicFilter.Topic, item.ResultCode.ToString());
            }
        }
    }

    /// <summary>True when the broker closed the connection because another one logged in with the same client id (MQTT 5
    /// DISCONNECT "session taken over"); waits a moment for the client's disconnect event.</summary>
    private static async Task<bool> TakenOverAsync(Task<MqttClientDisconnectReason> closed)
    {
        try
        {
            return await closed.WaitAsync(TimeSpan.FromSeconds(1)).ConfigureAwait(false) == MqttClientDisconnectReason.SessionTakenOver;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>While disconnected: moves telemetry to the outbox as it arrives, until the delay is over.</summary>
    private async Task SpoolUntilAsync(TimeSpan delay, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        if (delay != Timeout.InfiniteTimeSpan)
        {
            timeout.CancelAfter(delay);
        }
        while (true)
        {
            SpoolTelemetry();
            try
            {
                await _queue.Wake.WaitToReadAsync(timeout.Token).ConfigureAwait(false);
                _queue.Wake.TryRead(out _);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                SpoolTelemetry();
                return;
            }
        }
    }

    /// <summary>Telemetry the broker never confirmed, or confirmed within <see cref="ResendWindow"/> before the loss was noticed, goes to
    /// the outbox in the order it was produced.</summary>
    private void RequeueUnconfirmed()
    {
        var now = _wall.GetUtcNow();
        foreach (var (_, m) in _written)
        {
            _database.Enqueue(m.Topic, m.Payload, retain: false, m.Kind, now);
        }
        _written.Clear();
        _confirmed = 0;
        LogDrops();
    }

    private void SpoolTelemetry()
    {
        var now = _wall.GetUtcNow();
        while (_queue.Telemetry.Reader.TryRead(out var m))
        {
            _database.Enqueue(m.Topic, m.Payload, retain: false, m.Kind, now);
            _health.Report(PipelineStage.Publishing);
        }
        LogDrops();
    }

    /// <summary>One warning line when the outbox dropped messages, over its limits or refused by a full disk (at most one a minute
    /// while it keeps dropping).</summary>
    private void LogDrops()
    {
        var dropped = _database.OutboxDropped;
        var now = _wall.GetUtcNow();
        if (dropped > _droppedLogged && now - _droppedLoggedAt >= TimeSpan.FromMinutes(1))
        {
            _droppedLogged = dropped;
            _droppedLoggedAt = now;
            if (_database.LastWriteError is { } error)
            {
                AgentLog.OutboxWriteFailed(_logger, error, dropped);
            }
            else
            {
                AgentLog.OutboxDropped(_logger, _database.OutboxCount(), _database.OutboxBytes / 1048576.0, dropped);
            }
        }
    }

    /// <summary>Marks every message written so far as received by the broker and forgets the confirmed ones older than the window.</summary>
    private void Confirm()
    {
        _confirmed = _written.Count;
        var now = _wall.GetUtcNow();
        var old = 0;
        while (old < _confirmed && now - _written[old].WrittenUtc > ResendWindow)
        {
            old++;
        }
        _written.RemoveRange(0, old);
        _confirmed -= old;
    }

    private async Task PumpAsync(IMqttClient client, CancellationToken ct)
    {
        var replayed = 0;
        while (client.IsConnected)
        {
            foreach (var (topic, payload) in _queue.TakeDirtyRetained())
            {
                try
                {
                    await PublishOrDropAsync(client, topic, payload, retain: true, ct).ConfigureAwait(false);
                }
                catch
                {
                    _queue.MarkRetainedDirty(topic);
                    throw;
                }
            }
            while (true)
            {
                var batch = _database.PeekOutbox(64);
                if (batch.Count == 0)
                {
                    break;
                }
                foreach (var m in batch)
                {
                    var delivered = await PublishOrDropAsync(client, m.Topic, m.Payload, m.Retain, ct).ConfigureAwait(false);
                    _database.Acknowledge(m.Id);
                    replayed += delivered ? 1 : 0;
                }
            }
            if (replayed > 0)
            {
                AgentLog.OutboxReplayed(_logger, replayed);
                replayed = 0;
            }
            LogDrops();
            while (_queue.Telemetry.Reader.TryRead(out var m))
            {
                _written.Add((_wall.GetUtcNow(), m)); // unconfirmed until the broker answers a later packet (requeued by the caller if this throws)
                await PublishAsync(client, m.Topic, m.Payload, MqttQualityOfServiceLevel.AtMostOnce, retain: false, ct).ConfigureAwait(false);
            }
            if (_written.Count > _confirmed)
            {
                await client.PingAsync(ct).ConfigureAwait(false);
                Confirm(); // the PINGRESP came after the broker read every packet before the PINGREQ
            }
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
            wait.CancelAfter(TimeSpan.FromSeconds(1));
            try
            {
                await _queue.Wake.WaitToReadAsync(wait.Token).ConfigureAwait(false);
                _queue.Wake.TryRead(out _);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // periodic check of the connection below
            }
        }
    }

    /// <summary>A QoS 1 message the broker answered with a refusal (MQTT 5 PUBACK reason code). Not authorised (an access rule), an
    /// invalid topic name or payload format will be refused again however often it is sent: <see cref="Permanent"/>. The rest
    /// (quota exceeded, unspecified errors) may pass later.</summary>
    private sealed class PublishRefusedException(string topic, MqttClientPublishReasonCode code, string? reasonString)
        : IOException($"broker refused {topic}: {WithReason(code, reasonString)}")
    {
        public MqttClientPublishReasonCode Code { get; } = code;

        public bool Permanent => Code is MqttClientPublishReasonCode.NotAuthorized or MqttClientPublishReasonCode.TopicNameInvalid
            or MqttClientPublishReasonCode.PayloadFormatInvalid;
    }

    /// <summary>Publishes at QoS 1; false when the broker refuses the message for good (<see cref="PublishRefusedException.Permanent"/>):
    /// it is dropped, counted and logged once per topic, so one topic the broker's access rules leave out (Home Assistant
    /// discovery on a utility's broker) does not hold back every other message behind it.</summary>
    private async Task<bool> PublishOrDropAsync(IMqttClient client, string topic, string payload, bool retain, CancellationToken ct)
    {
        try
        {
            await PublishAsync(client, topic, payload, MqttQualityOfServiceLevel.AtLeastOnce, retain, ct).ConfigureAwait(false);
            return true;
        }
        catch (PublishRefusedException ex) when (ex.Permanent)
        {
            Refused++;
            if (_loggedOnce.Add(topic))
            {
                AgentLog.PublishRefused(_logger, topic, ex.Code.ToString());
            }
            return false;
        }
    }

    private async Task PublishAsync(IMqttClient client, string topic, string payload, MqttQualityOfServiceLevel qos, bool retain, CancellationToken ct)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(Encoding.UTF8.GetBytes(payload))
            .WithQualityOfServiceLevel(qos)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, ct).ConfigureAwait(false);
        if (qos == MqttQualityOfServiceLevel.AtLeastOnce)
        {
            Confirm(); // the PUBACK, a refusal too, came after the broker read every earlier packet
        }
        if (!result.IsSuccess)
        {
            throw new PublishRefusedException(topic, result.ReasonCode, result.ReasonString);
        }
        Delivered++;
        _health.Report(PipelineStage.Publishing);
    }

    private async Task GoOfflineAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            await PublishAsync(client, _topics.Status, "offline", MqttQualityOfServiceLevel.AtLeastOnce, retain: true, cts.Token).ConfigureAwait(false);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cts.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or MQTTnet.Exceptions.MqttCommunicationException)
        {
            // shutting down anyway; the broker sends the last will
        }
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var text = e.ApplicationMessage.ConvertPayloadToString() ?? "";
        if (topic == _topics.WeatherSet)
        {
            _weatherInbox.Messages.Writer.TryWrite(text);
        }
        else if (topic == _topics.HomeAssistantStatus && text.Trim().Equals("online", StringComparison.OrdinalIgnoreCase) && _options.HomeAssistant)
        {
            AgentLog.HomeAssistantOnline(_logger);
            _queue.MarkRetainedDirty(_topics.HomeAssistantDiscovery);
        }
        return Task.CompletedTask;
    }
}

/// <summary>Where the broker is: the configured host and port, or the embedded broker's actual port in the demo.</summary>
public sealed class BrokerEndpoint
{
    public BrokerEndpoint(string host, int port)
    {
        Host = host;
        Port = port;
    }

    public string Host { get; set; }

    public int Port { get; set; }
}
