using PvEdge.Integration.Tests.Deploy;
using PvEdge.TestSupport;

namespace PvEdge.Integration.Tests.EdgeAgent;

/// <summary>The agent against a utility's broker we did not write that speaks MQTT 3.1.1 only: RabbitMQ's MQTT plugin as Debian 12
/// ships it (3.10), on a private node started by bench/FleetLoad/run.sh. RabbitMQ closes the connection to an MQTT 5 CONNECT
/// without a word; the agent must fall back to 3.1.1 by itself and publish.</summary>
public sealed class AgentRabbitMqTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("edgeagent-rabbitmq-").FullName;

    [SkippableFact]
    public void Agent_OnRabbitMqMqttPlugin_FallsBackTo311AndPublishesTelemetry()
    {
        ExternalTools.Require("/usr/lib/rabbitmq/bin/rabbitmq-server", "rabbitmq-server");
        var subscriber = ExternalTools.Require("mosquitto_sub", "mosquitto-clients");
        Skip.If(Environment.UserName != "root", "the private RabbitMQ node of run.sh needs root here; test skipped");
        var config = Path.Combine(_dir, "agent.json");
        File.WriteAllText(config, $$"""
            {
              "Gateway": { "Id": "rmq" },
              "Mqtt": { "Host": "127.0.0.1", "ReconnectMinS": 0.5, "ReconnectMaxS": 1 },
              "Storage": { "Path": "{{Path.Combine(_dir, "agent.db")}}" },
              "Weather": { "Source": "clear-sky" },
              "Acquisition": { "Simulated": true, "Simulator": "in-process" },
              "Demo": { "Speed": 120, "StartUtc": "2026-06-21T10:00:00Z" }
            }
            """);
        var log = Path.Combine(_dir, "agent.log");
        var agent = AgentProcess.StartInfo("run", "--config", config);
        // the agent in the background on the broker's port; a 3.1.1 subscriber waits for five telemetry messages
        var script = $"cd '{agent.WorkingDirectory}' && EDGEAGENT__Mqtt__Port=$BROKER_PORT \"$@\" > '{log}' 2>&1 & a=$!; "
            + $"'{subscriber}' -V 311 -p $BROKER_PORT -t 'pvedge/rmq/telemetry' -C 5 -W 90; rc=$?; kill $a; wait $a; exit $rc";
        var run = ProcessRunner.Run("bash", [RepoPaths.InRepo("bench/FleetLoad/run.sh"), "rabbitmq", "--exec", "bash", "-c", script, "agent", agent.FileName, .. agent.ArgumentList],
            TimeSpan.FromMinutes(5), RepoPaths.Root);
        var agentLog = File.Exists(log) ? File.ReadAllText(log) : "(no agent log)";
        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}: {run.All}\nagent:\n{agentLog}");
        var telemetry = run.Out.Split('\n').Where(l => l.StartsWith('{')).ToList();
        Assert.Equal(5, telemetry.Count);
        Assert.All(telemetry, t => Assert.Matches("\"id\": ?\"rmq-t60-[0-9]+\"", t));
        Assert.Contains("turned MQTT 5 away", agentLog, StringComparison.Ordinal);
        Assert.Contains("connected to MQTT broker 127.0.0.1", agentLog, StringComparison.Ordinal);
        Assert.Contains("(MQTT 3.1.1)", agentLog, StringComparison.Ordinal);
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
