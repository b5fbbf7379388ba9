using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;
using MQTTnet.Server;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.EdgeAgent.Publishing;
using PvEdge.EdgeAgent.Storage;
using PvEdge.EdgeAgent.Weather;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Publishing;

/// <summary>The publisher against an in-process MQTTnet broker that is stopped and started again while telemetry keeps coming: what the
/// broker received is recorded at the broker itself, so no subscriber can miss anything.</summary>
public sealed class MqttPublisherServiceTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-pub-").FullName;
    private readonly Topics _topics = new("pvedge", "gw");

    /// <summary>An in-process broker that records the telemetry it receives; <paramref name="refuse"/> (optional) answers a CONNECT
    /// with a refusal instead of accepting it.</summary>
    private async Task<MqttServer> StartBrokerAsync(int port, ConcurrentQueue<long> received, Func<ValidatingConnectionEventArgs, MqttConnectReasonCode?>? refuse = null)
    {
        var options = new MqttServerOptionsBuilder().WithPersistentSessions().WithDefaultEndpoint().WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointBoundIPV6Address(IPAddress.None).WithDefaultEndpointPort(port).Build();
        var server = new MqttServerFactory().CreateMqttServer(options);
        server.ValidatingConnectionAsync += e =>
        {
            if (refuse?.Invoke(e) is { } code)
            {
                e.ReasonCode = code;
            }
            return Task.CompletedTask;
        };
        server.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic == _topics.Telemetry)
            {
                received.Enqueue(long.Parse(e.ApplicationMessage.ConvertPayloadToString(), CultureInfo.InvariantCulture));
            }
            return Task.CompletedTask;
        };
        await server.StartAsync();
        return server;
    }

    /// <summary>A publisher on 127.0.0.1:<paramref name="port"/> that retries every 0.5–1 s, without Home Assistant discovery.</summary>
    private MqttPublisherService NewPublisher(int port, AgentDatabase database, PublishQueue queue, TestLogger<MqttPublisherService> logger, string protocol = "auto") => new(
        Options.Create(new MqttOptions { Host = "127.0.0.1", Port = port, ReconnectMinS = 0.5, ReconnectMaxS = 1, HomeAssistant = false, Protocol = protocol }),
        _topics, queue, database, new WeatherInbox(), new WallClock(TimeProvider.System), new BrokerEndpoint("127.0.0.1", port), logger,
        new PipelineHealth(TimeProvider.System));

    private static async Task<bool> WaitForAsync(Func<bool> condition, TimeSpan timeout)
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (!condition() && sw.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
        return condition();
    }

    [Fact]
    public async Task Publisher_BrokerStoppedAndRestartedMidStream_EveryTelemetryMessageArrivesFirstTimeInOrder()
    {
        var port = ExternalTools.FreeTcpPort();
        var received = new ConcurrentQueue<long>();
        var broker = await StartBrokerAsync(port, received);
        using var database = new AgentDatabase(Path.Combine(_dir, "a.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger);
        await publisher.StartAsync(CancellationToken.None);
        var produced = 0L;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                queue.PublishTelemetry(_topics.Telemetry, (++produced).ToString(CultureInfo.InvariantCulture));
                await Task.Delay(20);
            }
        });
        try
        {
            Assert.True(await WaitForAsync(() => received.Count >= 20, TimeSpan.FromSeconds(30)), "no telemetry before the broker stopped");
            await broker.StopAsync();
            broker.Dispose();
            Assert.True(await WaitForAsync(() => !publisher.IsConnected, TimeSpan.FromSeconds(30)), "the loss was never noticed");
            var downFrom = Interlocked.Read(ref produced);
            Assert.True(await WaitForAsync(() => Interlocked.Read(ref produced) > downFrom + 25, TimeSpan.FromSeconds(30)));
            Assert.True(database.OutboxCount() > 0, "nothing spooled while the broker was away");
            broker = await StartBrokerAsync(port, received);
            Assert.True(await WaitForAsync(() => received.Count > 0 && received.Max() > downFrom + 40, TimeSpan.FromSeconds(60)), "no delivery after the restart");
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
        var last = Interlocked.Read(ref produced);
        Assert.True(await WaitForAsync(() => received.Distinct().Count() == last, TimeSpan.FromSeconds(30)),
            $"missing: {string.Join(", ", Enumerable.Range(1, (int)last).Select(i => (long)i).Except(received).Take(20))}");
        var firstSeen = received.Distinct().ToList();
        Assert.Equal(firstSeen.Order(), firstSeen);
        await publisher.StopAsync(CancellationToken.None);
        await broker.StopAsync();
        broker.Dispose();
    }

    [Fact]
    public async Task Publisher_WeatherPushedWhileDisconnected_DeliveredFromItsSessionAfterReconnect()
    {
        // MQTTnet speaks MQTT 5, where "clean session off" alone keeps no session once the connection is gone: a forecast a
        // utility pushes during a short network drop would be lost. The agent asks the broker to keep its session for a while.
        var port = ExternalTools.FreeTcpPort();
        var broker = await StartBrokerAsync(port, new ConcurrentQueue<long>());
        var subscribed = 0;
        broker.ClientSubscribedTopicAsync += e =>
        {
            if (e.TopicFilter.Topic == _topics.WeatherSet)
            {
                Interlocked.Increment(ref subscribed);
            }
            return Task.CompletedTask;
        };
        using var database = new AgentDatabase(Path.Combine(_dir, "w.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        var inbox = new WeatherInbox();
        using var publisher = new MqttPublisherService(
            Options.Create(new MqttOptions { Host = "127.0.0.1", Port = port, ReconnectMinS = 1.5, ReconnectMaxS = 2, HomeAssistant = false }),
            _topics, queue, database, inbox, new WallClock(TimeProvider.System), new BrokerEndpoint("127.0.0.1", port), logger,
            new PipelineHealth(TimeProvider.System));
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await WaitForAsync(() => Volatile.Read(ref subscribed) == 1 && publisher.IsConnected, TimeSpan.FromSeconds(30)), "never subscribed");
            await broker.DisconnectClientAsync(publisher.ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MQTTnet.Protocol.MqttDisconnectReasonCode.ServerShuttingDown });
            Assert.True(await WaitForAsync(() => !publisher.IsConnected, TimeSpan.FromSeconds(10)), "the drop was never noticed");
            await broker.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
                .WithTopic(_topics.WeatherSet).WithPayload("{ \"points\": [] }").WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            Assert.True(await WaitForAsync(() => logger.Lines.Count(l => l.EventId == 400) == 2, TimeSpan.FromSeconds(30)), "never reconnected");
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            Assert.Equal("{ \"points\": [] }", await inbox.Messages.Reader.ReadAsync(wait.Token));
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("5", false)]
    [InlineData("3.1.1", true)]
    public async Task Publisher_BrokerRefusesMqtt5_AutoFallsBackTo311AndDelivers(string protocol, bool delivers)
    {
        // a 3.1.1-only broker: CONNACK "unsupported protocol version" to an MQTT 5 CONNECT
        var port = ExternalTools.FreeTcpPort();
        var received = new ConcurrentQueue<long>();
        var broker = await StartBrokerAsync(port, received,
            e => e.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500 ? MqttConnectReasonCode.UnsupportedProtocolVersion : null);
        using var database = new AgentDatabase(Path.Combine(_dir, $"v{protocol}.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger, protocol);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            for (var i = 1; i <= 5; i++)
            {
                queue.PublishTelemetry(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture));
            }
            var arrived = await WaitForAsync(() => received.Distinct().Count() == 5, TimeSpan.FromSeconds(delivers ? 30 : 4));
            Assert.Equal(delivers, arrived);
            Assert.Equal(delivers, publisher.IsConnected);
            var connected = logger.Lines.Where(l => l.EventId == 400).Select(l => l.Message).ToList();
            if (delivers)
            {
                Assert.All(connected, m => Assert.EndsWith("(MQTT 3.1.1)", m, StringComparison.Ordinal));
            }
            else
            {
                Assert.Empty(connected);
                Assert.Contains(logger.Lines, l => l.EventId == 401 && l.Message.Contains("broker refused the connection: UnsupportedProtocolVersion", StringComparison.Ordinal));
            }
            // one fallback line in auto mode, none when the version is fixed
            Assert.Equal(protocol == "auto" ? 1 : 0, logger.Lines.Count(l => l.EventId == 406));
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Fact]
    public async Task Publisher_BrokerRefusesCredentials_NeverCountsAsConnectedAndSaysWhy()
    {
        var port = ExternalTools.FreeTcpPort();
        var broker = await StartBrokerAsync(port, new ConcurrentQueue<long>(), _ => MqttConnectReasonCode.BadUserNameOrPassword);
        using var database = new AgentDatabase(Path.Combine(_dir, "cred.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            queue.PublishTelemetry(_topics.Telemetry, "1");
            Assert.True(await WaitForAsync(() => logger.Lines.Count(l => l.EventId == 401) >= 3, TimeSpan.FromSeconds(30)), "no retries logged");
            Assert.DoesNotContain(logger.Lines, l => l.EventId == 400);
            Assert.Contains(logger.Lines, l => l.EventId == 401 && l.Message.Contains("broker refused the connection: BadUserNameOrPassword", StringComparison.Ordinal));
            Assert.DoesNotContain(logger.Lines, l => l.EventId == 406); // a refusal of the user is not a refusal of the protocol
            Assert.False(publisher.IsConnected);
            Assert.True(database.OutboxCount() >= 1, "the telemetry was not kept");
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Fact]
    public async Task Publisher_BrokerRefusesOneTopicAndOneSubscription_ThoseDroppedAndLoggedOnceTheRestDeliveredInOrderOnOneConnection()
    {
        var port = ExternalTools.FreeTcpPort();
        var received = new ConcurrentQueue<long>();
        var broker = await StartBrokerAsync(port, received);
        var forbidden = $"{_topics.Root}/forbidden";
        broker.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic == forbidden)
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized; // an access rule, as mosquitto's acl_file answers MQTT 5
            }
            return Task.CompletedTask;
        };
        broker.InterceptingSubscriptionAsync += e =>
        {
            if (e.TopicFilter.Topic == _topics.HomeAssistantStatus)
            {
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
        using var database = new AgentDatabase(Path.Combine(_dir, "acl.db"));
        for (var i = 1; i <= 6; i++)
        {
            database.Enqueue(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture), retain: false, "telemetry", DateTimeOffset.UtcNow);
            database.Enqueue(forbidden, "{}", retain: false, "event", DateTimeOffset.UtcNow);
        }
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger);
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await WaitForAsync(() => received.Count == 6 && database.OutboxCount() == 0, TimeSpan.FromSeconds(30)), $"received {received.Count}, outbox {database.OutboxCount()}");
            Assert.Equal([1L, 2, 3, 4, 5, 6], received);
            Assert.Equal(6, publisher.Refused);
            var line = Assert.Single(logger.Lines, l => l.EventId == 407);
            Assert.Contains(forbidden, line.Message, StringComparison.Ordinal);
            Assert.Contains("NotAuthorized", line.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(logger.Lines, l => l.EventId == 401); // never dropped the connection over it
            var subscription = Assert.Single(logger.Lines, l => l.EventId == 408);
            Assert.Contains($"subscription to {_topics.HomeAssistantStatus}: NotAuthorized", subscription.Message, StringComparison.Ordinal);
            Assert.Contains(logger.Lines, l => l.EventId == 402 && l.Message.Contains(" 6 queued", StringComparison.Ordinal)); // the refused ones are not counted as delivered
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Fact]
    public async Task Publisher_SecondClientTakesItsClientId_LogSaysAnotherGatewayUsesTheSameId()
    {
        var port = ExternalTools.FreeTcpPort();
        var broker = await StartBrokerAsync(port, new ConcurrentQueue<long>());
        using var database = new AgentDatabase(Path.Combine(_dir, "twin.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger);
        await publisher.StartAsync(CancellationToken.None);
        using var twin = new MqttClientFactory().CreateMqttClient();
        try
        {
            Assert.True(await WaitForAsync(() => publisher.IsConnected, TimeSpan.FromSeconds(30)), "never connected");
            await twin.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId(publisher.ClientId).Build());
            Assert.True(await WaitForAsync(() => logger.Lines.Any(l => l.EventId == 401), TimeSpan.FromSeconds(30)), "the take-over was not noticed");
            var line = logger.Lines.First(l => l.EventId == 401).Message;
            Assert.Contains("does a second gateway use the same Gateway:Id or Mqtt:ClientId?", line, StringComparison.Ordinal);
            Assert.Contains(publisher.ClientId, line, StringComparison.Ordinal);
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Fact]
    public async Task Publisher_BrokerClosesEveryConnectionAtOnce_BackOffGrowsInsteadOfReconnectingEverySecond()
    {
        var port = ExternalTools.FreeTcpPort();
        var broker = await StartBrokerAsync(port, new ConcurrentQueue<long>());
        broker.ClientConnectedAsync += async e => await broker.DisconnectClientAsync(e.ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction });
        using var database = new AgentDatabase(Path.Combine(_dir, "flap.db"));
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = new MqttPublisherService(
            Options.Create(new MqttOptions { Host = "127.0.0.1", Port = port, ReconnectMinS = 0.5, ReconnectMaxS = 4, HomeAssistant = false }),
            _topics, queue, database, new WeatherInbox(), new WallClock(TimeProvider.System), new BrokerEndpoint("127.0.0.1", port), logger,
            new PipelineHealth(TimeProvider.System));
        await publisher.StartAsync(CancellationToken.None);
        try
        {
            Assert.True(await WaitForAsync(() => logger.Lines.Count(l => l.EventId == 401) >= 4, TimeSpan.FromSeconds(40)), "fewer than four reconnects");
            var delays = logger.Lines.Where(l => l.EventId == 401)
                .Select(l => double.Parse(System.Text.RegularExpressions.Regex.Match(l.Message, @"retrying in ([0-9.]+) s").Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
            Assert.True(logger.Lines.Count(l => l.EventId == 400) >= 3, "the broker never let it in"); // each attempt did connect first
            Assert.True(delays[3] >= 1.0, $"delays {string.Join(", ", delays)}: the back-off went back to the shortest wait after each short-lived connection");
        }
        finally
        {
            await publisher.StopAsync(CancellationToken.None);
            await broker.StopAsync();
            broker.Dispose();
        }
    }

    [Fact]
    public async Task Publisher_NoBrokerAndOutboxFull_OldestTelemetryDroppedCountedAndLoggedOnce()
    {
        var port = ExternalTools.FreeTcpPort(); // nobody listens
        using var database = new AgentDatabase(Path.Combine(_dir, "b.db"), outboxMaxMessages: 5);
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(port, database, queue, logger);
        for (var i = 1; i <= 12; i++)
        {
            queue.PublishTelemetry(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture));
        }
        await publisher.StartAsync(CancellationToken.None);
        Assert.True(await WaitForAsync(() => database.OutboxDropped == 7, TimeSpan.FromSeconds(30)), $"dropped {database.OutboxDropped}");
        Assert.True(await WaitForAsync(() => logger.Lines.Any(l => l.EventId == 405), TimeSpan.FromSeconds(30)), "no log line for the drops");
        await publisher.StopAsync(CancellationToken.None);
        Assert.Equal(["8", "9", "10", "11", "12"], database.PeekOutbox(10).Select(m => m.Payload));
        var line = Assert.Single(logger.Lines, l => l.EventId == 405);
        Assert.Contains("7 message(s) dropped since start", line.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
