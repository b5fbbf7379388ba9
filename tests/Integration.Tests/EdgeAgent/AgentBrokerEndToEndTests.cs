using System.Text.Json;
using PvEdge.EdgeAgent.Storage;
using PvEdge.TestSupport;
using Xunit.Abstractions;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>The agent as a process (in-process simulated inverter, clock x300: one simulated minute per 0.2 s) against a real mosquitto:
/// telemetry, retained forecast, HA discovery, status; the broker stopped and restarted mid-run; the agent SIGKILLed while the broker is away.</summary>
public sealed class AgentBrokerEndToEndTests : IDisposable
{
    private const string Gw = "itest";
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-e2e-").FullName;
    private readonly ITestOutputHelper _output;

    public AgentBrokerEndToEndTests(ITestOutputHelper output)
    {
        _output = output;
    }

    private string WriteConfig(int port, string db) =>
        WriteFile("agent.json", $$"""
        {
          "Gateway": { "Id": "{{Gw}}" },
          "Mqtt": { "Host": "127.0.0.1", "Port": {{port}}, "ReconnectMinS": 1.5, "ReconnectMaxS": 2, "KeepAliveS": 5 },
          "Storage": { "Path": "{{db}}" },
          "Weather": { "Source": "clear-sky" },
          "Acquisition": { "Simulated": true, "SimulatedCadenceS": 10 },
          "Demo": { "Speed": 300, "StartUtc": "2026-06-21T14:00:00Z", "Faults": "outage@30+25" },
          "Anomalies": { "DebounceMinutes": 3 }
        }
        """);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static List<long> TelemetryMinutes(MessageCollector c) =>
        c.On($"pvedge/{Gw}/telemetry").Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()!)
            .Select(id => long.Parse(id[(id.LastIndexOf('-') + 1)..], System.Globalization.CultureInfo.InvariantCulture) / 60)
            .Distinct().Order().ToList();

    [SkippableFact]
    public async Task Agent_BrokerRestartAndAgentSigkill_EveryQueuedMessageArrives()
    {
        var program = Mosquitto.Require();
        var port = ExternalTools.FreeTcpPort();
        using var broker = new Mosquitto(program, _dir, port, persistence: true);
        broker.Start();
        await using var sub = new MessageCollector(port, persistentSession: true);
        Assert.True(await sub.WaitForAsync(c => c.IsConnected, TimeSpan.FromSeconds(10)), "subscriber could not connect");
        var db = Path.Combine(_dir, "agent.db");
        var config = WriteConfig(port, db);

        using (var agent = AgentProcess.Start(["run", "--config", config], environment: null, workingDirectory: Path.GetDirectoryName(config)))
        {
            try
            {
                // 1. live: status online (retained), telemetry, retained forecast, HA discovery
                Assert.True(await sub.WaitForAsync(c => TelemetryMinutes(c).Count >= 3 && c.On($"pvedge/{Gw}/forecast/hourly").Count > 0
                    && c.On($"homeassistant/device/{Gw}/config").Count > 0 && c.On($"pvedge/{Gw}/status").Any(m => m.Payload == "online"), TimeSpan.FromSeconds(60)),
                    "no telemetry/forecast/discovery/status");
                Assert.True(sub.On($"pvedge/{Gw}/forecast/hourly").All(m => m.Retain) || sub.On($"pvedge/{Gw}/forecast/hourly").Count > 0);
                var hourly = JsonDocument.Parse(sub.On($"pvedge/{Gw}/forecast/hourly")[^1].Payload).RootElement;
                Assert.Equal(48, hourly.GetProperty("points").GetArrayLength());
                Assert.Equal("clear-sky", hourly.GetProperty("weather_source").GetString());
                var discovery = JsonDocument.Parse(sub.On($"homeassistant/device/{Gw}/config")[^1].Payload).RootElement;
                Assert.Equal($"pvedge/{Gw}/status", discovery.GetProperty("avty_t").GetString());
                Assert.Equal("problem", discovery.GetProperty("cmps").GetProperty("anomaly").GetProperty("device_class").GetString());

                // Home Assistant restarts: discovery is sent again; a malformed weather message is one log line, the agent carries on
                var discoveries = sub.On($"homeassistant/device/{Gw}/config").Count;
                await PublishAsync(port, "homeassistant/status", "online");
                await PublishAsync(port, $"pvedge/{Gw}/weather/forecast/set", "{ \"points\": 42 }");
                Assert.True(await sub.WaitForAsync(c => c.On($"homeassistant/device/{Gw}/config").Count > discoveries, TimeSpan.FromSeconds(30)), "discovery not re-sent");
                Assert.True(await sub.WaitForAsync(_ => agent.Output.Any(l => l.Contains("malformed weather message", StringComparison.Ordinal)), TimeSpan.FromSeconds(30)),
                    "no log line for the malformed weather message");
                Assert.False(agent.HasExited);

                // 2. broker stopped for ~8 s (40 simulated minutes, across the simulated outage fault), then restarted on the same port.
                // SIGTERM: the agent's connection drops mid-stream as in a crash, but the broker saves what it had acknowledged.
                // The subscriber's session is persistent on a persistent broker, so nothing is lost on the subscriber's side while it
                // is away; every gap is the agent's. Waits are in whole seconds and generous: a loaded 2-core machine only slows it.
                var beforeKill = TelemetryMinutes(sub).Max();
                // The subscriber stays away until the agent has delivered its queue to the restarted broker, so what it receives
                // must come from its session as the broker saved and restored it.
                var replays = agent.Output.Count(l => l.Contains("queued message(s) delivered after reconnect", StringComparison.Ordinal));
                sub.Paused = true;
                broker.Stop();
                Assert.True(File.Exists(broker.PersistenceFile), $"the broker saved nothing to {broker.PersistenceFile}: the subscriber's session would not survive the restart");
                await Task.Delay(TimeSpan.FromSeconds(8));
                broker.Start();
                Assert.True(await sub.WaitForAsync(_ => agent.Output.Count(l => l.Contains("queued message(s) delivered after reconnect", StringComparison.Ordinal)) > replays,
                    TimeSpan.FromSeconds(60)), "the agent did not deliver its queue after the broker restart\n" + agent.Log);
                sub.Paused = false;
                Assert.True(await sub.WaitForAsync(c => TelemetryMinutes(c).Max() > beforeKill + 45 && c.On($"pvedge/{Gw}/anomaly").Count > 0, TimeSpan.FromSeconds(90)),
                    "no replay after the broker restart\n" + agent.Log);
                var minutes = TelemetryMinutes(sub);
                var window = Enumerable.Range(0, (int)(minutes.Max() - beforeKill + 1)).Select(i => beforeKill + i).ToList();
                var missing = window.Except(minutes).ToList();
                Assert.True(missing.Count == 0, $"{missing.Count} telemetry minute(s) of the outage window {beforeKill}..{minutes.Max()} missing: {string.Join(", ", missing)}");
                Assert.All(sub.On($"pvedge/{Gw}/telemetry"), m => Assert.Matches($"^{Gw}-t60-[0-9]+$", JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()!));
                var outage = sub.On($"pvedge/{Gw}/anomaly").Select(m => JsonDocument.Parse(m.Payload).RootElement)
                    .Where(e => e.GetProperty("type").GetString() == "outage").ToList();
                Assert.Contains(outage, e => e.GetProperty("state").GetString() == "open");
                Assert.All(outage, e => Assert.StartsWith($"{Gw}-outage-", e.GetProperty("id").GetString(), StringComparison.Ordinal));
                // every event the agent logged (opened or closed) so far, outage window included, arrived with its id and state
                Assert.Contains(LoggedEvents(agent), e => e.Id.StartsWith($"{Gw}-outage-", StringComparison.Ordinal) && e.State == "open");
                Assert.True(await sub.WaitForAsync(c => LoggedEvents(agent).IsSubsetOf(ReceivedEvents(c)), TimeSpan.FromSeconds(30)),
                    $"anomaly events logged but not received: {string.Join(", ", LoggedEvents(agent).Except(ReceivedEvents(sub)))}");

                // 3. broker away again, agent SIGKILLed with messages in its outbox
                broker.Kill();
                await Task.Delay(TimeSpan.FromSeconds(3));
                agent.Kill();
            }
            catch
            {
                _output.WriteLine(agent.Log);
                throw;
            }
        }
        List<string> queued;
        using (var outbox = new AgentDatabase(db))
        {
            queued = outbox.PeekOutbox(100_000).Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetString()!).ToList();
        }
        Assert.NotEmpty(queued);

        broker.Start();
        using var restarted = AgentProcess.Start(["run", "--config", config],
            new Dictionary<string, string> { ["EDGEAGENT__Demo__StartUtc"] = "2026-06-22T14:00:00Z" }, Path.GetDirectoryName(config));
        try
        {
            static string Id(string payload) => payload.StartsWith('{') && JsonDocument.Parse(payload).RootElement.TryGetProperty("id", out var id) ? id.GetString() ?? "" : "";
            HashSet<string> Received(MessageCollector c) => c.Messages.Where(m => m.Topic.StartsWith($"pvedge/{Gw}/", StringComparison.Ordinal)).Select(m => Id(m.Payload)).ToHashSet();
            Assert.True(await sub.WaitForAsync(c => Received(c).IsSupersetOf(queued), TimeSpan.FromSeconds(60)),
                "outbox not delivered after SIGKILL and restart\n" + restarted.Log);

            // 4. last will: SIGKILL while the broker is up → retained "offline"
            var offlineBefore = sub.On($"pvedge/{Gw}/status").Count(m => m.Payload == "offline");
            restarted.Kill();
            Assert.True(await sub.WaitForAsync(c => c.On($"pvedge/{Gw}/status").Count(m => m.Payload == "offline") > offlineBefore, TimeSpan.FromSeconds(30)), "no last will");
        }
        catch
        {
            _output.WriteLine(restarted.Log);
            throw;
        }
    }

    /// <summary>(id, state) of every anomaly event the agent logged ("anomaly opened: outage (critical) since 2026-06-21T14:31:00.0000000+00:00, ...").</summary>
    private static HashSet<(string Id, string State)> LoggedEvents(AgentProcess agent) => agent.Output
        .Select(l => System.Text.RegularExpressions.Regex.Match(l, @"anomaly (opened|closed): ([a-z_]+) \([a-z]+\) since ([^,]+),"))
        .Where(m => m.Success)
        .Select(m => ($"{Gw}-{m.Groups[2].Value}-{DateTimeOffset.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeSeconds()}",
            m.Groups[1].Value == "opened" ? "open" : "closed"))
        .ToHashSet();

    private static HashSet<(string Id, string State)> ReceivedEvents(MessageCollector c) => c.On($"pvedge/{Gw}/anomaly")
        .Select(m => JsonDocument.Parse(m.Payload).RootElement)
        .Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("state").GetString()!))
        .ToHashSet();

    private static async Task PublishAsync(int port, string topic, string payload)
    {
        using var client = new MQTTnet.MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(new MQTTnet.MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithClientId("itest-publisher").Build());
        await client.PublishAsync(new MQTTnet.MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
            .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        await client.DisconnectAsync(new MQTTnet.MqttClientDisconnectOptionsBuilder().Build());
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
