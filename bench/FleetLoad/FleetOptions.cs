using System.Globalization;
using MQTTnet.Formatter;

namespace PvEdge.FleetLoad;

/// <summary>What to simulate and against which broker. Every period is in simulated seconds and divided by <see cref="TimeFactor"/>.</summary>
public sealed record FleetOptions
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 1883;
    public int Gateways { get; init; } = 1000;
    public double DurationS { get; init; } = 60;
    public double TelemetryPeriodS { get; init; } = 10;
    public double ForecastPeriodS { get; init; } = 3600;
    public double TimeFactor { get; init; } = 10;
    /// <summary>QoS of telemetry: 0 as the agent publishes live telemetry (formats.md), 1 as it replays the outbox.</summary>
    public int TelemetryQos { get; init; }
    /// <summary>Consumers sharing one shared subscription (<c>$share/fleet/…</c>); 0 = per-gateway topics through a single wildcard subscriber.</summary>
    public int SharedConsumers { get; init; } = 2;
    public MqttProtocolVersion Protocol { get; init; } = MqttProtocolVersion.V500;
    /// <summary>Share of gateways that drop their connection without DISCONNECT at the end, to check that their last will arrives.</summary>
    public double WillFraction { get; init; } = 0.1;
    public int ConnectConcurrency { get; init; } = 50;
    public string Prefix { get; init; } = "pvedge";

    public const string Usage = """
        fleetload [--host 127.0.0.1] [--port 1883] [--gateways 1000] [--duration-s 60] [--telemetry-s 10] [--forecast-s 3600]
                  [--time-factor 10] [--qos 0|1] [--shared-consumers 2 | 0 for a wildcard subscriber] [--protocol 5|3.1.1]
                  [--will-fraction 0.1] [--connect-concurrency 50]
        N simulated gateways (each its own MQTT client with last will and retained online status) publish telemetry and retained hourly
        forecasts (formats.md, schema 1, plus a per-gateway "seq") against a broker; consumers count every message and check the
        sequence numbers. Periods are simulated seconds, divided by the time factor.
        """;

    public static FleetOptions Parse(string[] args)
    {
        var o = new FleetOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var key = args[i];
            if (key is "-h" or "--help")
            {
                throw new ArgumentException(Usage);
            }
            if (i + 1 >= args.Length)
            {
                throw new ArgumentException($"option {key}: a value is expected");
            }
            var v = args[++i];
            o = key switch
            {
                "--host" => o with { Host = v },
                "--port" => o with { Port = Int(key, v, 1, 65535) },
                "--gateways" => o with { Gateways = Int(key, v, 1, 100_000) },
                "--duration-s" => o with { DurationS = Number(key, v, 1, 86_400) },
                "--telemetry-s" => o with { TelemetryPeriodS = Number(key, v, 0.01, 86_400) },
                "--forecast-s" => o with { ForecastPeriodS = Number(key, v, 0.01, 86_400) },
                "--time-factor" => o with { TimeFactor = Number(key, v, 0.001, 100_000) },
                "--qos" => o with { TelemetryQos = Int(key, v, 0, 1) },
                "--shared-consumers" => o with { SharedConsumers = Int(key, v, 0, 64) },
                "--protocol" => o with { Protocol = v switch { "5" => MqttProtocolVersion.V500, "3.1.1" => MqttProtocolVersion.V311, _ => throw new ArgumentException($"option --protocol: expected 5 or 3.1.1, got '{v}'") } },
                "--will-fraction" => o with { WillFraction = Number(key, v, 0, 1) },
                "--connect-concurrency" => o with { ConnectConcurrency = Int(key, v, 1, 10_000) },
                _ => throw new ArgumentException($"unknown option {key} (see --help)"),
            };
        }
        if (o.SharedConsumers > 0 && o.Protocol == MqttProtocolVersion.V311)
        {
            // Mosquitto accepts $share over 3.1.1 too; RabbitMQ 3.10 has no shared subscriptions at all (use --shared-consumers 0).
            Console.Error.WriteLine("note: shared subscriptions over MQTT 3.1.1 are a broker extension");
        }
        return o;
    }

    private static int Int(string key, string v, int min, int max) =>
        int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? n
            : throw new ArgumentException($"option {key}: expected an integer in [{min}, {max}], got '{v}'");

    private static double Number(string key, string v, double min, double max) =>
        double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d >= min && d <= max ? d
            : throw new ArgumentException($"option {key}: expected a number in [{min}, {max}], got '{v}'");
}
