using PvEdge.Integration.Tests.Deploy;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>A utility's broker usually lets a gateway write under its own topics only. With Home Assistant discovery left on
/// (the default), mosquitto answers the discovery message with PUBACK "not authorised" (MQTT 5): the agent must drop what the
/// broker will never take, say so once, and go on publishing everything else on the same connection. (mosquitto 2.0 grants every
/// subscription and applies its read rules when it delivers, so a refused subscription is tested against MQTTnet's broker.)</summary>
public sealed class AgentBrokerAclTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-acl-").FullName;

    [SkippableFact]
    public void Agent_BrokerDeniesDiscoveryTopic_DropsItOnceAndPublishesTheRest()
    {
        var program = Mosquitto.Require();
        var subscriber = ExternalTools.Require("mosquitto_sub", "mosquitto-clients");
        var acl = Path.Combine(_dir, "acl");
        File.WriteAllText(acl, "topic readwrite pvedge/#\n"); // anonymous clients: their own tree only
        var port = ExternalTools.FreeTcpPort();
        using var broker = new Mosquitto(program, _dir, port, aclFile: acl);
        broker.Start();
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "Gateway": { "Id": "acl" },
              "Mqtt": { "Host": "127.0.0.1", "Port": {{port}}, "ReconnectMinS": 0.5, "ReconnectMaxS": 1 },
              "Storage": { "Path": "{{Path.Combine(_dir, "agent.db")}}" },
              "Weather": { "Source": "clear-sky" },
              "Acquisition": { "Simulated": true, "Simulator": "in-process" },
              "Demo": { "Speed": 120, "StartUtc": "2026-06-21T10:00:00Z" }
            }
            """);
        using var agent = AgentProcess.Start("run", "--config", config);
        var sub = ProcessRunner.Run(subscriber, ["-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-v",
            "-t", "pvedge/acl/telemetry", "-t", "pvedge/acl/forecast/hourly", "-C", "12", "-W", "60"], TimeSpan.FromSeconds(90));
        Assert.True(sub.ExitCode == 0, $"subscriber: exit {sub.ExitCode}: {sub.All}\nagent:\n{agent.Log}");
        var lines = sub.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith("pvedge/acl/forecast/hourly ", StringComparison.Ordinal));
        Assert.True(lines.Count(l => l.StartsWith("pvedge/acl/telemetry ", StringComparison.Ordinal)) >= 5, sub.Out);
        var refused = agent.Output.Where(l => l.Contains("broker refuses homeassistant/device/acl/config", StringComparison.Ordinal)).ToList();
        Assert.True(refused.Count == 1, $"expected one line about the refused discovery topic:\n{agent.Log}");
        Assert.Contains("NotAuthorized", refused[0], StringComparison.Ordinal);
        Assert.DoesNotContain(agent.Output, l => l.Contains("unreachable or lost", StringComparison.Ordinal)); // one connection throughout
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
