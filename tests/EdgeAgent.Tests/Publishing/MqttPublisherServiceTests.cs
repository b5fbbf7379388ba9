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

    /// <summary>An in-process broker on a free loopback port, and a publisher for it (not started: a test may add broker handlers
    /// or outbox rows first) with its database, queue, log and weather inbox. Disposing stops both.</summary>
    private sealed class Rig(int port, MqttServer broker, ConcurrentQueue<long> received, AgentDatabase database) : IAsyncDisposable
    {
        public int Port { get; } = port;

        /// <summary>The broker (replaced when a test restarts it).</summary>
        public MqttServer Broker { get; set; } = broker;

        /// <summary>Telemetry values as the broker received them.</summary>
        public ConcurrentQueue<long> Received { get; } = received;

        public AgentDatabase Database { get; } = database;

        public PublishQueue Queue { get; } = new(database, TimeProvider.System);

        public TestLogger<MqttPublisherService> Logger { get; } = new();

        public WeatherInbox Inbox { get; } = new();

        public MqttPublisherService Publisher { get; set; } = null!;

        public async ValueTask DisposeAsync()
        {
            await Publisher.StopAsync(CancellationToken.None);
            Publisher.Dispose();
            await Broker.StopAsync();
            Broker.Dispose();
            Database.Dispose();
        }
    }

    /// <summary>A <see cref="Rig"/>; <paramref name="options"/> default to a retry every 0.5–1 s without Home Assistant discovery
    /// (host and port are set here).</summary>
    private async Task<Rig> RigAsync(string name, MqttOptions? options = null, Func<ValidatingConnectionEventArgs, MqttConnectReasonCode?>? refuse = null)
    {
        var port = ExternalTools.FreeTcpPort();
        var received = new ConcurrentQueue<long>();
        var rig = new Rig(port, await StartBrokerAsync(port, received, refuse), received, new AgentDatabase(Path.Combine(_dir, name + ".db")));
        var o = options ?? new MqttOptions { ReconnectMinS = 0.5, ReconnectMaxS = 1, HomeAssistant = false };
        o.Host = "127.0.0.1";
        o.Port = port;
        rig.Publisher = NewPublisher(o, rig.Database, rig.Queue, rig.Logger, rig.Inbox);
        return rig;
    }

    private MqttPublisherService NewPublisher(MqttOptions options, AgentDatabase database, PublishQueue queue, TestLogger<MqttPublisherService> logger, WeatherInbox? inbox = null) => new(
        Options.Create(options), _topics, queue, database, inbox ?? new WeatherInbox(), new WallClock(TimeProvider.System), new BrokerEndpoint(options.Host, options.Port), logger,
        new PipelineHealth(TimeProvider.System));

    [Fact]
    public async Task Publisher_BrokerStoppedAndRestartedMidStream_EveryTelemetryMessageArrivesFirstTimeInOrder()
    {
        await using var rig = await RigAsync("a");
        var received = rig.Received;
        await rig.Publisher.StartAsync(CancellationToken.None);
        var produced = 0L;
        using var stop = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                rig.Queue.PublishTelemetry(_topics.Telemetry, (++produced).ToString(CultureInfo.InvariantCulture));
                await Task.Delay(20);
            }
        });
        try
        {
            Assert.True(await Poll.UntilAsync(() => received.Count >= 20, TimeSpan.FromSeconds(30)), "no telemetry before the broker stopped");
            await rig.Broker.StopAsync();
            rig.Broker.Dispose();
            Assert.True(await Poll.UntilAsync(() => !rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "the loss was never noticed");
            var downFrom = Interlocked.Read(ref produced);
            Assert.True(await Poll.UntilAsync(() => Interlocked.Read(ref produced) > downFrom + 25, TimeSpan.FromSeconds(30)));
            Assert.True(rig.Database.OutboxCount() > 0, "nothing spooled while the broker was away");
            rig.Broker = await StartBrokerAsync(rig.Port, received);
            Assert.True(await Poll.UntilAsync(() => received.Count > 0 && received.Max() > downFrom + 40, TimeSpan.FromSeconds(60)), "no delivery after the restart");
        }
        finally
        {
            await stop.CancelAsync();
            await producer;
        }
        var last = Interlocked.Read(ref produced);
        Assert.True(await Poll.UntilAsync(() => received.Distinct().Count() == last, TimeSpan.FromSeconds(30)),
            $"missing: {string.Join(", ", Enumerable.Range(1, (int)last).Select(i => (long)i).Except(received).Take(20))}");
        var firstSeen = received.Distinct().ToList();
        Assert.Equal(firstSeen.Order(), firstSeen);
    }

    [Fact]
    public async Task Publisher_WeatherPushedWhileDisconnected_DeliveredFromItsSessionAfterReconnect()
    {
        // MQTTnet speaks MQTT 5, where "clean session off" alone keeps no session once the connection is gone: a forecast a
        // utility pushes during a short network drop would be lost. The agent asks the broker to keep its session for a while.
        await using var rig = await RigAsync("w", new MqttOptions { ReconnectMinS = 1.5, ReconnectMaxS = 2, HomeAssistant = false });
        var subscribed = 0;
        rig.Broker.ClientSubscribedTopicAsync += e =>
        {
            if (e.TopicFilter.Topic == _topics.WeatherSet)
            {
                Interlocked.Increment(ref subscribed);
            }
            return Task.CompletedTask;
        };
        await rig.Publisher.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => Volatile.Read(ref subscribed) == 1 && rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "never subscribed");
        await rig.Broker.DisconnectClientAsync(rig.Publisher.ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.ServerShuttingDown });
        Assert.True(await Poll.UntilAsync(() => !rig.Publisher.IsConnected, TimeSpan.FromSeconds(10)), "the drop was never noticed");
        await rig.Broker.InjectApplicationMessage(new InjectedMqttApplicationMessage(new MqttApplicationMessageBuilder()
            .WithTopic(_topics.WeatherSet).WithPayload("{ \"points\": [] }").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
        Assert.True(await Poll.UntilAsync(() => rig.Logger.Lines.Count(l => l.EventId == 400) == 2, TimeSpan.FromSeconds(30)), "never reconnected");
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        Assert.Equal("{ \"points\": [] }", await rig.Inbox.Messages.Reader.ReadAsync(wait.Token));
    }

    [Theory]
    [InlineData("auto", true)]
    [InlineData("5", false)]
    [InlineData("3.1.1", true)]
    public async Task Publisher_BrokerRefusesMqtt5_AutoFallsBackTo311AndDelivers(string protocol, bool delivers)
    {
        // a 3.1.1-only broker: CONNACK "unsupported protocol version" to an MQTT 5 CONNECT
        await using var rig = await RigAsync($"v{protocol}", new MqttOptions { ReconnectMinS = 0.5, ReconnectMaxS = 1, HomeAssistant = false, Protocol = protocol },
            e => e.ProtocolVersion == MQTTnet.Formatter.MqttProtocolVersion.V500 ? MqttConnectReasonCode.UnsupportedProtocolVersion : null);
        await rig.Publisher.StartAsync(CancellationToken.None);
        for (var i = 1; i <= 5; i++)
        {
            rig.Queue.PublishTelemetry(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture));
        }
        var arrived = await Poll.UntilAsync(() => rig.Received.Distinct().Count() == 5, TimeSpan.FromSeconds(delivers ? 30 : 4));
        Assert.Equal(delivers, arrived);
        Assert.Equal(delivers, rig.Publisher.IsConnected);
        var connected = rig.Logger.Lines.Where(l => l.EventId == 400).Select(l => l.Message).ToList();
        if (delivers)
        {
            Assert.All(connected, m => Assert.EndsWith("(MQTT 3.1.1)", m, StringComparison.Ordinal));
        }
        else
        {
            Assert.Empty(connected);
            Assert.Contains(rig.Logger.Lines, l => l.EventId == 401 && l.Message.Contains("broker refused the connection: UnsupportedProtocolVersion", StringComparison.Ordinal));
        }
        // one fallback line in auto mode, none when the version is fixed
        Assert.Equal(protocol == "auto" ? 1 : 0, rig.Logger.Lines.Count(l => l.EventId == 406));
    }

    [Fact]
    public async Task Publisher_BrokerRefusesCredentials_NeverCountsAsConnectedAndSaysWhy()
    {
        await using var rig = await RigAsync("cred", refuse: _ => MqttConnectReasonCode.BadUserNameOrPassword);
        await rig.Publisher.StartAsync(CancellationToken.None);
        rig.Queue.PublishTelemetry(_topics.Telemetry, "1");
        Assert.True(await Poll.UntilAsync(() => rig.Logger.Lines.Count(l => l.EventId == 401) >= 3, TimeSpan.FromSeconds(30)), "no retries logged");
        Assert.DoesNotContain(rig.Logger.Lines, l => l.EventId == 400);
        Assert.Contains(rig.Logger.Lines, l => l.EventId == 401 && l.Message.Contains("broker refused the connection: BadUserNameOrPassword", StringComparison.Ordinal));
        Assert.DoesNotContain(rig.Logger.Lines, l => l.EventId == 406); // a refusal of the user is not a refusal of the protocol
        Assert.False(rig.Publisher.IsConnected);
        Assert.True(rig.Database.OutboxCount() >= 1, "the telemetry was not kept");
    }

    [Fact]
    public async Task Publisher_BrokerRefusesOneTopicAndOneSubscription_ThoseDroppedAndLoggedOnceTheRestDeliveredInOrderOnOneConnection()
    {
        await using var rig = await RigAsync("acl");
        var forbidden = $"{_topics.Root}/forbidden";
        rig.Broker.InterceptingPublishAsync += e =>
        {
            if (e.ApplicationMessage.Topic == forbidden)
            {
                e.ProcessPublish = false;
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized; // an access rule, as mosquitto's acl_file answers MQTT 5
            }
            return Task.CompletedTask;
        };
        rig.Broker.InterceptingSubscriptionAsync += e =>
        {
            if (e.TopicFilter.Topic == _topics.HomeAssistantStatus)
            {
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
            }
            return Task.CompletedTask;
        };
        for (var i = 1; i <= 6; i++)
        {
            rig.Database.Enqueue(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture), retain: false, "telemetry", DateTimeOffset.UtcNow);
            rig.Database.Enqueue(forbidden, "{}", retain: false, "event", DateTimeOffset.UtcNow);
        }
        await rig.Publisher.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => rig.Received.Count == 6 && rig.Database.OutboxCount() == 0, TimeSpan.FromSeconds(30)),
            $"received {rig.Received.Count}, outbox {rig.Database.OutboxCount()}");
        Assert.Equal([1L, 2, 3, 4, 5, 6], rig.Received);
        Assert.Equal(6, rig.Publisher.Refused);
        var line = Assert.Single(rig.Logger.Lines, l => l.EventId == 407);
        Assert.Contains(forbidden, line.Message, StringComparison.Ordinal);
        Assert.Contains("NotAuthorized", line.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(rig.Logger.Lines, l => l.EventId == 401); // never dropped the connection over it
        var subscription = Assert.Single(rig.Logger.Lines, l => l.EventId == 408);
        Assert.Contains($"subscription to {_topics.HomeAssistantStatus}: NotAuthorized", subscription.Message, StringComparison.Ordinal);
        Assert.Contains(rig.Logger.Lines, l => l.EventId == 402 && l.Message.Contains(" 6 queued", StringComparison.Ordinal)); // the refused ones are not counted as delivered
    }

    [Fact]
    public async Task Publisher_SecondClientTakesItsClientId_LogSaysAnotherGatewayUsesTheSameId()
    {
        await using var rig = await RigAsync("twin");
        await rig.Publisher.StartAsync(CancellationToken.None);
        using var twin = new MqttClientFactory().CreateMqttClient();
        Assert.True(await Poll.UntilAsync(() => rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "never connected");
        await twin.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", rig.Port).WithClientId(rig.Publisher.ClientId).Build());
        Assert.True(await Poll.UntilAsync(() => rig.Logger.Lines.Any(l => l.EventId == 401), TimeSpan.FromSeconds(30)), "the take-over was not noticed");
        var line = rig.Logger.Lines.First(l => l.EventId == 401).Message;
        Assert.Contains("does a second gateway use the same Gateway:Id or Mqtt:ClientId?", line, StringComparison.Ordinal);
        Assert.Contains(rig.Publisher.ClientId, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publisher_BrokerClosesEveryConnectionAtOnce_BackOffGrowsInsteadOfReconnectingEverySecond()
    {
        await using var rig = await RigAsync("flap", new MqttOptions { ReconnectMinS = 0.5, ReconnectMaxS = 4, HomeAssistant = false });
        rig.Broker.ClientConnectedAsync += async e => await rig.Broker.DisconnectClientAsync(e.ClientId, new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction });
        await rig.Publisher.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => rig.Logger.Lines.Count(l => l.EventId == 401) >= 4, TimeSpan.FromSeconds(40)), "fewer than four reconnects");
        var delays = rig.Logger.Lines.Where(l => l.EventId == 401)
            .Select(l => double.Parse(System.Text.RegularExpressions.Regex.Match(l.Message, @"retrying in ([0-9.]+) s").Groups[1].Value, CultureInfo.InvariantCulture)).ToList();
        Assert.True(rig.Logger.Lines.Count(l => l.EventId == 400) >= 3, "the broker never let it in"); // each attempt did connect first
        Assert.True(delays[3] >= 1.0, $"delays {string.Join(", ", delays)}: the back-off went back to the shortest wait after each short-lived connection");
    }

    [Fact]
    public async Task Publisher_DiskFullWhileTheBrokerIsAway_DropsWhatItCannotStoreAndPublishesAgainWhenBack()
    {
        await using var rig = await RigAsync("full");
        await rig.Publisher.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "never connected");
        rig.Database.LimitPagesForTests(1);
        await rig.Broker.StopAsync();
        rig.Broker.Dispose();
        Assert.True(await Poll.UntilAsync(() => !rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "the loss was never noticed");
        for (var i = 1; i <= 20; i++)
        {
            // spooled, and refused by the full disk (leading zeros make each need a new page; the broker's parser still reads the number)
            rig.Queue.PublishTelemetry(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture).PadLeft(20_000, '0'));
        }
        Assert.True(await Poll.UntilAsync(() => rig.Database.OutboxDropped >= 20, TimeSpan.FromSeconds(30)), $"dropped {rig.Database.OutboxDropped}");
        Assert.False(rig.Publisher.ExecuteTask!.IsCompleted, "the publisher stopped");
        rig.Broker = await StartBrokerAsync(rig.Port, rig.Received);
        Assert.True(await Poll.UntilAsync(() => rig.Publisher.IsConnected, TimeSpan.FromSeconds(30)), "never reconnected");
        rig.Queue.PublishTelemetry(_topics.Telemetry, "21");
        Assert.True(await Poll.UntilAsync(() => rig.Received.Contains(21), TimeSpan.FromSeconds(30)), "live telemetry did not flow again");
        var line = Assert.Single(rig.Logger.Lines, l => l.EventId == 409);
        Assert.Contains("full", line.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Publisher_NoBrokerAndOutboxFull_OldestTelemetryDroppedCountedAndLoggedOnce()
    {
        var port = ExternalTools.FreeTcpPort(); // nobody listens
        using var database = new AgentDatabase(Path.Combine(_dir, "b.db"), outboxMaxMessages: 5);
        var queue = new PublishQueue(database, TimeProvider.System);
        var logger = new TestLogger<MqttPublisherService>();
        using var publisher = NewPublisher(new MqttOptions { Host = "127.0.0.1", Port = port, ReconnectMinS = 0.5, ReconnectMaxS = 1, HomeAssistant = false }, database, queue, logger);
        for (var i = 1; i <= 12; i++)
        {
            queue.PublishTelemetry(_topics.Telemetry, i.ToString(CultureInfo.InvariantCulture));
        }
        await publisher.StartAsync(CancellationToken.None);
        Assert.True(await Poll.UntilAsync(() => database.OutboxDropped == 7, TimeSpan.FromSeconds(30)), $"dropped {database.OutboxDropped}");
        Assert.True(await Poll.UntilAsync(() => logger.Lines.Any(l => l.EventId == 405), TimeSpan.FromSeconds(30)), "no log line for the drops");
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
