using System.Globalization;
using PvEdge.EdgeAgent.Hosting;
using PvEdge.TestSupport;

namespace PvEdge.EdgeAgent.Tests.Hosting;

/// <summary>Settings of a whole agent host for tests: no demo, no console, an in-process simulated plant on the given clock,
/// clear-sky weather, SQLite at <c>&lt;dir&gt;/a.db</c> and a broker port nobody listens on; <paramref name="extra"/> adds or overrides keys.</summary>
internal static class OfflineHost
{
    public static AgentHostSettings Settings(string dir, TimeProvider time, string gatewayId, IReadOnlyDictionary<string, string?> extra,
        TimeProvider? wallTime = null)
    {
        var overrides = new Dictionary<string, string?>
        {
            ["Gateway:Id"] = gatewayId,
            ["Mqtt:Port"] = ExternalTools.FreeTcpPort().ToString(CultureInfo.InvariantCulture),
            ["Storage:Path"] = Path.Combine(dir, "a.db"),
            ["Weather:Source"] = "clear-sky",
            ["Acquisition:Simulated"] = "true",
            ["Acquisition:Simulator"] = "in-process",
        };
        foreach (var (key, value) in extra)
        {
            overrides[key] = value;
        }
        return new AgentHostSettings
        {
            Demo = false,
            AppFolder = dir,
            Time = time,
            WallTime = wallTime,
            ConsoleLogging = false,
            Overrides = overrides,
        };
    }
}
