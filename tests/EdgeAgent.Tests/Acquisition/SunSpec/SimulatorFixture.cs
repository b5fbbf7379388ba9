using Microsoft.Extensions.Time.Testing;
using PvEdge.InverterSimulator;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

/// <summary>An in-process simulator on a free loopback port, on a fake simulated clock the test moves by hand.</summary>
internal sealed class SimulatorFixture : IAsyncDisposable
{
    /// <summary>About solar noon at the demo site (Greensboro, 80° W).</summary>
    public static readonly DateTimeOffset Noon = new(2026, 6, 21, 17, 20, 0, TimeSpan.Zero);

    public SimulatorFixture(FaultSchedule? faults = null, DateTimeOffset? start = null)
    {
        Clock = new FakeTimeProvider(start ?? Noon);
        Plant = new PhysicsPlant(PlantFactory.DemoSite(), weather: null);
        Host = InverterSimulatorHost.Start(new InverterSimulatorOptions { Plant = Plant, Clock = Clock, Port = 0, Faults = faults ?? FaultSchedule.None });
    }

    public FakeTimeProvider Clock { get; }

    public PhysicsPlant Plant { get; }

    public InverterSimulatorHost Host { get; }

    public ModbusClient Client(int timeoutMs = 1500, int retries = 1) =>
        ModbusClient.ForTcp("127.0.0.1", Host.Port, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(timeoutMs), Retries = retries });

    public static FaultSchedule Schedule(string type, string extra = "") =>
        FaultSchedule.Parse($$"""{ "faults": [ { "type": "{{type}}", "start": "{{Iso(Noon.AddMinutes(30))}}", "end": "{{Iso(Noon.AddMinutes(90))}}"{{extra}} } ] }""", "test.json");

    private static string Iso(DateTimeOffset t) => t.ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
