using Microsoft.Extensions.Time.Testing;
using PvEdge.InverterSimulator;
using PvEdge.InverterSimulator.Faults;
using PvEdge.InverterSimulator.Plant;
using PvEdge.Modbus.Client;

namespace PvEdge.EdgeAgent.Tests.Acquisition.SunSpec;

/// <summary>An in-process simulator on a free loopback port, on a fake simulated clock the test moves by hand.</summary>
internal sealed class SimulatorFixture : IAsyncDisposable
{
    public static readonly DateTimeOffset Noon = new(2026, 6, 21, 12, 0, 0, TimeSpan.Zero);

    public SimulatorFixture(FaultSchedule? faults = null, DateTimeOffset? start = null)
    {
        Clock = new FakeTimeProvider(start ?? Noon);
        Plant = new PlaceholderBellCurvePlant(5.0, 4000, 0);
        Host = InverterSimulatorHost.Start(new InverterSimulatorOptions { Plant = Plant, Clock = Clock, Port = 0, Faults = faults ?? FaultSchedule.None });
    }

    public FakeTimeProvider Clock { get; }

    public PlaceholderBellCurvePlant Plant { get; }

    public InverterSimulatorHost Host { get; }

    public ModbusClient Client(int timeoutMs = 1000, int retries = 0) =>
        ModbusClient.ForTcp("127.0.0.1", Host.Port, new ModbusClientOptions { Timeout = TimeSpan.FromMilliseconds(timeoutMs), Retries = retries });

    public static FaultSchedule Schedule(string type, string extra = "") =>
        FaultSchedule.Parse($$"""{ "faults": [ { "type": "{{type}}", "start": "2026-06-21T12:30:00Z", "end": "2026-06-21T13:30:00Z"{{extra}} } ] }""", "test.json");

    public ValueTask DisposeAsync() => Host.DisposeAsync();
}
